package dev.shardline.checkpoint;

import dev.shardline.aggregation.UserRecord;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Function;

/**
 * One holding of one lease by this worker, and the {@link Checkpointer} of its shard. Made by
 * {@link LeaseTable#checkpointer(Lease)} right after the lease was taken; a lease lost and regained gets a new
 * instance, and the old one is refused (its writes are conditioned on the {@code leaseCounter} of its own holding).
 *
 * <p>The consumer tells it what was delivered ({@link #recordDelivered}) and when the shard ended
 * ({@link #shardEndReached()}); the record processor checkpoints through the {@link Checkpointer} methods. All writes
 * of this holding (checkpoints, renewals, handoff, release) go through one ordered queue, so a renewal never makes a
 * concurrent checkpoint fail spuriously. Thread-safe.
 */
public final class LeaseHolding implements Checkpointer {
    private final LeaseTable table;
    private final UUID concurrencyToken = UUID.randomUUID();
    private Lease current;
    private boolean lost;
    private boolean shardEnd;
    private ExtendedSequenceNumber lastDelivered;
    private ExtendedSequenceNumber highestAccepted;
    private CompletableFuture<?> tail = CompletableFuture.completedFuture(null);
    private final Checkpointer view = new View();

    LeaseHolding(LeaseTable table, Lease held) {
        this.table = table;
        this.current = held;
        this.highestAccepted = held.checkpoint();
        this.lastDelivered = held.checkpoint().isSentinel() ? null : held.checkpoint();
        this.shardEnd = held.checkpoint().isShardEnd();
    }

    /** The latest snapshot of the lease as this holding last wrote or took it. */
    public synchronized Lease lease() {
        return current;
    }

    /** The {@link Checkpointer} handed to the record processor: checkpoints only, nothing of the lease's lifecycle. */
    public Checkpointer checkpointer() {
        return view;
    }

    /** A token unique to this holding of the lease. */
    public UUID concurrencyToken() {
        return concurrencyToken;
    }

    /** The shard (lease key). */
    public String shardId() {
        return current.shardId();
    }

    /** True once the lease was found lost, released, handed off completely, or {@link #markLost() marked lost}. */
    public synchronized boolean isLost() {
        return lost;
    }

    /** Marks the lease lost (e.g. another owner was seen): every later write is refused with {@link LeaseLostException}. */
    public synchronized void markLost() {
        lost = true;
    }

    /**
     * Records the last record handed to the processor; checkpoints may go up to it.
     *
     * @throws IllegalArgumentException if {@code position} is a sentinel or behind the last delivered record
     */
    public synchronized void recordDelivered(ExtendedSequenceNumber position) {
        Objects.requireNonNull(position, "position");
        if (position.isSentinel()) {
            throw new IllegalArgumentException("delivered position must be a sequence number, was " + position);
        }
        if (lastDelivered != null && position.compareTo(lastDelivered) < 0) {
            throw new IllegalArgumentException("delivered position " + position + " is behind the last delivered "
                    + lastDelivered);
        }
        lastDelivered = position;
    }

    /** Records {@code record} as the last record handed to the processor. */
    public void recordDelivered(UserRecord record) {
        recordDelivered(ExtendedSequenceNumber.of(record.sequenceNumber(), record.subSequenceNumber()));
    }

    /** Records that every record of the (closed) shard has been delivered: SHARD_END may now be checkpointed. */
    public synchronized void shardEndReached() {
        shardEnd = true;
    }

    /** The last record delivered, if any. */
    public synchronized Optional<ExtendedSequenceNumber> lastDelivered() {
        return Optional.ofNullable(lastDelivered);
    }

    public synchronized ExtendedSequenceNumber lastCheckpoint() {
        return highestAccepted;
    }

    public CompletableFuture<Void> checkpoint() {
        ExtendedSequenceNumber target;
        synchronized (this) {
            if (lost) {
                return lostFuture("checkpoint");
            }
            target = shardEnd ? ExtendedSequenceNumber.SHARD_END : lastDelivered;
            if (target == null || target.compareTo(highestAccepted) <= 0) {
                return CompletableFuture.completedFuture(null); // nothing new to record
            }
        }
        return checkpoint(target);
    }

    public CompletableFuture<Void> checkpoint(UserRecord record) {
        Objects.requireNonNull(record, "record");
        return checkpoint(ExtendedSequenceNumber.of(record.sequenceNumber(), record.subSequenceNumber()));
    }

    public CompletableFuture<Void> checkpoint(String sequenceNumber) {
        return checkpoint(sequenceNumber, 0);
    }

    public CompletableFuture<Void> checkpoint(String sequenceNumber, long subSequenceNumber) {
        return checkpoint(ExtendedSequenceNumber.of(sequenceNumber, subSequenceNumber));
    }

    public CompletableFuture<Void> checkpointShardEnd() {
        return checkpoint(ExtendedSequenceNumber.SHARD_END);
    }

    public synchronized CompletableFuture<Void> checkpoint(ExtendedSequenceNumber position) {
        validate(position);
        highestAccepted = position;
        return enqueue("checkpoint", l -> table.checkpoint(l, position)).handle((l, e) -> {
            if (e != null) {
                synchronized (this) {
                    if (highestAccepted.equals(position)) { // not written: the same position may be tried again
                        highestAccepted = current.checkpoint();
                    }
                }
                throw e instanceof CompletionException ce ? ce : new CompletionException(e);
            }
            return null;
        });
    }

    public CompletableFuture<PreparedCheckpoint> prepareCheckpoint() {
        return prepareCheckpoint((byte[]) null);
    }

    public CompletableFuture<PreparedCheckpoint> prepareCheckpoint(byte[] applicationState) {
        ExtendedSequenceNumber target;
        synchronized (this) {
            target = shardEnd ? ExtendedSequenceNumber.SHARD_END : lastDelivered;
            if (target == null) {
                throw new IllegalArgumentException("nothing delivered yet to prepare a checkpoint at");
            }
        }
        return prepare(target, applicationState);
    }

    public CompletableFuture<PreparedCheckpoint> prepareCheckpoint(UserRecord record, byte[] applicationState) {
        Objects.requireNonNull(record, "record");
        return prepare(ExtendedSequenceNumber.of(record.sequenceNumber(), record.subSequenceNumber()), applicationState);
    }

    public CompletableFuture<PreparedCheckpoint> prepareCheckpoint(String sequenceNumber, long subSequenceNumber,
                                                                   byte[] applicationState) {
        return prepare(ExtendedSequenceNumber.of(sequenceNumber, subSequenceNumber), applicationState);
    }

    private synchronized CompletableFuture<PreparedCheckpoint> prepare(ExtendedSequenceNumber position, byte[] state) {
        validate(position);
        byte[] copy = state == null ? null : state.clone();
        return enqueue("prepare checkpoint", l -> table.prepareCheckpoint(l, position, copy))
                .thenApply(l -> new Prepared(position, copy));
    }

    /** Renews the lease KCL-style (counter + 1); fails with {@link LeaseLostException} when no longer held. */
    public CompletableFuture<Lease> renew() {
        return enqueue("renew", table::renew);
    }

    /** Records the shard's children (at its end). */
    public CompletableFuture<Lease> recordChildShards(Set<String> childShardIds) {
        return enqueue("update child shards", l -> table.updateChildShards(l, childShardIds));
    }

    /** Releases the lease after pending writes; this holding then ends (later writes are refused). */
    public CompletableFuture<Lease> release() {
        return enqueue("release", table::release).whenComplete((l, e) -> markLost());
    }

    /**
     * Takes in the counter of a handoff another worker requested on this lease ({@code leaseOwner} the receiver,
     * {@code checkpointOwner} this worker): checkpoints remain possible until {@link #finishHandoff()}.
     */
    public synchronized void handoffRequested(Lease observed) {
        if (observed.checkpointOwner().filter(table.workerId()::equals).isPresent()
                && observed.counter() == current.counter()) {
            current = observed;
        }
    }

    /** Ends a requested handoff: removes {@code checkpointOwner}, so the receiver starts at once; this holding ends. */
    public CompletableFuture<Lease> finishHandoff() {
        return enqueue("finish handoff", table::finishHandoff).whenComplete((l, e) -> markLost());
    }

    private void validate(ExtendedSequenceNumber position) {
        if (position == null) {
            throw new IllegalArgumentException("checkpoint position must not be null");
        }
        if (position.isSentinel()) {
            if (!position.isShardEnd()) {
                throw new IllegalArgumentException("checkpoint position must be a sequence number or SHARD_END, was "
                        + position);
            }
            if (!shardEnd) {
                throw new IllegalArgumentException("SHARD_END refused: the end of shard " + shardId()
                        + " has not been reached (last delivered " + lastDelivered + ")");
            }
        } else if (lastDelivered == null || position.compareTo(lastDelivered) > 0) {
            throw new IllegalArgumentException("checkpoint " + position + " is ahead of the last record delivered ("
                    + (lastDelivered == null ? "none" : lastDelivered) + ") for shard " + shardId());
        }
        if (position.compareTo(highestAccepted) < 0) {
            throw new IllegalArgumentException("checkpoint " + position + " is behind the last checkpoint "
                    + highestAccepted + " for shard " + shardId());
        }
    }

    private synchronized CompletableFuture<Lease> enqueue(String what, Function<Lease, CompletableFuture<Lease>> op) {
        CompletableFuture<Lease> f = tail.handle((x, e) -> null).thenCompose(x -> {
            Lease held;
            synchronized (this) {
                if (lost) {
                    return lostFuture(what);
                }
                held = current;
            }
            CompletableFuture<Lease> write;
            try {
                write = op.apply(held);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
            return write.whenComplete((l, e) -> {
                synchronized (this) {
                    if (l != null) {
                        current = l;
                    } else if (Retrier.unwrap(e) instanceof LeaseLostException) {
                        lost = true;
                    }
                }
            });
        });
        tail = f;
        return f;
    }

    private <T> CompletableFuture<T> lostFuture(String what) {
        return CompletableFuture.failedFuture(new LeaseLostException(current.leaseKey(), what
                + " refused: this holding of the lease has ended"));
    }

    private final class Prepared implements PreparedCheckpoint {
        private final ExtendedSequenceNumber position;
        private final byte[] state;

        Prepared(ExtendedSequenceNumber position, byte[] state) {
            this.position = position;
            this.state = state;
        }

            public ExtendedSequenceNumber pendingCheckpoint() {
            return position;
        }

            public Optional<byte[]> applicationState() {
            return Optional.ofNullable(state).map(byte[]::clone);
        }

            public CompletableFuture<Void> checkpoint() {
            return LeaseHolding.this.checkpoint(position);
        }
    }

    /** What the processor gets: the {@link Checkpointer} methods, delegated; a downcast reaches nothing else. */
    private final class View implements Checkpointer {
        @Override
        public String shardId() {
            return LeaseHolding.this.shardId();
        }

        @Override
        public ExtendedSequenceNumber lastCheckpoint() {
            return LeaseHolding.this.lastCheckpoint();
        }

        @Override
        public CompletableFuture<Void> checkpoint() {
            return LeaseHolding.this.checkpoint();
        }

        @Override
        public CompletableFuture<Void> checkpoint(UserRecord record) {
            return LeaseHolding.this.checkpoint(record);
        }

        @Override
        public CompletableFuture<Void> checkpoint(String sequenceNumber) {
            return LeaseHolding.this.checkpoint(sequenceNumber);
        }

        @Override
        public CompletableFuture<Void> checkpoint(String sequenceNumber, long subSequenceNumber) {
            return LeaseHolding.this.checkpoint(sequenceNumber, subSequenceNumber);
        }

        @Override
        public CompletableFuture<Void> checkpoint(ExtendedSequenceNumber position) {
            return LeaseHolding.this.checkpoint(position);
        }

        @Override
        public CompletableFuture<Void> checkpointShardEnd() {
            return LeaseHolding.this.checkpointShardEnd();
        }

        @Override
        public CompletableFuture<PreparedCheckpoint> prepareCheckpoint() {
            return LeaseHolding.this.prepareCheckpoint();
        }

        @Override
        public CompletableFuture<PreparedCheckpoint> prepareCheckpoint(byte[] applicationState) {
            return LeaseHolding.this.prepareCheckpoint(applicationState);
        }

        @Override
        public CompletableFuture<PreparedCheckpoint> prepareCheckpoint(UserRecord record, byte[] applicationState) {
            return LeaseHolding.this.prepareCheckpoint(record, applicationState);
        }

        @Override
        public CompletableFuture<PreparedCheckpoint> prepareCheckpoint(String sequenceNumber, long subSequenceNumber,
                                                                       byte[] applicationState) {
            return LeaseHolding.this.prepareCheckpoint(sequenceNumber, subSequenceNumber, applicationState);
        }

        @Override
        public String toString() {
            return "Checkpointer{" + shardId() + "}";
        }
    }
}
