package dev.shardline.examples.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardline.examples.replay.LeaseCheckpoints.Checkpoint;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

@Timeout(10)
class ReplayPlanTest {
    private static final List<Shard> SHARDS = List.of(
            shard("s0", null, "100"), shard("s1", null, "200"),
            shard("s2", "s0", "300"), shard("s3", "s0", "400"), shard("s4", null, "500"));

    private static Shard shard(String id, String parent, String firstSequence) {
        return Shard.builder().shardId(id).parentShardId(parent)
                .sequenceNumberRange(r -> r.startingSequenceNumber(firstSequence)).build();
    }

    @Test
    void checkpointsSentinelsAndMissingLeases() {
        ReplayPlan plan = ReplayPlan.fromCheckpoints(SHARDS, Map.of(
                "s0", new Checkpoint("SHARD_END", 0),
                "s1", new Checkpoint("250", 3),
                "s3", new Checkpoint("AT_TIMESTAMP", 0),
                "s4", new Checkpoint("499", 0)));
        assertThat(plan.start("s0")).isNull(); // done: its children are next
        StartPosition s1 = plan.start("s1");
        assertThat(s1.type()).isEqualTo(ShardIteratorType.AT_SEQUENCE_NUMBER);
        assertThat(s1.sequenceNumber()).isEqualTo("250");
        assertThat(s1.skips("250", 3)).isTrue();
        assertThat(s1.skips("249", 9)).isTrue();
        assertThat(s1.skips("250", 4)).isFalse();
        assertThat(s1.skips("251", 0)).isFalse();
        assertThat(plan.start("s2").type()).isEqualTo(ShardIteratorType.TRIM_HORIZON); // child without a lease yet
        assertThat(plan.start("s3").type()).isEqualTo(ShardIteratorType.TRIM_HORIZON);
        assertThat(plan.start("s4").type()).isEqualTo(ShardIteratorType.TRIM_HORIZON); // older than the shard
        assertThat(plan.warnings()).hasSize(2)
                .anySatisfy(w -> assertThat(w).contains("s3").contains("AT_TIMESTAMP").contains("TRIM_HORIZON"))
                .anySatisfy(w -> assertThat(w).contains("s4").contains("older"));
    }

    @Test
    void aRootShardWithoutALeaseWarns() {
        ReplayPlan plan = ReplayPlan.fromCheckpoints(SHARDS, Map.of("s0", new Checkpoint("LATEST", 0)));
        assertThat(plan.start("s0").type()).isEqualTo(ShardIteratorType.LATEST);
        assertThat(plan.warnings()).anySatisfy(w -> assertThat(w).contains("s0").contains("LATEST"))
                .anySatisfy(w -> assertThat(w).contains("s1").contains("no checkpoint"))
                .noneSatisfy(w -> assertThat(w).contains("s2"));
    }

    @Test
    void afterSequenceNamesSomeShards() {
        ReplayPlan plan = ReplayPlan.afterSequences(SHARDS, Map.of("s1", "205"));
        StartPosition s1 = plan.start("s1");
        assertThat(s1.skips("205", Long.MAX_VALUE)).isTrue();
        assertThat(s1.skips("206", 0)).isFalse();
        assertThat(plan.start("s0").type()).isEqualTo(ShardIteratorType.TRIM_HORIZON);
        assertThat(plan.start("s0").skips("1", 0)).isFalse();
        assertThatThrownBy(() -> ReplayPlan.afterSequences(SHARDS, Map.of("s9", "1")))
                .hasMessageContaining("s9").hasMessageContaining("s0, s1");
    }

    @Test
    void timestampAndTrimHorizonApplyToEveryShard() {
        Instant t = Instant.parse("2026-11-23T18:00:00Z");
        ReplayPlan plan = ReplayPlan.atTimestamp(SHARDS, t);
        GetShardIteratorRequest request = plan.start("s3").applyTo(GetShardIteratorRequest.builder()).build();
        assertThat(request.shardIteratorType()).isEqualTo(ShardIteratorType.AT_TIMESTAMP);
        assertThat(request.timestamp()).isEqualTo(t);
        assertThat(ReplayPlan.trimHorizon(SHARDS).start("s4").type()).isEqualTo(ShardIteratorType.TRIM_HORIZON);
        assertThat(ReplayPlan.trimHorizon(SHARDS).warnings()).isEmpty();
    }

    @Test
    void sequenceNumbersAreValidated() {
        assertThatThrownBy(() -> StartPosition.afterSequence("12a")).hasMessageContaining("decimal");
        assertThatThrownBy(() -> StartPosition.afterSequence("")).hasMessageContaining("decimal");
        assertThat(LeaseCheckpoints.shardId("123:stream:1:shardId-000000000002")).isEqualTo("shardId-000000000002");
        assertThat(LeaseCheckpoints.shardId("shardId-000000000002")).isEqualTo("shardId-000000000002");
    }
}
