package dev.shardline.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ShardRateLimiterTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static ShardRateLimiter limiter(long now) {
        return new ShardRateLimiter(true, 1000, 1024 * 1024,
                IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(100), 2.0, 0.5, Duration.ofSeconds(5)), now);
    }

    /** Counts what one simulated second lets through, acquiring every 100 microseconds. */
    private static int acceptedOver(ShardRateLimiter l, long from, long nanos, int bytes) {
        int accepted = 0;
        for (long t = from; t < from + nanos; t += MS / 10) {
            while (l.tryAcquire(bytes, t)) {
                accepted++;
            }
        }
        return accepted;
    }

    @Test
    void holdsRecordsPerSecondNearTheLimit() {
        ShardRateLimiter l = limiter(0);
        int accepted = acceptedOver(l, 0, 1000 * MS, 10);
        assertThat(accepted).isBetween(950, 1060);
    }

    @Test
    void holdsBytesPerSecondNearTheLimit() {
        ShardRateLimiter l = limiter(0);
        int accepted = acceptedOver(l, 0, 1000 * MS, 10 * 1024);
        // 1 MiB/s of 10 KiB records = 102.4
        assertThat(accepted).isBetween(95, 110);
    }

    @Test
    void aRecordLargerThanTheBurstStillGoesOutWhenTheBucketIsFull() {
        ShardRateLimiter l = limiter(0);
        assertThat(l.tryAcquire(1024 * 1024, 0)).isTrue();
        assertThat(l.tryAcquire(1, 10 * MS)).isFalse(); // paying off the debt
        assertThat(acceptedOver(l, 10 * MS, 2000 * MS, 1024 * 1024)).isBetween(1, 3);
    }

    @Test
    void throttleBacksOffThenRampsBackUp() {
        ShardRateLimiter l = limiter(0);
        l.onThrottle(0);
        assertThat(l.blockedForNanos(0)).isBetween(50 * MS, 150 * MS);
        assertThat(l.tryAcquire(1, 40 * MS)).isFalse();
        double slowed = l.factor();
        assertThat(slowed).isLessThan(1.0);
        l.onThrottle(10 * MS); // same episode (entries of calls already in flight): no extra penalty
        assertThat(l.factor()).isEqualTo(slowed);
        l.onThrottle(200 * MS);
        assertThat(l.blockedForNanos(200 * MS)).isGreaterThan(90 * MS); // second throttle: about 200 ms
        assertThat(l.factor()).isLessThan(slowed);
        // 0.85 x 0.85 = 0.72 of the rate for the first second after the throttle, then climbing by 5% a second
        int firstSecond = acceptedOver(l, 500 * MS, 1000 * MS, 10);
        assertThat(firstSecond).isBetween(650, 790);
        acceptedOver(l, 1500 * MS, 8000 * MS, 10);
        assertThat(l.factor()).isEqualTo(1.0);
        assertThat(acceptedOver(l, 9500 * MS, 1000 * MS, 10)).isBetween(950, 1060);
    }

    @Test
    void disabledLimiterOnlyHonoursBackoff() {
        ShardRateLimiter l = new ShardRateLimiter(false, 1000, 1024 * 1024,
                IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(100), 2.0, 0.5, Duration.ofSeconds(5)), 0);
        for (int i = 0; i < 100_000; i++) {
            assertThat(l.tryAcquire(1000, 0)).isTrue();
        }
        l.onThrottle(0);
        assertThat(l.tryAcquire(1, 1 * MS)).isFalse();
    }
}
