package dev.shardline.bench.fanout;

import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalKinesis;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * Enhanced fan-out push latency of LocalKinesis on loopback: records are put one at a time at a steady rate while
 * one SubscribeToShard subscription (the unmodified SDK, Netty client, HTTP/2) receives them; for every record it
 * measures
 *
 * <ul>
 *   <li><b>store → handler</b>: from the record's ApproximateArrivalTimestamp (set when the server stores it; epoch
 *       milliseconds, so this reads up to 1 ms high) to the moment the SDK hands the event to the subscriber;</li>
 *   <li><b>put → handler</b>: from just before the PutRecord call (a nanosecond timestamp carried in the data) to
 *       the same moment, so it also includes the PutRecord request's trip to the server.</li>
 * </ul>
 *
 * <p>Run: {@code java -cp bench/target/shardline-bench.jar dev.shardline.bench.fanout.PushLatencyBench
 * [--records 3000] [--rate 500] [--warmup 500] [--size 100] [--transport h2c|tls]}.
 */
@Command(name = "fanout", mixinStandardHelpOptions = true,
        description = "Enhanced fan-out push latency of LocalKinesis (record stored -> SDK handler), p50/p99.")
public final class PushLatencyBench implements Callable<Integer> {
    @Option(names = "--records", description = "Records measured (default ${DEFAULT-VALUE}).")
    int records = 3000;

    @Option(names = "--warmup", description = "Records put first and not measured (default ${DEFAULT-VALUE}).")
    int warmup = 500;

    @Option(names = "--rate", description = "Records per second, put one at a time (default ${DEFAULT-VALUE}).")
    int rate = 500;

    @Option(names = "--size", description = "Record data bytes, at least 8 (default ${DEFAULT-VALUE}).")
    int size = 100;

    @Option(names = "--transport", description = "h2c (plain port) or tls (default ${DEFAULT-VALUE}).")
    String transport = "h2c";

    private static volatile boolean stopping;

    public static void main(String[] args) {
        System.exit(new CommandLine(new PushLatencyBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (size < 8 || records < 1 || rate < 1 || warmup < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--size must be >= 8, --records and --rate >= 1, --warmup >= 0");
        }
        int total = warmup + records;
        try (LocalKinesis kinesis = LocalKinesis.builder().limitsEnabled(false).build().start()) {
            URI endpoint = transport.equals("tls") ? kinesis.tlsEndpoint() : kinesis.endpoint();
            try (KinesisAsyncClient client = http2Client(endpoint)) {
                String streamArn = kinesis.createStream("latency", 1);
                String consumerArn = registerConsumer(client, streamArn);
                long[] storeToHandlerMicros = new long[total];
                long[] putToHandlerMicros = new long[total];
                AtomicInteger received = new AtomicInteger();
                CountDownLatch all = new CountDownLatch(total);
                CompletableFuture<Void> responded = new CompletableFuture<>();

                CompletableFuture<Void> subscription = client.subscribeToShard(b -> b.consumerARN(consumerArn)
                        .shardId("shardId-000000000000")
                        .startingPosition(p -> p.type(ShardIteratorType.LATEST)), SubscribeToShardResponseHandler
                        .builder()
                        .onResponse(r -> responded.complete(null))
                        .subscriber(() -> new LatencySubscriber(storeToHandlerMicros, putToHandlerMicros, received,
                                all))
                        .onError(responded::completeExceptionally)
                        .build());
                responded.get(30, TimeUnit.SECONDS);

                long intervalNanos = TimeUnit.SECONDS.toNanos(1) / rate;
                long next = System.nanoTime();
                for (int i = 0; i < total; i++) {
                    LockSupport.parkNanos(next - System.nanoTime());
                    next += intervalNanos;
                    ByteBuffer data = ByteBuffer.allocate(size);
                    data.putLong(System.nanoTime());
                    data.rewind();
                    client.putRecord(b -> b.streamName("latency").partitionKey("k")
                            .data(SdkBytes.fromByteBuffer(data))).join();
                }
                if (!all.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("received " + received.get() + " of " + total + " records");
                }
                stopping = true;
                subscription.cancel(true);

                long[] store = Arrays.copyOfRange(storeToHandlerMicros, warmup, total);
                long[] put = Arrays.copyOfRange(putToHandlerMicros, warmup, total);
                System.out.printf(Locale.ROOT, "fanout push latency: transport=%s records=%d rate=%d/s size=%dB "
                        + "cores=%d%n", transport, records, rate, size, Runtime.getRuntime().availableProcessors());
                System.out.println(summary("store->handler", store));
                System.out.println(summary("put->handler  ", put));
            }
        }
        return 0;
    }

    private static String summary(String label, long[] micros) {
        Arrays.sort(micros);
        return String.format(Locale.ROOT, "%s p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f", label,
                percentile(micros, 50) / 1000.0, percentile(micros, 90) / 1000.0, percentile(micros, 99) / 1000.0,
                micros[micros.length - 1] / 1000.0);
    }

    private static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static String registerConsumer(KinesisAsyncClient client, String streamArn) throws InterruptedException {
        String arn = client.registerStreamConsumer(b -> b.streamARN(streamArn).consumerName("latency")).join()
                .consumer().consumerARN();
        while (client.describeStreamConsumer(b -> b.consumerARN(arn)).join().consumerDescription()
                .consumerStatus() != ConsumerStatus.ACTIVE) {
            Thread.sleep(10);
        }
        return arn;
    }

    /** The SDK's Netty client with HTTP/2: prior knowledge on http://, TLS trusting the self-signed certificate. */
    private static KinesisAsyncClient http2Client(URI endpoint) {
        NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2)
                .connectionAcquisitionTimeout(Duration.ofSeconds(30));
        return KinesisAsyncClient.builder()
                .endpointOverride(endpoint)
                .region(LocalClients.REGION)
                .credentialsProvider(LocalClients.credentials())
                .httpClient("https".equals(endpoint.getScheme())
                        ? http.buildWithDefaults(AttributeMap.builder()
                                .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true).build())
                        : http.build())
                .build();
    }

    /** Records, per received record, the latency since it was stored and since it was put. */
    private static final class LatencySubscriber implements Subscriber<SubscribeToShardEventStream> {
        private final long[] storeToHandlerMicros;
        private final long[] putToHandlerMicros;
        private final AtomicInteger received;
        private final CountDownLatch all;
        private Subscription subscription;

        LatencySubscriber(long[] storeToHandlerMicros, long[] putToHandlerMicros, AtomicInteger received,
                CountDownLatch all) {
            this.storeToHandlerMicros = storeToHandlerMicros;
            this.putToHandlerMicros = putToHandlerMicros;
            this.received = received;
            this.all = all;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(SubscribeToShardEventStream item) {
            long nowNanos = System.nanoTime();
            Instant now = Instant.now();
            if (item instanceof SubscribeToShardEvent event) {
                for (Record record : event.records()) {
                    int i = received.getAndIncrement();
                    if (i >= storeToHandlerMicros.length) {
                        continue;
                    }
                    Duration sinceStored = Duration.between(record.approximateArrivalTimestamp(), now);
                    storeToHandlerMicros[i] = sinceStored.toNanos() / 1000;
                    long sentNanos = record.data().asByteBuffer().getLong(0);
                    putToHandlerMicros[i] = (nowNanos - sentNanos) / 1000;
                    all.countDown();
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            if (!stopping) {
                System.err.println("subscription failed: " + t);
            }
        }

        @Override
        public void onComplete() {
        }
    }
}
