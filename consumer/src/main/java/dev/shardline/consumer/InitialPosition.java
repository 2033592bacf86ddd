package dev.shardline.consumer;

import java.time.Instant;
import java.util.Objects;

/**
 * Where a worker starts reading a shard that has no checkpoint yet: {@link #latest()}, {@link #trimHorizon()} or
 * {@link #atTimestamp(Instant)}. Children of shards that were already processed always start at the trim horizon, so
 * nothing written after a split or merge is skipped.
 */
public final class InitialPosition {
    /** The kind of starting point. */
    public enum Type { LATEST, TRIM_HORIZON, AT_TIMESTAMP }

    private static final InitialPosition LATEST = new InitialPosition(Type.LATEST, null);
    private static final InitialPosition TRIM_HORIZON = new InitialPosition(Type.TRIM_HORIZON, null);

    private final Type type;
    private final Instant timestamp;

    private InitialPosition(Type type, Instant timestamp) {
        this.type = type;
        this.timestamp = timestamp;
    }

    /** Only records put after the worker first reads the shard (the default, as in KCL). */
    public static InitialPosition latest() {
        return LATEST;
    }

    /** The oldest record the stream still retains. */
    public static InitialPosition trimHorizon() {
        return TRIM_HORIZON;
    }

    /** The first record that arrived at or after {@code timestamp}. */
    public static InitialPosition atTimestamp(Instant timestamp) {
        return new InitialPosition(Type.AT_TIMESTAMP, Objects.requireNonNull(timestamp, "timestamp"));
    }

    public Type type() {
        return type;
    }

    /** The timestamp for {@link Type#AT_TIMESTAMP}, else null. */
    public Instant timestamp() {
        return timestamp;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InitialPosition p && p.type == type && Objects.equals(p.timestamp, timestamp);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, timestamp);
    }

    @Override
    public String toString() {
        return type == Type.AT_TIMESTAMP ? "AT_TIMESTAMP(" + timestamp + ")" : type.name();
    }
}
