package dev.shardline.consumer;

import java.util.function.LongSupplier;

/**
 * Local lease expiry: this worker's own view of whether others may already consider it dead. Liveness is confirmed
 * at the instant a heartbeat write <em>started</em> (taken before the request is sent) once DynamoDB acknowledged
 * it; the worker is fenced while the latest confirmed instant is {@code fenceNanos} or more in the past, and before
 * any beat was acknowledged. A fenced worker delivers no records: every shard task stops with leaseLost; the worker
 * takes leases again (conditionally, with fresh counters) once a later beat is acknowledged.
 *
 * <p>With {@code fenceNanos = failoverTime − margin}, a worker stops before any observer can declare it dead: an
 * observer declares it dead only after a strongly consistent read at least failoverTime (observer's clock) after it
 * first saw the value read, and that value was written no earlier than the start of the latest acknowledged beat.
 * The argument in full is in docs/consumer.md ("Exclusivity"). Thread-safe; the clock is injected for tests.
 */
final class SelfFence {
    private final long fenceNanos;
    private final LongSupplier clock;
    private boolean confirmed;
    private long confirmedAt;

    SelfFence(long fenceNanos, LongSupplier clock) {
        if (fenceNanos <= 0) {
            throw new IllegalArgumentException("fenceNanos must be > 0, got " + fenceNanos);
        }
        this.fenceNanos = fenceNanos;
        this.clock = clock;
    }

    /** The instant to stamp a heartbeat write with: call just before sending it. */
    long beatStarting() {
        return clock.getAsLong();
    }

    /** DynamoDB acknowledged the beat that started at {@code startedAt}. */
    synchronized void beatAcknowledged(long startedAt) {
        if (!confirmed || startedAt - confirmedAt > 0) {
            confirmedAt = startedAt;
            confirmed = true;
        }
    }

    /** True when no beat is acknowledged yet, or the latest acknowledged one started fenceNanos ago or more. */
    synchronized boolean isFenced() {
        return !confirmed || clock.getAsLong() - confirmedAt >= fenceNanos;
    }

    /** Nanoseconds since the latest acknowledged beat started, or -1 when none was. */
    synchronized long sinceConfirmedNanos() {
        return confirmed ? clock.getAsLong() - confirmedAt : -1;
    }
}
