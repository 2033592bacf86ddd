package dev.shardline.examples.replay;

import dev.shardline.examples.replay.LeaseCheckpoints.Checkpoint;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Where replay starts each shard of the stream. A shard maps to a {@link StartPosition}, or to nothing when it
 * needs no reading (its checkpoint is SHARD_END). Children wait for their parents (see {@link ShardWalker}); a
 * child inherits no position from its parent, it has its own (its checkpoint, the timestamp, or the trim
 * horizon). Pure: computed from the shard list and the choice of start, with the warnings to print.
 */
final class ReplayPlan {
    private final Map<String, Shard> shards;
    private final Map<String, StartPosition> starts = new HashMap<>();
    private final List<String> warnings = new ArrayList<>();

    private ReplayPlan(List<Shard> shards) {
        this.shards = new LinkedHashMap<>();
        for (Shard shard : shards) {
            this.shards.put(shard.shardId(), shard);
        }
    }

    static ReplayPlan trimHorizon(List<Shard> shards) {
        ReplayPlan plan = new ReplayPlan(shards);
        plan.shards.keySet().forEach(id -> plan.starts.put(id, StartPosition.trimHorizon()));
        return plan;
    }

    static ReplayPlan atTimestamp(List<Shard> shards, Instant timestamp) {
        ReplayPlan plan = new ReplayPlan(shards);
        plan.shards.keySet().forEach(id -> plan.starts.put(id, StartPosition.atTimestamp(timestamp)));
        return plan;
    }

    /** Named shards start after their sequence number; the others at the trim horizon. */
    static ReplayPlan afterSequences(List<Shard> shards, Map<String, String> afterSequence) {
        ReplayPlan plan = new ReplayPlan(shards);
        for (String shardId : afterSequence.keySet()) {
            if (!plan.shards.containsKey(shardId)) {
                throw new IllegalArgumentException("--after-sequence names shard '" + shardId
                        + "', which the stream does not have (it has " + String.join(", ", plan.shards.keySet()) + ")");
            }
        }
        for (String id : plan.shards.keySet()) {
            String seq = afterSequence.get(id);
            plan.starts.put(id, seq != null ? StartPosition.afterSequence(seq) : StartPosition.trimHorizon());
        }
        return plan;
    }

    /**
     * Each shard starts after its checkpoint. Sentinels start where they say (AT_TIMESTAMP has no stored time,
     * so it starts at the trim horizon), with a warning; SHARD_END needs no reading; a shard without a lease
     * starts at the trim horizon, with a warning unless its parent is in the stream (then it is simply next).
     */
    static ReplayPlan fromCheckpoints(List<Shard> shards, Map<String, Checkpoint> checkpoints) {
        ReplayPlan plan = new ReplayPlan(shards);
        for (Shard shard : plan.shards.values()) {
            String id = shard.shardId();
            Checkpoint checkpoint = checkpoints.get(id);
            if (checkpoint == null) {
                if (!plan.hasParentInStream(shard)) {
                    plan.warnings.add("shard " + id + " has no checkpoint: starting at TRIM_HORIZON");
                }
                plan.starts.put(id, StartPosition.trimHorizon());
                continue;
            }
            switch (checkpoint.sequenceNumber()) {
                case "SHARD_END" -> { } // fully processed: its children are next
                case "LATEST" -> {
                    plan.warnings.add("shard " + id + " is checkpointed at LATEST: starting at LATEST");
                    plan.starts.put(id, StartPosition.latest());
                }
                case "TRIM_HORIZON" -> {
                    plan.warnings.add("shard " + id + " is checkpointed at TRIM_HORIZON: starting at TRIM_HORIZON");
                    plan.starts.put(id, StartPosition.trimHorizon());
                }
                case "AT_TIMESTAMP" -> {
                    plan.warnings.add("shard " + id + " is checkpointed at AT_TIMESTAMP with no stored time:"
                            + " starting at TRIM_HORIZON");
                    plan.starts.put(id, StartPosition.trimHorizon());
                }
                default -> {
                    if (checkpoint.isSentinel()) {
                        plan.warnings.add("shard " + id + " has an unknown checkpoint '" + checkpoint.sequenceNumber()
                                + "': starting at TRIM_HORIZON");
                        plan.starts.put(id, StartPosition.trimHorizon());
                    } else if (olderThanShard(shard, checkpoint.sequenceNumber())) {
                        plan.warnings.add("shard " + id + " is checkpointed at " + checkpoint.sequenceNumber()
                                + ", older than the shard's first record: starting at TRIM_HORIZON");
                        plan.starts.put(id, StartPosition.trimHorizon());
                    } else {
                        plan.starts.put(id, StartPosition.afterCheckpoint(checkpoint.sequenceNumber(),
                                checkpoint.subSequenceNumber()));
                    }
                }
            }
        }
        return plan;
    }

    private static boolean olderThanShard(Shard shard, String sequenceNumber) {
        if (shard.sequenceNumberRange() == null || shard.sequenceNumberRange().startingSequenceNumber() == null) {
            return false;
        }
        return new BigInteger(sequenceNumber)
                .compareTo(new BigInteger(shard.sequenceNumberRange().startingSequenceNumber())) < 0;
    }

    private boolean hasParentInStream(Shard shard) {
        return (shard.parentShardId() != null && shards.containsKey(shard.parentShardId()))
                || (shard.adjacentParentShardId() != null && shards.containsKey(shard.adjacentParentShardId()));
    }

    Map<String, Shard> shards() {
        return Collections.unmodifiableMap(shards);
    }

    /** Where the shard starts, or null when it needs no reading. */
    StartPosition start(String shardId) {
        return starts.get(shardId);
    }

    List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }
}
