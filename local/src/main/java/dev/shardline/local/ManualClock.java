package dev.shardline.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when told, for {@link LocalKinesis.Builder#clock(Clock)}: tests of retention trimming,
 * the 5-minute iterator expiry, AT_TIMESTAMP and the per-shard rate limits run in milliseconds. Thread-safe.
 */
public final class ManualClock extends Clock {
    private final AtomicLong millis;

    /** Starting at {@code start}. */
    public ManualClock(Instant start) {
        this.millis = new AtomicLong(start.toEpochMilli());
    }

    /** Starting now. */
    public ManualClock() {
        this(Instant.now());
    }

    /** Moves the clock forward (or back, for a negative duration). */
    public ManualClock advance(Duration duration) {
        millis.addAndGet(duration.toMillis());
        return this;
    }

    /** Sets the time. */
    public ManualClock set(Instant instant) {
        millis.set(instant.toEpochMilli());
        return this;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }
}
