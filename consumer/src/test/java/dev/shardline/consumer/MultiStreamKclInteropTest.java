package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;

/**
 * A multi-stream lease table moves between Shardline and Amazon's KCL 3.1.0 ({@code MultiStreamTracker}) both ways:
 * KCL resumes Shardline's checkpoints under the same {@code account:stream:epoch:shard} keys, creates the leases of a
 * stream Shardline never read, and Shardline then resumes every stream from KCL's checkpoints without new leases.
 */
@Timeout(240)
class MultiStreamKclInteropTest {

    /** stream -> shard -> data put, in order. */
    private final Map<String, Map<String, List<String>>> written = new HashMap<>();
    private final Map<String, Map<String, String>> lastSequence = new HashMap<>();

    private void put(Cluster cluster, String stream, String tag, int from, int to) {
        for (int n = from; n < to; n++) {
            String data = tag + "-" + n;
            PutRecordResponse r = cluster.kinesisClient.putRecord(b -> b.streamName(stream).partitionKey("key-" + data)
                    .data(SdkBytes.fromUtf8String(data))).join();
            written.computeIfAbsent(stream, k -> new TreeMap<>()).computeIfAbsent(r.shardId(), k -> new ArrayList<>())
                    .add(data);
            lastSequence.computeIfAbsent(stream, k -> new HashMap<>()).put(r.shardId(), r.sequenceNumber());
        }
    }

    private static int n(String data) {
        return Integer.parseInt(data.substring(data.lastIndexOf('-') + 1));
    }

    @Test
    void kclAndShardlineTakeOverEachOthersMultiStreamTable() throws Exception {
        try (Cluster cluster = new Cluster()) {
            String a = Cluster.unique("kms-a");
            String b = Cluster.unique("kms-b");
            String c = Cluster.unique("kms-c");
            String app = Cluster.unique("app");
            cluster.kinesis.createStream(a, 2);
            cluster.kinesis.createStream(b, 1);
            cluster.kinesis.createStream(c, 1);
            put(cluster, a, "a", 0, 10);
            put(cluster, b, "b", 0, 10);

            // 1. Shardline reads a and b, checkpoints, closes (leases released).
            Recorder first = new Recorder();
            KinesisConsumer s1 = cluster.start(cluster.config(app, null, "shardline-1", first).streams(a, b).build());
            Cluster.await("Shardline reads 20 records", Duration.ofSeconds(60), () -> first.distinctData() == 20);
            s1.close();
            LeaseTable table = LeaseTable.builder(cluster.dynamoClient).applicationName(app).workerId("observer").build();
            List<Lease> shardlineLeases = table.listLeases().join();
            assertThat(shardlineLeases).hasSize(3).allSatisfy(l -> {
                assertThat(l.streamIdentifier()).isPresent();
                assertThat(l.owner()).isEmpty();
                assertThat(l.checkpoint().isSentinel()).isFalse();
            });
            Map<String, String> shardlineCheckpoints = new HashMap<>();
            shardlineLeases.forEach(l -> shardlineCheckpoints.put(l.leaseKey(), l.checkpoint().sequenceNumber()));

            // 2. KCL (a, b and c) resumes a and b after Shardline's checkpoints and creates c's leases itself.
            put(cluster, a, "a", 10, 16);
            put(cluster, b, "b", 10, 16);
            put(cluster, c, "c", 0, 16);
            Map<String, String> ids = new HashMap<>();
            for (String s : List.of(a, b, c)) {
                StreamDescriptionSummary d = cluster.kinesisClient.describeStreamSummary(r -> r.streamName(s)).join()
                        .streamDescriptionSummary();
                ids.put(s, StreamRef.multi(s, d.streamARN(), d.streamCreationTimestamp()).identifier());
            }
            try (KclMultiStreamWorker kcl = new KclMultiStreamWorker(app, List.of(ids.get(a), ids.get(b), ids.get(c)),
                    "kcl-1", cluster.kinesisClient, cluster.dynamoClient)) {
                KclMultiStreamWorker.await(Duration.ofSeconds(150), "KCL to checkpoint the last record of every shard",
                        () -> lastSequence.entrySet().stream().allMatch(e -> e.getValue().entrySet().stream()
                                .allMatch(s -> s.getValue().equals(kcl.shard(e.getKey(), s.getKey()).lastCheckpointed))));
                for (String s : List.of(a, b)) {
                    written.get(s).forEach((shard, data) -> {
                        KclMultiStreamWorker.ShardView v = kcl.shard(s, shard);
                        assertThat(v.initialCheckpoint).as("KCL's start on %s/%s", s, shard)
                                .isEqualTo(shardlineCheckpoints.get(ids.get(s) + ":" + shard));
                        assertThat(v.data).as("KCL's records on %s/%s", s, shard)
                                .containsExactlyElementsOf(data.stream().filter(d -> n(d) >= 10).toList());
                    });
                }
                written.get(c).forEach((shard, data) -> assertThat(kcl.shard(c, shard).data).containsExactlyElementsOf(data));
            }
            List<Lease> kclLeases = table.listLeases().join();
            assertThat(kclLeases).hasSize(4);
            assertThat(kclLeases).allSatisfy(l -> {
                assertThat(l.leaseKey()).isEqualTo(l.streamIdentifier().orElseThrow() + ":" + l.shardId());
                assertThat(l.checkpoint().isSentinel()).isFalse();
            });

            // 3. Shardline resumes all three streams from KCL's checkpoints, on KCL's leases.
            put(cluster, a, "a", 16, 20);
            put(cluster, b, "b", 16, 20);
            put(cluster, c, "c", 16, 20);
            Recorder second = new Recorder();
            cluster.start(cluster.config(app, null, "shardline-2", second).streams(a, b, c).build());
            Cluster.await("Shardline reads the 12 newest records", Duration.ofSeconds(60),
                    () -> second.seen.stream().filter(r -> n(r.data()) >= 16).count() >= 12);
            assertThat(second.seen).extracting(Recorder.Seen::data).allMatch(d -> n(d) >= 16)
                    .doesNotHaveDuplicates().hasSize(12);
            assertThat(table.listLeases().join()).hasSize(4);
        }
    }
}
