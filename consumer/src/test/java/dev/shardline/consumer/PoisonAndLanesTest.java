package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.checkpoint.ExtendedSequenceNumber;
import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import dev.shardline.checkpoint.WorkerHeartbeats;
import dev.shardline.producer.DeadLetter;
import dev.shardline.producer.DeadLetterSink;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failure policy, dead letters, per-key lanes, asynchronous processing and pause/resume, end to end against
 * LocalKinesis + DynamoDB Local.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class PoisonAndLanesTest {
    private Cluster cluster;

    @BeforeAll
    void up() {
        cluster = new Cluster();
    }

    @AfterAll
    void down() {
        cluster.close();
    }

    /** Records each key's values as processed; runs {@code before} on each batch first (it may throw or wait). */
    static final class Log {
        final Map<String, List<String>> byKey = new ConcurrentHashMap<>();
        final List<String> all = new CopyOnWriteArrayList<>();
        final List<String> events = new CopyOnWriteArrayList<>();
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger maxRunning = new AtomicInteger();

        void processed(UserRecord r) {
            String v = r.dataAsUtf8();
            all.add(v);
            byKey.computeIfAbsent(r.partitionKey(), k -> new CopyOnWriteArrayList<>()).add(v);
        }

        /** Per-key inversions: a value lower than one processed before it for the same key. */
        int reorders() {
            int n = 0;
            for (List<String> values : byKey.values()) {
                int last = -1;
                for (String v : values) {
                    int i = Integer.parseInt(v.substring(v.indexOf(':') + 1));
                    n += i < last ? 1 : 0;
                    last = Math.max(last, i);
                }
            }
            return n;
        }
    }

    /** Processes a batch all or nothing: {@code check} runs on every record first and may throw. */
    static RecordProcessor processor(Log log, Consumer<UserRecord> check) {
        return new RecordProcessor() {
            @Override
            public void processRecords(ProcessRecordsInput input) {
                log.maxRunning.accumulateAndGet(log.running.incrementAndGet(), Math::max);
                try {
                    input.records().forEach(check);
                    input.records().forEach(log::processed);
                } finally {
                    log.running.decrementAndGet();
                }
                try {
                    input.checkpointer().checkpoint().join();
                } catch (RuntimeException e) {
                    log.events.add("checkpoint refused");
                    throw e;
                }
            }

            @Override
            public void leaseLost(LeaseLostInput input) {
                log.events.add("leaseLost");
            }
        };
    }

    private ConsumerConfig.Builder config(String app, String stream, String worker, RecordProcessor... shared) {
        return cluster.config(app, stream, worker, new Recorder()).processorFactory(() -> shared[0]);
    }

    private static ExtendedSequenceNumber checkpointOf(LeaseTable table, String shardId) {
        return table.getLease(shardId).join().orElseThrow().checkpoint();
    }

    @Test
    void aPoisonRecordMidBatchIsDeadLetteredExactlyOnceAndNeverRedelivered(@TempDir Path dir) throws Exception {
        String stream = Cluster.unique("poison");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 1);
        cluster.put(stream, 10, 0, 20); // 200 records in one shard, keys key-0..9, values 0..19
        Path file = dir.resolve("dead.jsonl");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        Log log = new Log();
        RecordProcessor p = processor(log, r -> {
            if (r.dataAsUtf8().equals("key-3:7")) {
                throw new IllegalArgumentException("cannot parse key-3:7");
            }
        });
        KinesisConsumer worker = cluster.start(config(app, stream, "w1", p).perKeyParallelism(4)
                .failurePolicy(FailurePolicy.retry(2).backoff(Duration.ofMillis(10), Duration.ofMillis(40))
                        .thenDeadLetter(DeadLetterSink.toFile(file)))
                .meterRegistry(meters).build());
        Cluster.await("199 records", Duration.ofSeconds(30), () -> log.all.size() >= 199);
        LeaseTable table = LeaseTable.builder(cluster.dynamoClient).applicationName(app).workerId("reader").build();
        String shardId = table.listLeases().join().get(0).leaseKey();

        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(1);
        DeadLetter letter = DeadLetter.fromJson(lines.get(0).getBytes(StandardCharsets.UTF_8));
        assertThat(letter.partitionKey()).isEqualTo("key-3");
        assertThat(new String(letter.data(), StandardCharsets.UTF_8)).isEqualTo("key-3:7");
        assertThat(letter.stream()).isEqualTo(stream);
        assertThat(letter.shardId()).isEqualTo(shardId);
        assertThat(letter.source()).isEqualTo(DeadLetter.Source.CONSUMER);
        assertThat(letter.errorClass()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(letter.errorMessage()).isEqualTo("cannot parse key-3:7");
        assertThat(letter.attempts()).isGreaterThanOrEqualTo(6); // 3 on its batch, bisection levels, 3 alone
        assertThat(letter.lastFailure()).isAfter(letter.firstFailure());
        // Every other record processed exactly once, in order per key.
        assertThat(log.all).hasSize(199).doesNotHaveDuplicates().doesNotContain("key-3:7");
        assertThat(log.reorders()).isZero();
        assertThat(log.byKey.get("key-3")).hasSize(19);
        // The checkpoint passes it (the last record, key-9:19, is after it) and the metrics say what happened.
        ExtendedSequenceNumber poisonAt = ExtendedSequenceNumber.of(letter.sequenceNumber(), letter.subSequenceNumber());
        Cluster.await("checkpoint past the dead letter", Duration.ofSeconds(10),
                () -> checkpointOf(table, shardId).compareTo(poisonAt) > 0);
        assertThat(meters.counter("shardline.consumer.dead.letters", "application", app, "worker", "w1").count())
                .isEqualTo(1);
        assertThat(meters.counter("shardline.consumer.process.bisections", "application", app, "worker", "w1")
                .count()).isGreaterThanOrEqualTo(1);
        assertThat(meters.counter("shardline.consumer.process.retries", "application", app, "worker", "w1").count())
                .isGreaterThanOrEqualTo(4);

        // A restart from the checkpoint does not deliver it (nor anything else) again.
        worker.close();
        cluster.put(stream, 10, 20, 1);
        Log second = new Log();
        RecordProcessor q = processor(second, r -> { });
        cluster.start(config(app, stream, "w2", q).perKeyParallelism(4).build());
        Cluster.await("10 new records", Duration.ofSeconds(30), () -> second.all.size() >= 10);
        assertThat(second.all).hasSize(10).allMatch(v -> v.endsWith(":20"));
    }

    @Test
    void lanesWithRandomDelaysKeepEveryKeyInOrderAndRunConcurrently() {
        String stream = Cluster.unique("lanes");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 2);
        cluster.put(stream, 40, 0, 15); // 600 records
        Log log = new Log();
        RecordProcessor p = processor(log, r -> Cluster.sleep(ThreadLocalRandom.current().nextInt(3)));
        cluster.start(config(app, stream, "w1", p).perKeyParallelism(8).maxBatchesInFlight(3).build());
        Cluster.await("600 records", Duration.ofSeconds(60), () -> log.all.size() >= 600);
        assertThat(log.all).hasSize(600).doesNotHaveDuplicates();
        assertThat(log.reorders()).isZero();
        assertThat(log.byKey).hasSize(40).allSatisfy((k, v) -> assertThat(v).hasSize(15));
        assertThat(log.maxRunning.get()).as("concurrent processRecords calls").isGreaterThan(1);
    }

    @Test
    void leaseLostMidLaneCheckpointsNothingBeyondTheLowWaterMark() throws Exception {
        String stream = Cluster.unique("lost");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 1);
        cluster.put(stream, 1, 0, 1);   // "key-0:0" first: its lane will hang on it
        cluster.put(stream, 12, 1, 10); // then 120 records on other lanes
        CountDownLatch hang = new CountDownLatch(1);
        Log log = new Log();
        RecordProcessor p = processor(log, r -> {
            if (r.dataAsUtf8().equals("key-0:0")) {
                try {
                    hang.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        // Small batches: the hung lane's later batches queue up behind it (and at most 4 batches are in flight).
        cluster.start(config(app, stream, "w1", p).perKeyParallelism(4).maxBatchesInFlight(4).maxRecordsPerCall(10)
                .build());
        LeaseTable thief = LeaseTable.builder(cluster.dynamoClient).applicationName(app).workerId("thief").build();
        // Other lanes go on and checkpoint after every batch, but the mark stays before key-0:0.
        Cluster.await("records on other lanes", Duration.ofSeconds(30), () -> log.all.size() >= 12);
        Lease held = thief.listLeases().join().get(0);
        assertThat(held.checkpoint()).isEqualTo(ExtendedSequenceNumber.TRIM_HORIZON);

        // Another worker takes the lease (and stays alive, so w1 does not take it back).
        WorkerHeartbeats beats = new WorkerHeartbeats(thief);
        beats.beat().join();
        ScheduledExecutorService beating = Executors.newSingleThreadScheduledExecutor();
        try {
            beating.scheduleWithFixedDelay(() -> beats.beat().join(), 100, 100, TimeUnit.MILLISECONDS);
            assertThat(thief.take(thief.getLease(held.leaseKey()).join().orElseThrow()).join()).isPresent();
            hang.countDown();
            Cluster.await("leaseLost after the hung call returned", Duration.ofSeconds(20),
                    () -> log.events.contains("leaseLost"));
            assertThat(log.events).contains("checkpoint refused");
            assertThat(checkpointOf(thief, held.leaseKey())).isEqualTo(ExtendedSequenceNumber.TRIM_HORIZON);
            // The lanes were cancelled: what queued behind the hung call was never handed over (leaseLost comes
            // only after every running call has returned).
            assertThat(log.all.size()).isLessThanOrEqualTo(40);
        } finally {
            beating.shutdownNow();
        }
    }

    @Test
    void asyncBatchesStayWithinTheBoundAndPauseStopsDelivery() {
        String stream = Cluster.unique("async");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 1);
        Log log = new Log();
        AtomicInteger unfinished = new AtomicInteger();
        AtomicInteger maxUnfinished = new AtomicInteger();
        ScheduledExecutorService later = Executors.newScheduledThreadPool(2);
        AsyncRecordProcessor p = input -> {
            maxUnfinished.accumulateAndGet(unfinished.incrementAndGet(), Math::max);
            CompletableFuture<Void> done = new CompletableFuture<>();
            later.schedule(() -> {
                input.records().forEach(log::processed);
                unfinished.decrementAndGet();
                input.checkpointer().checkpoint().whenComplete((x, e) -> done.complete(null));
            }, ThreadLocalRandom.current().nextInt(1, 5), TimeUnit.MILLISECONDS);
            return done;
        };
        try {
            KinesisConsumer worker = cluster.start(config(app, stream, "w1", p).perKeyParallelism(4)
                    .maxBatchesInFlight(2).maxRecordsPerCall(20).build());
            cluster.put(stream, 8, 0, 25);
            Cluster.await("200 records", Duration.ofSeconds(30), () -> log.all.size() >= 200);
            assertThat(log.reorders()).isZero();
            assertThat(maxUnfinished.get()).isBetween(1, 2 * 4); // at most 2 batches, each over at most 4 lanes

            worker.pause();
            long rounds = worker.rounds();
            cluster.put(stream, 8, 25, 5);
            Cluster.await("five lease rounds while paused", Duration.ofSeconds(10), () -> worker.rounds() >= rounds + 5);
            assertThat(log.all).hasSize(200);
            assertThat(worker.heldShards()).hasSize(1);
            worker.resume();
            Cluster.await("240 records after resume", Duration.ofSeconds(30), () -> log.all.size() >= 240);
            assertThat(log.reorders()).isZero();
        } finally {
            later.shutdownNow();
        }
    }
}
