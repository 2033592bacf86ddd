package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.checkpoint.ExtendedSequenceNumber;
import dev.shardline.checkpoint.Lease;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.kinesis.model.HashKeyRange;
import software.amazon.awssdk.services.kinesis.model.SequenceNumberRange;
import software.amazon.awssdk.services.kinesis.model.Shard;

@Timeout(10)
class ShardDiscoveryTest {
    private static Shard shard(String id, String parent, String adjacent, boolean closed) {
        return Shard.builder().shardId(id).parentShardId(parent).adjacentParentShardId(adjacent)
                .hashKeyRange(HashKeyRange.builder().startingHashKey("0").endingHashKey("100").build())
                .sequenceNumberRange(SequenceNumberRange.builder().startingSequenceNumber("1")
                        .endingSequenceNumber(closed ? "9" : null).build())
                .build();
    }

    /** 0 and 1 merged into 2 (closed), which split into 3 and 4 (open); 5 is an unrelated open shard. */
    private static final List<Shard> LINEAGE = List.of(
            shard("shardId-000000000000", null, null, true),
            shard("shardId-000000000001", null, null, true),
            shard("shardId-000000000002", "shardId-000000000000", "shardId-000000000001", true),
            shard("shardId-000000000003", "shardId-000000000002", null, false),
            shard("shardId-000000000004", "shardId-000000000002", null, false),
            shard("shardId-000000000005", null, null, false));

    private static Map<String, ExtendedSequenceNumber> byKey(List<Lease> leases) {
        return leases.stream().collect(Collectors.toMap(Lease::leaseKey, Lease::checkpoint));
    }

    @Test
    void trimHorizonLeasesEveryAncestorAtTrimHorizon() {
        List<Lease> plan = ShardDiscovery.plan(LINEAGE, Set.of(), InitialPosition.trimHorizon());
        assertThat(byKey(plan)).hasSize(6).allSatisfy((k, v) -> assertThat(v).isEqualTo(ExtendedSequenceNumber.TRIM_HORIZON));
        Lease merged = plan.stream().filter(l -> l.leaseKey().endsWith("2")).findFirst().orElseThrow();
        assertThat(merged.parentShardIds()).containsExactly("shardId-000000000000", "shardId-000000000001");
    }

    @Test
    void latestLeasesOnlyOpenShardsWithoutLeasedAncestors() {
        Map<String, ExtendedSequenceNumber> plan = byKey(ShardDiscovery.plan(LINEAGE, Set.of(), InitialPosition.latest()));
        assertThat(plan).containsOnlyKeys("shardId-000000000003", "shardId-000000000004", "shardId-000000000005");
        assertThat(plan.values()).containsOnly(ExtendedSequenceNumber.LATEST);
    }

    @Test
    void finishedShardsWhoseLeasesWereCleanedUpAreNeverLeasedAgain() {
        // 0, 1 and 2 were finished and deleted once 3 and 4 moved on: only the open shards keep leases
        Map<String, ExtendedSequenceNumber> plan = byKey(ShardDiscovery.plan(LINEAGE,
                Set.of("shardId-000000000003", "shardId-000000000004", "shardId-000000000005"),
                InitialPosition.trimHorizon()));
        assertThat(plan).isEmpty();
        // 2 is still leased (its children wait): 0 and 1 stay gone too
        assertThat(ShardDiscovery.plan(LINEAGE, Set.of("shardId-000000000002", "shardId-000000000005"),
                InitialPosition.trimHorizon())).extracting(Lease::leaseKey)
                .containsExactlyInAnyOrder("shardId-000000000003", "shardId-000000000004");
    }

    @Test
    void childrenOfLeasedParentsStartAtTrimHorizon() {
        Map<String, ExtendedSequenceNumber> plan = byKey(ShardDiscovery.plan(LINEAGE,
                Set.of("shardId-000000000002", "shardId-000000000005"), InitialPosition.latest()));
        assertThat(plan).containsOnlyKeys("shardId-000000000003", "shardId-000000000004");
        assertThat(plan.values()).containsOnly(ExtendedSequenceNumber.TRIM_HORIZON);
    }

    @Test
    void atTimestampUsesItsSentinelAndSkipsClosedAncestors() {
        Map<String, ExtendedSequenceNumber> plan = byKey(ShardDiscovery.plan(LINEAGE, Set.of(),
                InitialPosition.atTimestamp(java.time.Instant.EPOCH)));
        assertThat(plan).containsOnlyKeys("shardId-000000000003", "shardId-000000000004", "shardId-000000000005");
        assertThat(plan.values()).containsOnly(ExtendedSequenceNumber.AT_TIMESTAMP);
    }

    @Test
    void startPositionsFollowCheckpoints() {
        assertThat(StartPosition.from(ExtendedSequenceNumber.of("42", 0), InitialPosition.latest()))
                .isEqualTo(StartPosition.after("42"));
        assertThat(StartPosition.from(ExtendedSequenceNumber.of("42", 3), InitialPosition.latest()).type().toString())
                .isEqualTo("AT_SEQUENCE_NUMBER");
        assertThat(StartPosition.from(ExtendedSequenceNumber.AT_TIMESTAMP,
                InitialPosition.atTimestamp(java.time.Instant.ofEpochSecond(7))).timestamp())
                .isEqualTo(java.time.Instant.ofEpochSecond(7));
    }

    @Test
    void slicesOfAOneLayerPlanCoverItOnceBetweenThem() {
        List<Shard> shards = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            shards.add(shard(String.format("shardId-%012d", i), null, null, false));
        }
        List<Lease> plan = ShardDiscovery.plan(shards, Set.of(), InitialPosition.latest());
        Set<String> seen = new java.util.HashSet<>();
        for (int slice = 0; slice < 4; slice++) {
            List<Lease> mine = ShardDiscovery.slice(plan, slice, 4);
            assertThat(mine.size()).as("slice %d", slice).isBetween(150, 350);
            mine.forEach(l -> assertThat(seen.add(l.leaseKey())).as(l.leaseKey()).isTrue());
        }
        assertThat(seen).hasSize(1000);
        assertThat(ShardDiscovery.slice(plan, 0, 1)).isEqualTo(plan);
    }

    @Test
    void aPlanWithLineageInsideItIsNeverSliced() {
        // a worker creating a child without the parent another worker was to create would make the child ready early
        List<Lease> plan = ShardDiscovery.plan(LINEAGE, Set.of(), InitialPosition.trimHorizon());
        for (int slice = 0; slice < 3; slice++) {
            assertThat(ShardDiscovery.slice(plan, slice, 3)).isEqualTo(plan);
        }
    }
}
