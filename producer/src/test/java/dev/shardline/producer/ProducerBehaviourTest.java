package dev.shardline.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardline.aggregation.InvalidRecordException;
import dev.shardline.common.Futures;
import dev.shardline.local.Fault;
import dev.shardline.local.Faults;
import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalKinesis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** The producer against LocalKinesis (limits on) through the real SDK: expiry, failures, back-pressure, flush, close, bad input. */
@Timeout(60)
class ProducerBehaviourTest {
    private static LocalKinesis kinesis;
    private static KinesisAsyncClient client;

    @BeforeAll
    static void start() {
        kinesis = LocalKinesis.builder().port(0).tlsPort(0).limitsEnabled(true).build().start();
        // SDK retries off, as in the client the producer builds itself: the producer retries, and reports each attempt
        client = LocalClients.kinesisBuilder(kinesis.endpoint())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        kinesis.close();
    }

    private static ProducerConfig.Builder config() {
        return ProducerConfig.builder().client(client).meterRegistry(new SimpleMeterRegistry())
                .maxBufferedTime(Duration.ofMillis(20));
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void throttledPastTheTtlExpiresWithTheReasonAndItsAttempts() throws Exception {
        String stream = "expiring";
        kinesis.createStream(stream, 1);
        Faults.Active throttle = kinesis.faults().inject(Fault.throttleRecords().operation("PutRecords").stream(stream));
        List<DeadLetter> letters = new CopyOnWriteArrayList<>();
        try (KinesisProducer producer = new KinesisProducer(config().recordTtl(Duration.ofMillis(1500))
                .retryInitialBackoff(Duration.ofMillis(50)).retryMaxBackoff(Duration.ofMillis(200))
                .deadLetterSink(letter -> {
                    letters.add(letter);
                    return CompletableFuture.completedFuture(null);
                }).build())) {
            CompletableFuture<SendResult> f = producer.send(stream, "k", b("v"));
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .cause().isInstanceOf(RecordExpiredException.class)
                    .hasMessageContaining("recordTtl").hasMessageContaining("ProvisionedThroughputExceededException");
            RecordExpiredException e = (RecordExpiredException) Futures.unwrap(catchCause(f));
            assertThat(e.attempts()).hasSizeGreaterThan(1)
                    .allMatch(a -> "ProvisionedThroughputExceededException".equals(a.errorCode()));
            // the backoff spaced the attempts out: no retry storm
            assertThat(e.attempts().size()).isLessThan(40);
            assertThat(producer.bufferedBytes()).isZero();
            // the record also went to the dead-letter sink, after its future
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (letters.isEmpty() && System.nanoTime() < deadline) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertThat(letters).singleElement().satisfies(l -> {
                assertThat(l.source()).isEqualTo(DeadLetter.Source.PRODUCER);
                assertThat(l.stream()).isEqualTo(stream);
                assertThat(l.partitionKey()).isEqualTo("k");
                assertThat(new String(l.data(), StandardCharsets.UTF_8)).isEqualTo("v");
                assertThat(l.errorClass()).isEqualTo(RecordExpiredException.class.getName());
                assertThat(l.attempts()).isEqualTo(e.attempts().size());
                assertThat(l.shardId()).isNull();
            });
        } finally {
            throttle.remove();
        }
    }

    private static Throwable catchCause(CompletableFuture<?> f) {
        try {
            f.join();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    @Test
    void retryableFailuresAreRetriedAndTheAttemptsReported() throws Exception {
        String stream = "flaky";
        kinesis.createStream(stream, 2);
        kinesis.faults().inject(Fault.internalFailure().operation("PutRecords").stream(stream).nextCalls(2));
        kinesis.faults().inject(Fault.serviceUnavailable().operation("PutRecords").stream(stream).nextCalls(1));
        try (KinesisProducer producer = new KinesisProducer(config().retryInitialBackoff(Duration.ofMillis(10)).build())) {
            SendResult r = producer.send(stream, "k", b("v")).get(20, TimeUnit.SECONDS);
            assertThat(r.attempts()).hasSize(4);
            assertThat(r.attempts().subList(0, 3)).extracting(Attempt::errorCode)
                    .containsExactly("InternalFailure", "InternalFailure", "ServiceUnavailable");
            assertThat(r.attempts().get(3).successful()).isTrue();
            assertThat(r.shardId()).startsWith("shardId-");
        }
    }

    @Test
    void nonRetryableErrorsFailAtOnceWithTheServiceMessage() throws Exception {
        try (KinesisProducer producer = new KinesisProducer(config().build())) {
            long start = System.nanoTime();
            CompletableFuture<SendResult> f = producer.send("no-such-stream", "k", b("v"));
            assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(RecordFailedException.class)
                    .hasMessageContaining("ResourceNotFoundException").hasMessageContaining("no-such-stream");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void backPressureBlocksSendAndReleasesIt() throws Exception {
        String stream = "pressure";
        kinesis.createStream(stream, 1);
        Faults.Active slow = kinesis.faults().inject(Fault.latency(Duration.ofMillis(800)).operation("PutRecords")
                .stream(stream).nextCalls(1));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (KinesisProducer producer = new KinesisProducer(config().maxRecordBytes(4096).aggregationMaxBytes(4096)
                .maxBufferedBytes(8192).maxBlockTime(Duration.ofSeconds(5)).build())) {
            List<CompletableFuture<SendResult>> accepted = new ArrayList<>();
            byte[] kib = new byte[1000];
            for (int i = 0; i < 8; i++) {
                accepted.add(producer.send(stream, "k" + i, kib));
            }
            assertThat(producer.bufferedBytes()).isGreaterThan(8000);
            assertThatThrownBy(() -> producer.trySend(stream, "x", null, kib)).isInstanceOf(BufferFullException.class)
                    .hasMessageContaining("maxBufferedBytes");
            long start = System.nanoTime();
            Future<CompletableFuture<SendResult>> blocked = pool.submit(() -> producer.send(stream, "late", kib));
            CompletableFuture<SendResult> late = blocked.get(10, TimeUnit.SECONDS);
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(waitedMs).as("send blocked until the slow call came back").isGreaterThan(300);
            accepted.add(late);
            for (CompletableFuture<SendResult> f : accepted) {
                assertThat(f.get(10, TimeUnit.SECONDS).sequenceNumber()).isNotEmpty();
            }
        } finally {
            slow.remove();
            pool.shutdownNow();
        }
    }

    @Test
    void sendGivesUpAfterMaxBlockTime() throws Exception {
        String stream = "stuck";
        kinesis.createStream(stream, 1);
        Faults.Active slow = kinesis.faults().inject(Fault.latency(Duration.ofSeconds(2)).operation("PutRecords")
                .stream(stream).nextCalls(1));
        try (KinesisProducer producer = new KinesisProducer(config().maxRecordBytes(4096).aggregationMaxBytes(4096)
                .maxBufferedBytes(4096).maxBlockTime(Duration.ofMillis(200)).build())) {
            CompletableFuture<SendResult> first = producer.send(stream, "k", new byte[4000]);
            long start = System.nanoTime();
            assertThatThrownBy(() -> producer.send(stream, "k2", new byte[100])).isInstanceOf(BufferFullException.class)
                    .hasMessageContaining("200 ms");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(150L, 1500L);
            assertThat(first.get(10, TimeUnit.SECONDS).shardId()).isNotNull();
        } finally {
            slow.remove();
        }
    }

    @Test
    void flushAndCloseCompleteEverything() throws Exception {
        String stream = "flushing";
        kinesis.createStream(stream, 2);
        KinesisProducer producer = new KinesisProducer(config().maxBufferedTime(Duration.ofSeconds(30)).build());
        List<CompletableFuture<SendResult>> first = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            first.add(producer.send(stream, "k" + i, b("first-" + i)));
        }
        // the linger is 30 s: only flush can send these now
        producer.flush().get(10, TimeUnit.SECONDS);
        assertThat(first).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
        List<CompletableFuture<SendResult>> second = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            second.add(producer.send(stream, "k" + i, b("second-" + i)));
        }
        long start = System.nanoTime();
        producer.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        for (CompletableFuture<SendResult> f : second) {
            assertThat(f.get(5, TimeUnit.SECONDS).sequenceNumber()).isNotEmpty();
        }
        assertThatThrownBy(() -> producer.send(stream, "k", b("after"))).isInstanceOf(ProducerClosedException.class);
        assertThat(StreamReader.readAll(client, stream)).hasSize(600);
    }

    @Test
    void everyBadInputFailsClearlyAndLeavesTheBufferAlone() throws Exception {
        String stream = "strict-input";
        kinesis.createStream(stream, 1);
        try (KinesisProducer producer = new KinesisProducer(config().maxBufferedTime(Duration.ofMillis(200)).build())) {
            List<CompletableFuture<SendResult>> good = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                good.add(producer.send(stream, "good" + i, b("good-" + i)));
            }
            String longKey = "k".repeat(257);
            Map<String, Runnable> bad = new HashMap<>();
            bad.put("data", () -> producer.send(stream, "k", null));
            bad.put("partitionKey", () -> producer.send(stream, "", b("x")));
            bad.put("partitionKey ", () -> producer.send(stream, null, b("x")));
            bad.put("partitionKey  ", () -> producer.send(stream, longKey, b("x")));
            bad.put("explicitHashKey", () -> producer.send(stream, "k", "12abc", b("x")));
            bad.put("explicitHashKey ", () -> producer.send(stream, "k", "340282366920938463463374607431768211456", b("x")));
            bad.put("data ", () -> producer.send(stream, "k", new byte[1024 * 1024]));
            bad.put("stream", () -> producer.send(null, "k", b("x")));
            bad.put("stream ", () -> producer.send("bad name!", "k", b("x")));
            bad.put("stream  ", () -> producer.send("x".repeat(129), "k", b("x")));
            for (Map.Entry<String, Runnable> e : bad.entrySet()) {
                String field = e.getKey().trim();
                assertThatThrownBy(e.getValue()::run).as(e.getKey()).isInstanceOf(InvalidRecordException.class)
                        .hasMessageStartingWith(field + ":")
                        .satisfies(t -> assertThat(((InvalidRecordException) t).field()).isEqualTo(field));
            }
            assertThatThrownBy(() -> producer.send(stream, "k", new byte[1024 * 1024]))
                    .hasMessageContaining("1048576");
            producer.flush().get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                assertThat(good.get(i).get().subSequenceNumber()).isEqualTo(i);
            }
            assertThat(StreamReader.readAll(client, stream)).extracting(StreamReader.Read::data)
                    .containsExactly("good-0", "good-1", "good-2", "good-3", "good-4");
            assertThat(producer.bufferedBytes()).isZero();
        }
    }

    @Test
    void writesByStreamArnAndCompletesOffTheSdkThreads() throws Exception {
        String stream = "by-arn";
        String arn = kinesis.createStream(stream, 2);
        ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-callbacks"));
        try (KinesisProducer producer = new KinesisProducer(config().callbackExecutor(callbacks).build())) {
            String thread = producer.send(arn, "k", b("v")).thenApply(r -> Thread.currentThread().getName())
                    .get(10, TimeUnit.SECONDS);
            assertThat(thread).isEqualTo("test-callbacks");
        } finally {
            callbacks.shutdownNow();
        }
        assertThat(StreamReader.readAll(client, stream)).extracting(StreamReader.Read::data).containsExactly("v");
    }

    @Test
    void timeoutsAndDroppedConnectionsAreRetried() throws Exception {
        String stream = "unreliable";
        kinesis.createStream(stream, 1);
        kinesis.faults().inject(Fault.latency(Duration.ofSeconds(3)).operation("PutRecords").stream(stream).nextCalls(1));
        try (KinesisProducer producer = new KinesisProducer(config().requestTimeout(Duration.ofMillis(500))
                .retryInitialBackoff(Duration.ofMillis(10)).build())) {
            SendResult r = producer.send(stream, "k", b("v")).get(20, TimeUnit.SECONDS);
            assertThat(r.attempts()).as(r.attempts().toString()).hasSize(2);
            assertThat(r.attempts().get(0).errorCode()).isEqualTo("ApiCallTimeoutException");
            assertThat(r.attempts().get(0).duration()).isGreaterThanOrEqualTo(Duration.ofMillis(400));
            assertThat(r.attempts().get(1).successful()).isTrue();

            kinesis.faults().inject(Fault.dropConnection().operation("PutRecords").stream(stream).nextCalls(1));
            SendResult dropped = producer.send(stream, "k", b("v")).get(20, TimeUnit.SECONDS);
            assertThat(dropped.attempts()).as(dropped.attempts().toString()).hasSize(2);
            assertThat(dropped.attempts().get(0).successful()).isFalse();
            assertThat(dropped.attempts().get(1).successful()).isTrue();
        }
        // at-least-once: the timed-out call may have been stored as well as its retry
        assertThat(StreamReader.readAll(client, stream)).extracting(StreamReader.Read::data).contains("v")
                .allMatch("v"::equals);
    }

    @Test
    void oneProducerWritesToSeveralStreams() throws Exception {
        kinesis.createStream("multi-a", 2);
        kinesis.createStream("multi-b", 3);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        // a long linger: only a flush sends before a minute has passed
        try (KinesisProducer producer = new KinesisProducer(config().meterRegistry(meters)
                .maxBufferedTime(Duration.ofMinutes(1)).build())) {
            List<CompletableFuture<SendResult>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                futures.add(producer.send(i % 2 == 0 ? "multi-a" : "multi-b", "k" + i, b("v" + i)));
            }
            assertThat(producer.outstandingRecords()).isEqualTo(200);
            assertThat(producer.oldestRecordAge()).isPositive();
            producer.flush("multi-a").get(10, TimeUnit.SECONDS);
            for (int i = 0; i < 200; i += 2) {
                assertThat(futures.get(i).get().shardId()).startsWith("shardId-");
            }
            assertThat(producer.outstandingRecords()).isEqualTo(100);
            assertThat(futures.get(1)).isNotDone();
            producer.flush().get(10, TimeUnit.SECONDS);
            for (CompletableFuture<SendResult> f : futures) {
                assertThat(f.get().shardId()).startsWith("shardId-");
            }
            assertThat(producer.outstandingRecords()).isZero();
            assertThat(producer.oldestRecordAge()).isZero();
        }
        assertThat(meters.get("shardline.producer.stream.user.records.put").tag("stream", "multi-b").counter().count())
                .isEqualTo(100);
        assertThat(meters.find("shardline.producer.shard.user.records.put").tag("stream", "multi-b").counters())
                .hasSize(3);
        assertThat(StreamReader.readAll(client, "multi-a")).hasSize(100).allMatch(r -> Integer.parseInt(
                r.partitionKey().substring(1)) % 2 == 0);
        assertThat(StreamReader.readAll(client, "multi-b")).hasSize(100);
    }
}
