package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;

/** One application over several streams: KCL's multi-stream lease keys, failover, streams added and removed. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(150)
class MultiStreamConsumerTest {
    private Cluster cluster;

    @BeforeAll
    void up() {
        cluster = new Cluster();
    }

    @AfterAll
    void down() {
        cluster.close();
    }

    /** Puts "prefix-k:n" for keys 0..keys-1 and n in from..from+perKey-1, in order per key. */
    private void put(String stream, String prefix, int keys, int from, int perKey) {
        for (int n = from; n < from + perKey; n++) {
            List<PutRecordsRequestEntry> batch = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                batch.add(PutRecordsRequestEntry.builder().partitionKey(prefix + "-" + k)
                        .data(SdkBytes.fromUtf8String(prefix + "-" + k + ":" + n)).build());
            }
            cluster.putAll(stream, batch);
        }
    }

    private static long owned(LeaseTable table, String owner) {
        try {
            return table.listLeases().join().stream().filter(l -> l.isOwnedBy(owner)).count();
        } catch (RuntimeException tableNotYetCreated) {
            return 0;
        }
    }

    private static long seen(Recorder r, String stream) {
        return r.seen.stream().filter(s -> stream.equals(s.stream())).count();
    }

    @Test
    void twoStreamsTwoWorkersOneKilledTheOtherResumesBothStreamsFromTheCheckpoints() throws Exception {
        Recorder recorder = new Recorder();
        String a = Cluster.unique("ms-a");
        String b = Cluster.unique("ms-b");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(a, 3);
        cluster.kinesis.createStream(b, 2);
        put(a, "a", 10, 0, 3);
        put(b, "b", 10, 0, 3);
        LeaseTable table = LeaseTable.builder(cluster.dynamoClient).applicationName(app).workerId("observer").build();
        try (ChildWorker victim = ChildWorker.start(cluster, app, a + "," + b, "victim")) {
            Cluster.await("victim holds all 5 leases", Duration.ofSeconds(60), () -> owned(table, "victim") == 5);
            List<Lease> leases = table.listLeases().join();
            String account = cluster.kinesis.account();
            assertThat(leases).allSatisfy(l -> {
                assertThat(l.leaseKey()).matches(account + ":(" + a + "|" + b + "):\\d+:shardId-\\d{12}");
                assertThat(l.streamIdentifier()).hasValue(StreamRef.identifierOf(l.leaseKey()));
                assertThat(l.leaseKey()).endsWith(":" + l.shardId());
            });

            KinesisConsumer survivor = cluster.start(cluster.config(app, null, "survivor", recorder)
                    .streams(a, b).balanceByLoad(false).build());
            Cluster.await("a split between the two workers", Duration.ofSeconds(30),
                    () -> survivor.heldShards().size() >= 2 && owned(table, "victim") >= 2);
            Set<String> victimLeases = table.listLeases().join().stream().filter(l -> l.isOwnedBy("victim"))
                    .map(Lease::leaseKey).collect(Collectors.toSet());
            Cluster.await("victim checkpoints", Duration.ofSeconds(30), () -> table.listLeases().join().stream()
                    .filter(l -> victimLeases.contains(l.leaseKey())).noneMatch(l -> l.checkpoint().isSentinel()));

            victim.kill();
            Cluster.await("survivor holds all 5", Duration.ofSeconds(15), () -> survivor.heldShards().size() == 5);
            assertThat(survivor.heldShards()).containsExactlyInAnyOrderElementsOf(
                    leases.stream().map(Lease::leaseKey).toList());
        }
        put(a, "a", 10, 3, 2);
        put(b, "b", 10, 3, 2);
        // Every key of both streams reaches 4 at the survivor, in order.
        Cluster.await("records :3 and :4 of 20 keys", Duration.ofSeconds(30), () -> recorder.seen.stream()
                .filter(s -> s.data().endsWith(":3") || s.data().endsWith(":4")).map(Recorder.Seen::data)
                .distinct().count() == 40);
        assertThat(recorder.seen).extracting(Recorder.Seen::stream).containsOnly(a, b);
        recorder.byKey.forEach((key, values) -> {
            List<Integer> ns = values.stream().map(v -> Integer.parseInt(v.substring(v.indexOf(':') + 1))).toList();
            for (int i = 1; i < ns.size(); i++) {
                assertThat(ns.get(i)).as("order of %s: %s", key, ns).isGreaterThanOrEqualTo(ns.get(i - 1));
            }
            assertThat(ns.get(ns.size() - 1)).as("last of %s", key).isEqualTo(4);
        });
    }

    @Test
    void streamsAddedAndRemovedAtRunTimeStartAtTheirPositionAndTheRemovedOnesLeasesAreDeleted() {
        String a = Cluster.unique("add-a");
        String b = Cluster.unique("add-b");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(a, 2);
        cluster.kinesis.createStream(b, 2);
        put(a, "a", 5, 0, 2);
        put(b, "b", 5, 0, 2);
        Cluster.sleep(20); // AT_TIMESTAMP has millisecond resolution: b's old records are strictly before
        Instant bFrom = Instant.now();
        Cluster.sleep(20);
        put(b, "b", 5, 2, 1);

        AtomicReference<List<StreamSpec>> wanted = new AtomicReference<>(List.of(StreamSpec.of(a)));
        Recorder recorder = new Recorder();
        KinesisConsumer worker = cluster.start(cluster.config(app, null, "w1", recorder)
                .streamsSupplier(wanted::get).streamsPollInterval(Duration.ofMillis(200))
                .removedStreamLeaseDeletionDelay(Duration.ofSeconds(1)).build());
        Cluster.await("stream a's 10 records", Duration.ofSeconds(30), () -> seen(recorder, a) == 10);
        assertThat(seen(recorder, b)).isZero();

        // b joins with its own initial position: only what arrived from bFrom on.
        wanted.set(List.of(StreamSpec.of(a), StreamSpec.of(b).initialPosition(InitialPosition.atTimestamp(bFrom))));
        Cluster.await("stream b's records after its start time", Duration.ofSeconds(30), () -> seen(recorder, b) == 5);
        assertThat(recorder.seen.stream().filter(s -> b.equals(s.stream())).map(Recorder.Seen::data))
                .allMatch(d -> d.endsWith(":2"));
        assertThat(worker.heldShards()).hasSize(4);

        // a leaves: its processors shut down (and checkpoint), then its leases are deleted; b goes on.
        wanted.set(List.of(StreamSpec.of(b)));
        LeaseTable table = LeaseTable.builder(cluster.dynamoClient).applicationName(app).workerId("observer").build();
        Cluster.await("a's leases deleted", Duration.ofSeconds(30), () -> table.listLeases().join().stream()
                .noneMatch(l -> l.leaseKey().contains(":" + a + ":")));
        assertThat(worker.heldShards()).hasSize(2).allMatch(k -> k.contains(":" + b + ":"));
        assertThat(table.listLeases().join()).hasSize(2);
        put(a, "a", 5, 2, 1);
        put(b, "b", 5, 3, 1);
        Cluster.await("b's newest records", Duration.ofSeconds(30), () -> seen(recorder, b) == 10);
        assertThat(seen(recorder, a)).as("records of the removed stream").isEqualTo(10);
    }
}
