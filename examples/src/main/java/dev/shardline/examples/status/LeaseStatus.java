package dev.shardline.examples.status;

import java.util.Set;

/**
 * One lease of the application as {@code shardline status} sees it.
 *
 * @param leaseKey           the lease table key (the shard id, or {@code account:stream:epoch:shardId})
 * @param stream             the stream, or null when nothing stored says which
 * @param ownerAlive         whether the owner's heartbeat is younger than its failover time; null when there is no
 *                           owner or its liveness cannot be told (no heartbeat table)
 * @param checkpoint         the checkpoint: a sequence number or TRIM_HORIZON, LATEST, AT_TIMESTAMP, SHARD_END
 * @param millisBehindLatest Kinesis's MillisBehindLatest read just after the checkpoint; null when not measured
 * @param reportedMillisBehindLatest how far behind its owner last reported reading it (stored on the lease); else null
 * @param checkpointOwner    during a graceful handoff, the previous owner still finishing; else null
 * @param recordsPerSecond   records/s processed recently, when known (else null)
 * @param bytesPerSecond     bytes/s processed recently, when known (else null)
 */
public record LeaseStatus(String leaseKey, String stream, String shardId, ShardState state, String owner,
                          Boolean ownerAlive, String checkpoint, long checkpointSubSequenceNumber,
                          Long millisBehindLatest, Long reportedMillisBehindLatest, Set<String> parentShardIds,
                          Set<String> childShardIds,
                          String checkpointOwner, Double recordsPerSecond, Double bytesPerSecond) {
    public LeaseStatus {
        parentShardIds = Set.copyOf(parentShardIds);
        childShardIds = Set.copyOf(childShardIds);
    }

    /** True when this lease should be read and no live worker holds it: what makes {@code status} exit 3. */
    public boolean unattended() {
        return state.needsOwner() && (owner == null || Boolean.FALSE.equals(ownerAlive));
    }
}
