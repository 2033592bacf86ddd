package dev.shardline.producer;

import io.github.resilience4j.core.IntervalFunction;

/**
 * Client-side rate limit of one shard: token buckets for Kinesis records/s and bytes/s, refilled continuously with a
 * small burst, and adaptive (AIMD): a throttle stops the shard for an exponential, jittered delay (resilience4j) and
 * cuts its rate by 15%; a second later the rate starts climbing back by 5% of the nominal rate per second.
 * Throttles within {@value #EPISODE_MILLIS} ms of each other (entries of calls already in flight) count as one.
 * Used by the sender thread only.
 */
final class ShardRateLimiter {
    /** Burst allowance: this many seconds of the rate. Small, so that no 1 s window sees much over the rate. */
    private static final double BURST_SECONDS = 0.05;
    private static final double MIN_FACTOR = 0.1;
    private static final double THROTTLE_FACTOR = 0.85;
    private static final double RAMP_PER_SECOND = 0.05;
    private static final long EPISODE_MILLIS = 50;
    private static final long EPISODE_NANOS = EPISODE_MILLIS * 1_000_000L;
    private static final long RAMP_DELAY_NANOS = 1_000_000_000L;

    private final double recordsPerSecond;
    private final double bytesPerSecond;
    private final IntervalFunction backoff;
    private final boolean enabled;
    private double recordTokens;
    private double byteTokens;
    private long lastRefillNanos;
    private double factor = 1.0;
    private long blockedUntilNanos;
    private long lastThrottleNanos;
    private boolean throttledBefore;
    private int consecutiveThrottles;

    ShardRateLimiter(boolean enabled, double recordsPerSecond, double bytesPerSecond, IntervalFunction backoff, long now) {
        this.enabled = enabled;
        this.recordsPerSecond = recordsPerSecond;
        this.bytesPerSecond = bytesPerSecond;
        this.backoff = backoff;
        this.lastRefillNanos = now;
        this.recordTokens = recordCapacity();
        this.byteTokens = byteCapacity();
    }

    private double recordCapacity() {
        return Math.max(1, recordsPerSecond * factor * BURST_SECONDS);
    }

    private double byteCapacity() {
        return bytesPerSecond * factor * BURST_SECONDS;
    }

    /** Takes tokens for one Kinesis record of {@code bytes} if the shard may send it now. */
    boolean tryAcquire(int bytes, long now) {
        if (now - blockedUntilNanos < 0) {
            return false;
        }
        if (!enabled) {
            return true;
        }
        refill(now);
        // a record bigger than the burst goes out when the bucket is full, leaving a debt
        if (recordTokens < 1 || byteTokens < Math.min(bytes, byteCapacity())) {
            return false;
        }
        recordTokens -= 1;
        byteTokens -= bytes;
        return true;
    }

    private void refill(long now) {
        double seconds = (now - lastRefillNanos) / 1e9;
        if (seconds <= 0) {
            return;
        }
        lastRefillNanos = now;
        if (factor < 1.0 && (!throttledBefore || now - lastThrottleNanos > RAMP_DELAY_NANOS)) {
            factor = Math.min(1.0, factor + RAMP_PER_SECOND * seconds);
        }
        recordTokens = Math.min(recordCapacity(), recordTokens + seconds * recordsPerSecond * factor);
        byteTokens = Math.min(byteCapacity(), byteTokens + seconds * bytesPerSecond * factor);
    }

    /** Nanoseconds until this shard may send again when blocked by a backoff, else 0. */
    long blockedForNanos(long now) {
        return Math.max(0, blockedUntilNanos - now);
    }

    /** The shard said ProvisionedThroughputExceeded: back off and slow down. */
    void onThrottle(long now) {
        if (throttledBefore && now - lastThrottleNanos < EPISODE_NANOS) {
            return;
        }
        refill(now);
        throttledBefore = true;
        lastThrottleNanos = now;
        consecutiveThrottles++;
        long delayNanos = backoff.apply(consecutiveThrottles) * 1_000_000L;
        blockedUntilNanos = Math.max(blockedUntilNanos, now + delayNanos);
        factor = Math.max(MIN_FACTOR, factor * THROTTLE_FACTOR);
        recordTokens = Math.min(recordTokens, 0);
        byteTokens = Math.min(byteTokens, 0);
    }

    /** An entry for this shard was stored: once past the backoff, the next throttle starts a new backoff series. */
    void onSuccess(long now) {
        if (now - blockedUntilNanos >= 0) {
            consecutiveThrottles = 0;
        }
    }

    double factor() {
        return factor;
    }
}
