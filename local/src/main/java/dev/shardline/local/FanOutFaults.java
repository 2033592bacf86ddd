package dev.shardline.local;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Fault injection for SubscribeToShard subscriptions, alongside the per-operation faults of {@link LocalKinesis}
 * (which also apply to the SubscribeToShard call itself): end subscriptions early, drop their connections, or delay
 * their events.
 *
 * <pre>{@code
 * kinesis.fanOut().faults().dropNext(1, Duration.ofMillis(200));  // the next subscription's connection drops
 * kinesis.fanOut().faults().endActive();                           // every live subscription completes now
 * }</pre>
 */
public final class FanOutFaults {
    private final SubscriptionRegistry subscriptions;
    private final AtomicInteger endNext = new AtomicInteger();
    private final AtomicInteger dropNext = new AtomicInteger();
    private volatile Duration endAfter = Duration.ZERO;
    private volatile Duration dropAfter = Duration.ZERO;
    private volatile long delayNanos;

    /** What a new subscription should suffer: end normally or lose its connection, after a while. */
    record Planned(boolean drop, Duration after) {
    }

    FanOutFaults(SubscriptionRegistry subscriptions) {
        this.subscriptions = subscriptions;
    }

    /**
     * The next {@code count} subscriptions to start end normally {@code after} they start: the stream completes
     * as if its lifetime were over, and the SDK sees {@code complete()}.
     */
    public FanOutFaults endNext(int count, Duration after) {
        endAfter = nonNegative(after);
        endNext.set(checkCount(count));
        return this;
    }

    /**
     * The next {@code count} subscriptions to start have their connection dropped {@code after} they start, as a
     * network failure would: the SDK reports an error, for them and for every other call on that connection.
     * (An HTTP/2 reset of the stream alone is not used: the SDK reports it as a normal completion.)
     */
    public FanOutFaults dropNext(int count, Duration after) {
        dropAfter = nonNegative(after);
        dropNext.set(checkCount(count));
        return this;
    }

    /** Holds every event back by {@code delay} before it is sent; {@link Duration#ZERO} stops delaying. */
    public FanOutFaults delayEvents(Duration delay) {
        delayNanos = nonNegative(delay).toNanos();
        return this;
    }

    /** Ends every live subscription normally now; returns how many there were. */
    public int endActive() {
        return subscriptions.endAll(false);
    }

    /** Drops the connection of every live subscription now; returns how many subscriptions there were. */
    public int dropActive() {
        return subscriptions.endAll(true);
    }

    /** Stops every planned fault and the event delay. */
    public void clear() {
        endNext.set(0);
        dropNext.set(0);
        delayNanos = 0;
    }

    long delayNanos() {
        return delayNanos;
    }

    /** The fault a subscription starting now should suffer, or null; consumes one of the planned ones. */
    Planned take() {
        if (dropNext.get() > 0 && dropNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return new Planned(true, dropAfter);
        }
        if (endNext.get() > 0 && endNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            return new Planned(false, endAfter);
        }
        return null;
    }

    private static int checkCount(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, was " + count);
        }
        return count;
    }

    private static Duration nonNegative(Duration d) {
        Objects.requireNonNull(d, "duration");
        if (d.isNegative()) {
            throw new IllegalArgumentException("duration must not be negative, was " + d);
        }
        return d;
    }
}
