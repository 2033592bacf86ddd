package dev.shardline.local;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.Subscriber;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardRequest;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;
import software.amazon.awssdk.utils.AttributeMap;

/** The real SDK's fan-out client side, for the fan-out tests: HTTP/2 clients and a recording subscriber. */
final class FanOutTestSupport {
    private FanOutTestSupport() {
    }

    /** An SDK client on the Netty client with HTTP/2: prior knowledge on http://, TLS (trust all) on https://. */
    static KinesisAsyncClient http2Client(URI endpoint) {
        NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
                .protocol(Protocol.HTTP2)
                .maxConcurrency(100)
                .connectionAcquisitionTimeout(Duration.ofSeconds(30));
        return KinesisAsyncClient.builder()
                .endpointOverride(endpoint)
                .region(LocalClients.REGION)
                .credentialsProvider(LocalClients.credentials())
                .httpClient(http.buildWithDefaults(AttributeMap.builder()
                        .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true).build()))
                .build();
    }

    /** Registers a consumer and waits until it is ACTIVE; returns its ARN. */
    static String activeConsumer(KinesisAsyncClient client, String streamArn, String name) {
        String arn = client.registerStreamConsumer(r -> r.streamARN(streamArn).consumerName(name)).join()
                .consumer().consumerARN();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (client.describeStreamConsumer(r -> r.consumerARN(arn)).join().consumerDescription().consumerStatus()
                != ConsumerStatus.ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("consumer " + arn + " never became ACTIVE");
            }
            sleep(5);
        }
        return arn;
    }

    /** Puts {@code count} records of {@code size} bytes to one shard (by explicit hash key); returns them in order. */
    static List<byte[]> put(KinesisAsyncClient client, String stream, String hashKey, int count, int size,
            String tag) {
        List<byte[]> sent = new ArrayList<>();
        int batch = Math.max(1, Math.min(500, (4 * 1024 * 1024) / Math.max(1, size + 64)));
        for (int from = 0; from < count; from += batch) {
            List<PutRecordsRequestEntry> entries = new ArrayList<>();
            for (int i = from; i < Math.min(count, from + batch); i++) {
                byte[] data = payload(tag + "-" + i, size);
                sent.add(data);
                entries.add(PutRecordsRequestEntry.builder().partitionKey("pk-" + i).explicitHashKey(hashKey)
                        .data(SdkBytes.fromByteArray(data)).build());
            }
            PutRecordsResponse response = client.putRecords(r -> r.streamName(stream).records(entries)).join();
            if (response.failedRecordCount() != null && response.failedRecordCount() > 0) {
                throw new AssertionError("put failed: " + response.records());
            }
        }
        return sent;
    }

    static byte[] payload(String text, int size) {
        byte[] data = new byte[Math.max(size, text.length())];
        byte[] head = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        System.arraycopy(head, 0, data, 0, head.length);
        for (int i = head.length; i < data.length; i++) {
            data[i] = (byte) ('a' + i % 26);
        }
        return data;
    }

    static StartingPosition position(ShardIteratorType type, String sequence) {
        return StartingPosition.builder().type(type).sequenceNumber(sequence).build();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /**
     * One SubscribeToShard call seen through the SDK's handler: the initial response, every event, and how it
     * ended. Requests one event at a time, optionally sleeping {@code perEventDelay} before asking for the next
     * (a slow subscriber: HTTP/2 flow control must then hold the server back).
     */
    static final class Recorder {
        final CompletableFuture<Void> responded = new CompletableFuture<>();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final BlockingQueue<SubscribeToShardEvent> events = new LinkedBlockingQueue<>();
        final List<SubscribeToShardEvent> all = new CopyOnWriteArrayList<>();
        final AtomicLong records = new AtomicLong();
        volatile Throwable error;
        volatile boolean completed;
        volatile boolean gotInitialResponse;
        private final long perEventDelayMillis;
        private final ScheduledExecutorService pacer;
        CompletableFuture<Void> call;
        private volatile org.reactivestreams.Subscription subscription;

        Recorder(long perEventDelayMillis) {
            this.perEventDelayMillis = perEventDelayMillis;
            this.pacer = perEventDelayMillis > 0 ? Executors.newSingleThreadScheduledExecutor() : null;
        }

        Recorder() {
            this(0);
        }

        SubscribeToShardResponseHandler handler() {
            return SubscribeToShardResponseHandler.builder()
                    .onResponse(r -> {
                        gotInitialResponse = true;
                        responded.complete(null);
                    })
                    .subscriber(() -> new Subscriber<SubscribeToShardEventStream>() {
                        @Override
                        public void onSubscribe(org.reactivestreams.Subscription s) {
                            subscription = s;
                            s.request(1);
                        }

                        @Override
                        public void onNext(SubscribeToShardEventStream event) {
                            if (event instanceof SubscribeToShardEvent e) {
                                // Stored before counted: a waiter that saw the count finds the records in all.
                                all.add(e);
                                events.add(e);
                                records.addAndGet(e.records().size());
                            }
                            if (pacer == null) {
                                subscription.request(1);
                            } else {
                                pacer.schedule(() -> subscription.request(1), perEventDelayMillis,
                                        TimeUnit.MILLISECONDS);
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            error = t;
                        }

                        @Override
                        public void onComplete() {
                            completed = true;
                        }
                    })
                    .onError(t -> {
                        error = unwrap(t);
                        responded.completeExceptionally(error);
                        done.complete(null);
                    })
                    .onComplete(() -> {
                        completed = true;
                        done.complete(null);
                    })
                    .build();
        }

        Recorder subscribe(KinesisAsyncClient client, String consumerArn, String shardId, StartingPosition from) {
            call = client.subscribeToShard(SubscribeToShardRequest.builder().consumerARN(consumerArn)
                    .shardId(shardId).startingPosition(from).build(), handler());
            call.whenComplete((v, t) -> {
                if (t != null && error == null) {
                    error = unwrap(t);
                }
                done.complete(null);
            });
            return this;
        }

        private static Throwable unwrap(Throwable t) {
            return t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
        }

        /** The next event, waiting at most {@code millis}; fails the test if none comes. */
        SubscribeToShardEvent next(long millis) {
            try {
                SubscribeToShardEvent e = events.poll(millis, TimeUnit.MILLISECONDS);
                if (e == null) {
                    throw new AssertionError("no event within " + millis + " ms (error: " + error + ")");
                }
                return e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }

        /** Data of every record received so far, in order. */
        List<byte[]> data() {
            List<byte[]> out = new ArrayList<>();
            for (SubscribeToShardEvent e : all) {
                e.records().forEach(r -> out.add(r.data().asByteArray()));
            }
            return out;
        }

        /** Waits until {@code count} records arrived; fails the test after {@code millis}. */
        void awaitRecords(long count, long millis) {
            long deadline = System.currentTimeMillis() + millis;
            while (records.get() < count) {
                if (System.currentTimeMillis() > deadline) {
                    throw new AssertionError("received " + records.get() + " of " + count + " records (error: "
                            + error + ")");
                }
                sleep(2);
            }
        }

        /** Waits for the initial response; fails the test on an error or after {@code millis}. */
        void awaitResponse(long millis) {
            try {
                responded.get(millis, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new AssertionError("no initial response within " + millis + " ms (error: " + error + ")", e);
            }
        }

        void awaitDone(long millis) {
            try {
                done.get(millis, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                throw new AssertionError("subscription did not end within " + millis + " ms", e);
            }
        }

        /** Cancels the subscription from the client side, as a consumer that stops reading does. */
        void close() {
            org.reactivestreams.Subscription s = subscription;
            if (s != null) {
                s.cancel();
            }
            if (pacer != null) {
                pacer.shutdownNow();
            }
        }
    }
}
