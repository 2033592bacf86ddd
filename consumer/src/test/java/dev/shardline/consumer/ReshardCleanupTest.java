package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import java.math.BigInteger;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;

/** Three splits and three merges: afterwards the lease table holds the open shards only, every record read in order. */
@Timeout(120)
class ReshardCleanupTest {

    @Test
    void afterThreeSplitsAndThreeMergesNoFinishedLeaseIsLeftBehind() {
        try (Cluster cluster = new Cluster()) {
            String stream = Cluster.unique("cleanup");
            String app = Cluster.unique("app");
            cluster.kinesis.createStream(stream, 2);
            Recorder recorder = new Recorder();
            cluster.start(cluster.config(app, stream, "a", recorder).build());
            cluster.start(cluster.config(app, stream, "b", recorder).build());
            int keys = 16;
            int perKey = 0;
            for (int op = 0; op < 6; op++) {
                cluster.put(stream, keys, perKey, 5);
                perKey += 5;
                List<Shard> open = open(cluster, stream);
                if (op < 3) {
                    Shard s = open.get(0);
                    BigInteger mid = new BigInteger(s.hashKeyRange().startingHashKey())
                            .add(new BigInteger(s.hashKeyRange().endingHashKey())).shiftRight(1);
                    cluster.kinesisClient.splitShard(r -> r.streamName(stream).shardToSplit(s.shardId())
                            .newStartingHashKey(mid.toString())).join();
                } else {
                    cluster.kinesisClient.mergeShards(r -> r.streamName(stream).shardToMerge(open.get(0).shardId())
                            .adjacentShardToMerge(open.get(1).shardId())).join();
                }
                Cluster.await("stream ACTIVE", Duration.ofSeconds(10), () -> cluster.kinesisClient
                        .describeStreamSummary(r -> r.streamName(stream)).join().streamDescriptionSummary()
                        .streamStatusAsString().equals("ACTIVE"));
            }
            // A record into every open shard, so each child checkpoints past its start.
            cluster.put(stream, keys, perKey, 5);
            perKey += 5;
            for (Shard s : open(cluster, stream)) {
                cluster.putAll(stream, List.of(PutRecordsRequestEntry.builder().partitionKey("probe")
                        .explicitHashKey(s.hashKeyRange().startingHashKey())
                        .data(SdkBytes.fromUtf8String("probe:" + s.shardId())).build()));
            }
            int total = perKey;
            Cluster.await("every record", Duration.ofSeconds(40), () -> recorder.byKey.entrySet().stream()
                    .filter(e -> e.getKey().startsWith("key-")).mapToLong(e -> e.getValue().stream().distinct().count())
                    .sum() == (long) keys * total);
            LeaseTable table = LeaseTable.builder(cluster.dynamoClient).applicationName(app).workerId("reader").build();
            Set<String> openIds = open(cluster, stream).stream().map(Shard::shardId).collect(Collectors.toSet());
            Cluster.await("only open shards leased", Duration.ofSeconds(30), () -> table.listLeases().join().stream()
                    .map(Lease::leaseKey).collect(Collectors.toSet()).equals(openIds));
            assertThat(table.listLeases().join()).noneMatch(Lease::isFinished);
            assertThat(recorder.events("shardEnded")).extracting(Recorder.Event::shardId) // 3 split + 2 × 3 merge parents
                    .doesNotHaveDuplicates().hasSize(9);
            recorder.byKey.keySet().removeIf(k -> !k.startsWith("key-"));
            PollingConsumerTest.assertInOrderPerKey(recorder, keys, total);
        }
    }

    private static List<Shard> open(Cluster cluster, String stream) {
        return cluster.kinesisClient.listShards(r -> r.streamName(stream)).join().shards().stream()
                .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null)
                .sorted(Comparator.comparing(s -> new BigInteger(s.hashKeyRange().startingHashKey())))
                .toList();
    }
}
