package dev.shardline.checkpoint;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Decides expiry without trusting anyone's wall clock: an entry (a lease by its {@code leaseCounter}, or a worker by
 * its heartbeat counter) is expired when this worker has seen its counter unchanged for the failover time, measured
 * on this worker's own monotonic clock. Nothing time-based is ever stored in a table, so clock skew between workers
 * does not matter. A key seen for the first time counts as just changed. Thread-safe.
 */
public final class ExpiryTracker {
    private final long failoverNanos;
    private final LongSupplier nanoClock;
    private final Map<String, long[]> seen = new HashMap<>(); // key -> {counter, nanos when it last changed}

    /** A tracker on {@link System#nanoTime()}. */
    public ExpiryTracker(Duration failoverTime) {
        this(failoverTime, System::nanoTime);
    }

    /** A tracker on the given monotonic nanosecond clock (for tests). */
    public ExpiryTracker(Duration failoverTime, LongSupplier nanoClock) {
        if (failoverTime == null || failoverTime.isNegative() || failoverTime.isZero()) {
            throw new IllegalArgumentException("failoverTime must be positive, was " + failoverTime);
        }
        this.failoverNanos = failoverTime.toNanos();
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    /** Records the counter just read for {@code key}; the expiry timer restarts when the counter changed. */
    public synchronized void observe(String key, long counter) {
        long now = nanoClock.getAsLong();
        long[] entry = seen.get(key);
        if (entry == null || entry[0] != counter) {
            seen.put(key, new long[] {counter, now});
        }
    }

    /** True when {@code key} was observed and its counter has not changed for the failover time. */
    public synchronized boolean isExpired(String key) {
        long[] entry = seen.get(key);
        return entry != null && nanoClock.getAsLong() - entry[1] >= failoverNanos;
    }

    /** Time since {@code key}'s counter last changed, or null when never observed. */
    public synchronized Duration sinceChange(String key) {
        long[] entry = seen.get(key);
        return entry == null ? null : Duration.ofNanos(nanoClock.getAsLong() - entry[1]);
    }

    /** Forgets every key not in {@code keys} (e.g. deleted leases, departed workers). */
    public synchronized void retainOnly(Collection<String> keys) {
        seen.keySet().retainAll(new HashSet<>(keys));
    }

    /** Forgets {@code key}. */
    public synchronized void forget(String key) {
        seen.remove(key);
    }
}
