package dev.shardline.consumer;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which workers are alive, judged on this worker's own monotonic clock: a worker is live while its heartbeat value
 * has changed within {@code failoverNanos} of now. A worker seen for the first time counts as just changed. Wall-clock
 * times written by other machines are never compared, so clock skew cannot expire anyone.
 *
 * <p>A worker past its deadline is only a <em>suspect</em> until its heartbeat was read again strongly consistently
 * ({@link #confirm}): the routine heartbeat Scan is eventually consistent and may return a stale value, and the
 * self-fencing argument (docs/consumer.md, "Exclusivity") needs the declaring read to see every acknowledged beat.
 * Suspects still count as alive. Not thread-safe: used by the coordinator thread only.
 */
final class Liveness {
    private record Seen(Object value, long changedAtNanos, boolean confirmedDead) {
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
            seen.put(worker, new Seen(value, nowNanos, false));
        }
    }

    /**
     * Records a strongly consistent read of a suspect's heartbeat made at {@code nowNanos}: a changed value makes it
     * live again; the same value, read after its deadline, declares it dead.
     */
    void confirm(String worker, Object value, long nowNanos) {
        Seen previous = seen.get(worker);
        if (previous == null || !Objects.equals(previous.value, value)) {
            observe(worker, value, nowNanos);
        } else if (nowNanos - previous.changedAtNanos >= failoverNanos) {
            seen.put(worker, new Seen(previous.value, previous.changedAtNanos, true));
        }
    }

    /** Forgets a worker (it said goodbye or its heartbeat row is gone). */
    void forget(String worker) {
        seen.remove(worker);
    }

    /** Workers known, live or not. */
    Set<String> known() {
        return new HashSet<>(seen.keySet());
    }

    /** Workers past their deadline whose death is not yet confirmed by a consistent read. */
    Set<String> suspects(long nowNanos) {
        Set<String> out = new HashSet<>();
        seen.forEach((w, s) -> {
            if (!s.confirmedDead && nowNanos - s.changedAtNanos >= failoverNanos) {
                out.add(w);
            }
        });
        return out;
    }

    /** False only once the worker's death was confirmed (or it is unknown). */
    boolean isAlive(String worker, long nowNanos) {
        Seen s = seen.get(worker);
        return s != null && !(s.confirmedDead && nowNanos - s.changedAtNanos >= failoverNanos);
    }

    /** Every worker not confirmed dead. */
    Set<String> alive(long nowNanos) {
        Set<String> out = new HashSet<>();
        for (String w : seen.keySet()) {
            if (isAlive(w, nowNanos)) {
                out.add(w);
            }
        }
        return Set.copyOf(out);
    }
}
