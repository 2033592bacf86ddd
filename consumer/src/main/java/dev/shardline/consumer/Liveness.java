package dev.shardline.consumer;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which workers are alive, judged on this worker's own monotonic clock: a worker is live while its heartbeat value
 * has changed within {@code failoverNanos} of now. A worker seen for the first time counts as just changed. Wall-clock
 * times written by other machines are never compared, so clock skew cannot expire anyone. Not thread-safe: used by
 * the coordinator thread only.
 */
final class Liveness {
    private record Seen(Object value, long changedAtNanos) {
    }

    private final long failoverNanos;
    private final Map<String, Seen> seen = new HashMap<>();

    Liveness(long failoverNanos) {
        if (failoverNanos <= 0) {
            throw new IllegalArgumentException("failoverNanos must be > 0, got " + failoverNanos);
        }
        this.failoverNanos = failoverNanos;
    }

    /** Records that {@code worker}'s heartbeat read {@code value} at {@code nowNanos}. */
    void observe(String worker, Object value, long nowNanos) {
        Seen previous = seen.get(worker);
        if (previous == null || !Objects.equals(previous.value, value)) {
            seen.put(worker, new Seen(value, nowNanos));
        }
    }

    /** Forgets a worker (it said goodbye or its heartbeat row is gone). */
    void forget(String worker) {
        seen.remove(worker);
    }

    boolean isAlive(String worker, long nowNanos) {
        Seen s = seen.get(worker);
        return s != null && nowNanos - s.changedAtNanos < failoverNanos;
    }

    Set<String> alive(long nowNanos) {
        return seen.keySet().stream().filter(w -> isAlive(w, nowNanos)).collect(Collectors.toUnmodifiableSet());
    }
}
