package dev.shardline.checkpoint;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An immutable snapshot of one lease item, as read from or written to the lease table. Attribute names are KCL's,
 * so tables move between KCL and Shardline with their checkpoints.
 *
 * <p>A snapshot says nothing about liveness: a lease is expired only when this worker has seen its
 * {@link #counter()} (or its owner's heartbeat) unchanged for the failover time on its own monotonic clock
 * (see {@link ExpiryTracker}).
 */
public final class Lease {
    private final String leaseKey;
    private final String owner;
    private final long counter;
    private final ExtendedSequenceNumber checkpoint;
    private final ExtendedSequenceNumber pendingCheckpoint;
    private final byte[] pendingCheckpointState;
    private final long ownerSwitchesSinceCheckpoint;
    private final Set<String> parentShardIds;
    private final Set<String> childShardIds;
    private final BigInteger startingHashKey;
    private final BigInteger endingHashKey;
    private final String checkpointOwner;
    private final Double throughputKBps;
    private final String streamIdentifier;
    private final String shardId;
    private final Double recordsPerSecond;
    private final Long millisBehindLatest;

    private Lease(Builder b) {
        if (b.leaseKey == null || b.leaseKey.isEmpty()) {
            throw new IllegalArgumentException("leaseKey must not be empty");
        }
        if (b.counter < 0) {
            throw new IllegalArgumentException("leaseCounter must be >= 0, was " + b.counter);
        }
        if ((b.startingHashKey == null) != (b.endingHashKey == null)) {
            throw new IllegalArgumentException("startingHashKey and endingHashKey must be both set or both absent");
        }
        this.leaseKey = b.leaseKey;
        this.owner = b.owner;
        this.counter = b.counter;
        this.checkpoint = Objects.requireNonNull(b.checkpoint, "checkpoint");
        this.pendingCheckpoint = b.pendingCheckpoint;
        this.pendingCheckpointState = b.pendingCheckpointState == null ? null : b.pendingCheckpointState.clone();
        this.ownerSwitchesSinceCheckpoint = b.ownerSwitchesSinceCheckpoint;
        this.parentShardIds = Collections.unmodifiableSet(new LinkedHashSet<>(b.parentShardIds));
        this.childShardIds = Collections.unmodifiableSet(new LinkedHashSet<>(b.childShardIds));
        this.startingHashKey = b.startingHashKey;
        this.endingHashKey = b.endingHashKey;
        this.checkpointOwner = b.checkpointOwner;
        this.throughputKBps = b.throughputKBps;
        this.streamIdentifier = b.streamIdentifier;
        this.shardId = b.shardId;
        this.recordsPerSecond = b.recordsPerSecond;
        this.millisBehindLatest = b.millisBehindLatest;
    }

    /** A builder for a new lease on {@code leaseKey} (the shard id), unowned, counter 0, at TRIM_HORIZON. */
    public static Builder builder(String leaseKey) {
        return new Builder(leaseKey);
    }

    /** A builder holding this snapshot's values. */
    public Builder toBuilder() {
        Builder b = new Builder(leaseKey);
        b.owner = owner;
        b.counter = counter;
        b.checkpoint = checkpoint;
        b.pendingCheckpoint = pendingCheckpoint;
        b.pendingCheckpointState = pendingCheckpointState;
        b.ownerSwitchesSinceCheckpoint = ownerSwitchesSinceCheckpoint;
        b.parentShardIds = new LinkedHashSet<>(parentShardIds);
        b.childShardIds = new LinkedHashSet<>(childShardIds);
        b.startingHashKey = startingHashKey;
        b.endingHashKey = endingHashKey;
        b.checkpointOwner = checkpointOwner;
        b.throughputKBps = throughputKBps;
        b.streamIdentifier = streamIdentifier;
        b.shardId = shardId;
        b.recordsPerSecond = recordsPerSecond;
        b.millisBehindLatest = millisBehindLatest;
        return b;
    }

    /**
     * {@code leaseKey}: the shard id, or for a multi-stream application KCL's
     * {@code account:streamName:creationEpoch:shardId}.
     */
    public String leaseKey() {
        return leaseKey;
    }

    /** {@code leaseOwner}: the worker id holding the lease, empty when unowned. */
    public Optional<String> owner() {
        return Optional.ofNullable(owner);
    }

    /** True when {@code workerId} is the owner. */
    public boolean isOwnedBy(String workerId) {
        return owner != null && owner.equals(workerId);
    }

    /** {@code leaseCounter}: incremented by every take, renew, release, eviction and handoff; never decreases. */
    public long counter() {
        return counter;
    }

    /** {@code checkpoint} + {@code checkpointSubSequenceNumber}: how far the shard has been processed. */
    public ExtendedSequenceNumber checkpoint() {
        return checkpoint;
    }

    /** {@code pendingCheckpoint} + {@code pendingCheckpointSubSequenceNumber}: a prepared, uncommitted checkpoint. */
    public Optional<ExtendedSequenceNumber> pendingCheckpoint() {
        return Optional.ofNullable(pendingCheckpoint);
    }

    /** {@code pendingCheckpointState}: application state saved with the pending checkpoint (a copy). */
    public Optional<byte[]> pendingCheckpointState() {
        return Optional.ofNullable(pendingCheckpointState).map(byte[]::clone);
    }

    /** {@code ownerSwitchesSinceCheckpoint}: takes by another worker since the last checkpoint. */
    public long ownerSwitchesSinceCheckpoint() {
        return ownerSwitchesSinceCheckpoint;
    }

    /** {@code parentShardId} (a string set): the parent shard(s): one after a split, two after a merge. */
    public Set<String> parentShardIds() {
        return parentShardIds;
    }

    /** {@code childShardIds}: the children, known once the shard has ended. */
    public Set<String> childShardIds() {
        return childShardIds;
    }

    /** {@code startingHashKey}, when recorded. */
    public Optional<BigInteger> startingHashKey() {
        return Optional.ofNullable(startingHashKey);
    }

    /** {@code endingHashKey}, when recorded. */
    public Optional<BigInteger> endingHashKey() {
        return Optional.ofNullable(endingHashKey);
    }

    /**
     * {@code checkpointOwner}: during a graceful handoff, the previous owner that may still write a final
     * checkpoint; the next owner ({@link #owner()}) starts once it is gone (or after a timeout).
     */
    public Optional<String> checkpointOwner() {
        return Optional.ofNullable(checkpointOwner);
    }

    /** True while a graceful handoff is in progress. */
    public boolean isInHandoff() {
        return checkpointOwner != null;
    }

    /** {@code throughputKBps}: the shard's recent throughput as KCL 3.x records it, when recorded. */
    public Optional<Double> throughputKBps() {
        return Optional.ofNullable(throughputKBps);
    }

    /**
     * {@code shardlineRecordsPerSecond}: the shard's recent user records per second as its owner measured it (written
     * with {@link #throughputKBps()}; KCL ignores it), when recorded.
     */
    public Optional<Double> recordsPerSecond() {
        return Optional.ofNullable(recordsPerSecond);
    }

    /**
     * {@code shardlineMillisBehindLatest}: how far behind the tip the owner last reported the shard (written with the
     * throughput), when recorded.
     */
    public Optional<Long> millisBehindLatest() {
        return Optional.ofNullable(millisBehindLatest);
    }

    /**
     * KCL's multi-stream {@code streamName} attribute: the stream identifier {@code account:streamName:creationEpoch}
     * of a multi-stream lease; empty for a single-stream lease.
     */
    public Optional<String> streamIdentifier() {
        return Optional.ofNullable(streamIdentifier);
    }

    /** The shard id: KCL's multi-stream {@code shardId} attribute when present, else the lease key. */
    public String shardId() {
        return shardId != null ? shardId : leaseKey;
    }

    /** True when the shard has been processed to its end. */
    public boolean isFinished() {
        return checkpoint.isShardEnd();
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Lease l)) {
            return false;
        }
        return counter == l.counter && ownerSwitchesSinceCheckpoint == l.ownerSwitchesSinceCheckpoint
                && leaseKey.equals(l.leaseKey) && Objects.equals(owner, l.owner) && checkpoint.equals(l.checkpoint)
                && Objects.equals(pendingCheckpoint, l.pendingCheckpoint)
                && Arrays.equals(pendingCheckpointState, l.pendingCheckpointState)
                && parentShardIds.equals(l.parentShardIds) && childShardIds.equals(l.childShardIds)
                && Objects.equals(startingHashKey, l.startingHashKey) && Objects.equals(endingHashKey, l.endingHashKey)
                && Objects.equals(checkpointOwner, l.checkpointOwner) && Objects.equals(throughputKBps, l.throughputKBps)
                && Objects.equals(streamIdentifier, l.streamIdentifier) && Objects.equals(shardId, l.shardId)
                && Objects.equals(recordsPerSecond, l.recordsPerSecond)
                && Objects.equals(millisBehindLatest, l.millisBehindLatest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(leaseKey, owner, counter, checkpoint);
    }

    @Override
    public String toString() {
        return "Lease{" + leaseKey + ", owner=" + owner + ", counter=" + counter + ", checkpoint=" + checkpoint
                + (pendingCheckpoint != null ? ", pending=" + pendingCheckpoint : "")
                + (checkpointOwner != null ? ", checkpointOwner=" + checkpointOwner : "")
                + (parentShardIds.isEmpty() ? "" : ", parents=" + parentShardIds)
                + (childShardIds.isEmpty() ? "" : ", children=" + childShardIds) + "}";
    }

    /** Builds a {@link Lease}. Not thread-safe. */
    public static final class Builder {
        private final String leaseKey;
        private String owner;
        private long counter;
        private ExtendedSequenceNumber checkpoint = ExtendedSequenceNumber.TRIM_HORIZON;
        private ExtendedSequenceNumber pendingCheckpoint;
        private byte[] pendingCheckpointState;
        private long ownerSwitchesSinceCheckpoint;
        private Set<String> parentShardIds = new LinkedHashSet<>();
        private Set<String> childShardIds = new LinkedHashSet<>();
        private BigInteger startingHashKey;
        private BigInteger endingHashKey;
        private String checkpointOwner;
        private Double throughputKBps;
        private String streamIdentifier;
        private String shardId;
        private Double recordsPerSecond;
        private Long millisBehindLatest;

        private Builder(String leaseKey) {
            this.leaseKey = leaseKey;
        }

        /** The owner's worker id, or null for unowned. */
        public Builder owner(String owner) {
            this.owner = owner;
            return this;
        }

        /** The lease counter (default 0). */
        public Builder counter(long counter) {
            this.counter = counter;
            return this;
        }

        /** The checkpoint (default TRIM_HORIZON); use the initial position's sentinel for new leases. */
        public Builder checkpoint(ExtendedSequenceNumber checkpoint) {
            this.checkpoint = checkpoint;
            return this;
        }

        /** The pending checkpoint, or null. */
        public Builder pendingCheckpoint(ExtendedSequenceNumber pendingCheckpoint) {
            this.pendingCheckpoint = pendingCheckpoint;
            return this;
        }

        /** The application state stored with the pending checkpoint, or null (copied). */
        public Builder pendingCheckpointState(byte[] state) {
            this.pendingCheckpointState = state == null ? null : state.clone();
            return this;
        }

        /** Owner switches since the last checkpoint (default 0). */
        public Builder ownerSwitchesSinceCheckpoint(long switches) {
            this.ownerSwitchesSinceCheckpoint = switches;
            return this;
        }

        /** Parent shard ids (none, one, or two). */
        public Builder parentShardIds(Set<String> parents) {
            this.parentShardIds = new LinkedHashSet<>(parents);
            return this;
        }

        /** Child shard ids. */
        public Builder childShardIds(Set<String> children) {
            this.childShardIds = new LinkedHashSet<>(children);
            return this;
        }

        /** The shard's hash-key range (both ends inclusive), or nulls. */
        public Builder hashKeyRange(BigInteger startingHashKey, BigInteger endingHashKey) {
            this.startingHashKey = startingHashKey;
            this.endingHashKey = endingHashKey;
            return this;
        }

        /** The handing-off previous owner, or null. */
        public Builder checkpointOwner(String checkpointOwner) {
            this.checkpointOwner = checkpointOwner;
            return this;
        }

        /** Recent throughput in KB/s, or null. */
        public Builder throughputKBps(Double throughputKBps) {
            this.throughputKBps = throughputKBps;
            return this;
        }

        /** Recent user records per second, or null. */
        public Builder recordsPerSecond(Double recordsPerSecond) {
            this.recordsPerSecond = recordsPerSecond;
            return this;
        }

        /** The owner's last reported lag in milliseconds, or null. */
        public Builder millisBehindLatest(Long millisBehindLatest) {
            this.millisBehindLatest = millisBehindLatest;
            return this;
        }

        /**
         * Marks a multi-stream lease (KCL's {@code MultiStreamLease}): its stream identifier
         * ({@code account:streamName:creationEpoch}) and shard id, written as KCL's {@code streamName} and
         * {@code shardId} attributes. The lease key should be {@code streamIdentifier + ":" + shardId}.
         */
        public Builder multiStream(String streamIdentifier, String shardId) {
            this.streamIdentifier = streamIdentifier;
            this.shardId = shardId;
            return this;
        }

        /** The snapshot. */
        public Lease build() {
            return new Lease(this);
        }
    }
}
