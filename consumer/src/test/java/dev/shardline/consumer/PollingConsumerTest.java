package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.checkpoint.ExtendedSequenceNumber;
import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** The polling worker end to end: LocalKinesis + DynamoDB Local through the real SDK. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class PollingConsumerTest {
    private Cluster cluster;

    @BeforeAll
    void up() {
        cluster = new Cluster();
    }

    @AfterAll
    void down() {
        cluster.close();
    }

    /** Each key's values in processing order must be 0..n-1 with nothing missing and never going back. */
    static void assertInOrderPerKey(Recorder recorder, int keys, int perKey) {
        assertThat(recorder.byKey).hasSize(keys);
        recorder.byKey.forEach((key, values) -> {
            int expect = 0;
            for (String v : values) {
                int n = Integer.parseInt(v.substring(v.indexOf(':') + 1));
                assertThat(n).as("key %s skipped ahead of %s", key, expect).isLessThanOrEqualTo(expect);
                if (n == expect) {
                    expect++;
                }
            }
            assertThat(expect).as("records of %s", key).isEqualTo(perKey);
        });
    }

    @Test
    void readsEveryRecordInOrderPerKeyAndResumesFromCheckpoints() {
        String stream = Cluster.unique("poll");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 4);
        cluster.put(stream, 20, 0, 25);
        Recorder recorder = new Recorder();
        KinesisConsumer worker = cluster.start(cluster.config(app, stream, "w1", recorder).build());
        Cluster.await("500 records", Duration.ofSeconds(30), () -> recorder.count() >= 500);
        assertInOrderPerKey(recorder, 20, 25);
        assertThat(recorder.count()).isEqualTo(500);
        assertThat(worker.heldShards()).hasSize(4);
        worker.close();
        assertThat(recorder.events("shutdownRequested")).hasSize(4);

        LeaseTable table = LeaseTable.builder(cluster.dynamoClient).applicationName(app).workerId("reader").build();
        List<Lease> leases = table.listLeases().join();
        assertThat(leases).hasSize(4).allSatisfy(l -> {
            assertThat(l.checkpoint().isSentinel()).as("checkpoint of %s", l.leaseKey()).isFalse();
            assertThat(l.owner()).as("released %s", l.leaseKey()).isEmpty();
        });

        // A new worker starts after the checkpoints: only the new records arrive, no repeats.
        cluster.put(stream, 20, 25, 5);
        Recorder second = new Recorder();
        cluster.start(cluster.config(app, stream, "w2", second).build());
        Cluster.await("100 new records", Duration.ofSeconds(30), () -> second.count() >= 100);
        Cluster.sleep(500);
        assertThat(second.count()).isEqualTo(100);
        second.byKey.forEach((k, v) -> assertThat(v).hasSize(5).allSatisfy(d ->
                assertThat(Integer.parseInt(d.substring(d.indexOf(':') + 1))).isBetween(25, 29)));
    }

    @Test
    void failingBatchIsRetriedThenLeaseReleasedAndNothingSkipped() {
        String stream = Cluster.unique("fail");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 1);
        cluster.put(stream, 5, 0, 10);
        Recorder recorder = new Recorder();
        // 2 retries: the first batch fails 3 times in a row -> processor shut down, lease released, then retaken.
        recorder.failuresToInject.set(3);
        cluster.start(cluster.config(app, stream, "w1", recorder).processingRetries(2).build());
        Cluster.await("50 records", Duration.ofSeconds(30), () -> recorder.count() >= 50);
        assertThat(recorder.events("failure")).hasSize(3);
        assertThat(recorder.events("leaseLost")).hasSize(1);
        assertThat(recorder.events("initialize")).hasSizeGreaterThanOrEqualTo(2);
        assertInOrderPerKey(recorder, 5, 10);
        assertThat(recorder.count()).isEqualTo(50);
    }

    @Test
    void aReaderThatHearsNothingFromKinesisIsRestartedAfterTheLastDeliveredRecord() {
        String stream = Cluster.unique("stuck");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 1);
        cluster.put(stream, 4, 0, 5);
        Recorder recorder = new Recorder();
        io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        cluster.start(cluster.config(app, stream, "w1", recorder).meterRegistry(registry)
                .stuckShardTimeout(Duration.ofSeconds(1)).build());
        Cluster.await("20 records", Duration.ofSeconds(20), () -> recorder.count() == 20);
        // The next GetRecords of this stream gets no answer for a minute (the SDK would wait out its read timeout).
        var hang = cluster.kinesis.faults().inject(dev.shardline.local.Fault.latency(Duration.ofSeconds(60))
                .operation("GetRecords").stream(stream).nextCalls(1));
        Cluster.await("a read hangs", Duration.ofSeconds(10), () -> hang.hits() == 1);
        cluster.put(stream, 4, 5, 5);
        Cluster.await("the records after the hang", Duration.ofSeconds(15), () -> recorder.distinctData() == 40);
        assertThat(registry.counter("shardline.consumer.shard.restarts", "application", app, "worker", "w1").count())
                .isGreaterThanOrEqualTo(1);
        assertThat(recorder.count()).as("restarted after the last delivered record: nothing twice").isEqualTo(40);
        assertInOrderPerKey(recorder, 4, 10);
    }

    @Test
    void threeWorkersOnTwelveShardsSettleAtFourEachAndStay() {
        String stream = Cluster.unique("bal");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 12);
        Recorder recorder = new Recorder();
        List<KinesisConsumer> workers = new ArrayList<>();
        for (String w : List.of("a", "b", "c")) {
            workers.add(cluster.start(cluster.config(app, stream, w, recorder).build()));
        }
        long[] roundsAtStart = workers.stream().mapToLong(KinesisConsumer::rounds).toArray();
        Cluster.await("4/4/4", Duration.ofSeconds(20), () -> workers.stream().allMatch(w -> w.heldShards().size() == 4));
        long rounds = 0;
        for (int i = 0; i < 3; i++) {
            rounds = Math.max(rounds, workers.get(i).rounds() - roundsAtStart[i]);
        }
        // Every worker settles within a bounded number of lease rounds of the last one starting: the first round
        // creates the leases (each worker its slice among the workers it sees live, so one that starts first may
        // create more), the next rounds move the surplus by handoff (ask, hand over, take), plus one in flight.
        assertThat(rounds).as("rounds to settle").isLessThanOrEqualTo(6);
        Map<String, Set<String>> settled = new HashMap<>();
        workers.forEach(w -> settled.put(w.workerId(), w.heldShards()));
        assertThat(settled.values().stream().flatMap(Set::stream).distinct().count()).isEqualTo(12);
        long target = workers.get(0).rounds() + 5;
        Cluster.await("five more rounds", Duration.ofSeconds(20), () -> workers.stream().allMatch(w -> w.rounds() >= target));
        workers.forEach(w -> assertThat(w.heldShards()).isEqualTo(settled.get(w.workerId())));
    }

    @Test
    void closeHandsLeasesToTheOtherWorkerWithinASecond() {
        assertCloseHandsLeasesOver(cluster, "handoff", cluster::config);
    }

    /** Makes the configuration of one worker of a test application. */
    interface Configs {
        ConsumerConfig.Builder config(String app, String stream, String worker, Recorder recorder);
    }

    /**
     * The handoff both retrieval modes must pass: two workers share 4 shards; one closes; the other initializes the
     * shards it let go within a second of close(), and resumes after its checkpoints (new records only, in order).
     */
    static void assertCloseHandsLeasesOver(Cluster cluster, String streamPrefix, Configs configs) {
        String stream = Cluster.unique(streamPrefix);
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 4);
        Recorder recorder = new Recorder();
        KinesisConsumer a = cluster.start(configs.config(app, stream, "a", recorder).build());
        KinesisConsumer b = cluster.start(configs.config(app, stream, "b", recorder).build());
        Cluster.await("2/2", Duration.ofSeconds(20), () -> a.heldShards().size() == 2 && b.heldShards().size() == 2);
        cluster.put(stream, 8, 0, 5);
        Cluster.await("40 records", Duration.ofSeconds(20), () -> recorder.count() >= 40);
        Set<String> fromA = a.heldShards();
        long closing = System.nanoTime();
        a.close();
        Cluster.await("b holds all", Duration.ofSeconds(10), () -> b.heldShards().containsAll(fromA));
        Cluster.await("b initialized them", Duration.ofSeconds(10), () -> recorder.events("initialize").stream()
                .filter(e -> e.worker().equals("b") && fromA.contains(e.shardId()) && e.atNanos() > closing).count() == 2);
        long latest = recorder.events("initialize").stream()
                .filter(e -> e.worker().equals("b") && fromA.contains(e.shardId()) && e.atNanos() > closing)
                .mapToLong(Recorder.Event::atNanos).max().orElseThrow();
        assertThat(Duration.ofNanos(latest - closing)).isLessThan(Duration.ofSeconds(1));
        // Resumed from a's checkpoints: new records only, no repeats.
        cluster.put(stream, 8, 5, 5);
        Cluster.await("80 records", Duration.ofSeconds(20), () -> recorder.distinctData() == 80);
        Cluster.sleep(300);
        assertThat(recorder.count()).isEqualTo(80);
        assertInOrderPerKey(recorder, 8, 10);
    }

    @Test
    void splitAndMergeUnderLoadKeepEveryRecordAndPerKeyOrder() throws Exception {
        String stream = Cluster.unique("reshard");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 2);
        Recorder recorder = new Recorder();
        cluster.start(cluster.config(app, stream, "a", recorder).build());
        cluster.start(cluster.config(app, stream, "b", recorder).build());
        int keys = 16;
        Thread producer = new Thread(() -> cluster.put(stream, keys, 0, 60));
        producer.start();
        Cluster.sleep(300);
        List<software.amazon.awssdk.services.kinesis.model.Shard> shards = cluster.kinesisClient
                .listShards(r -> r.streamName(stream)).join().shards();
        var s0 = shards.get(0);
        java.math.BigInteger mid = new java.math.BigInteger(s0.hashKeyRange().startingHashKey())
                .add(new java.math.BigInteger(s0.hashKeyRange().endingHashKey())).shiftRight(1);
        cluster.kinesisClient.splitShard(r -> r.streamName(stream).shardToSplit(s0.shardId())
                .newStartingHashKey(mid.toString())).join();
        awaitActive(stream);
        Cluster.sleep(300);
        // Merge the two children of the split back together.
        List<software.amazon.awssdk.services.kinesis.model.Shard> open = cluster.kinesisClient
                .listShards(r -> r.streamName(stream)).join().shards().stream()
                .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null)
                .filter(s -> s0.shardId().equals(s.parentShardId())).toList();
        assertThat(open).hasSize(2);
        cluster.kinesisClient.mergeShards(r -> r.streamName(stream).shardToMerge(open.get(0).shardId())
                .adjacentShardToMerge(open.get(1).shardId())).join();
        awaitActive(stream);
        producer.join();
        Cluster.await("all records", Duration.ofSeconds(40), () -> {
            Set<String> distinct = new HashSet<>();
            recorder.seen.forEach(s -> distinct.add(s.data()));
            return distinct.size() == keys * 60;
        });
        assertInOrderPerKey(recorder, keys, 60);
        // The split parent and both merged children end (each once).
        Cluster.await("three shard ends", Duration.ofSeconds(20), () -> recorder.events("shardEnded").size() >= 3);
        Cluster.sleep(200);
        assertThat(recorder.events("shardEnded")).extracting(Recorder.Event::shardId).doesNotHaveDuplicates()
                .hasSize(3);
    }

    private void awaitActive(String stream) {
        Cluster.await("stream ACTIVE", Duration.ofSeconds(10), () -> cluster.kinesisClient
                .describeStreamSummary(r -> r.streamName(stream)).join().streamDescriptionSummary()
                .streamStatusAsString().equals("ACTIVE"));
    }
}
