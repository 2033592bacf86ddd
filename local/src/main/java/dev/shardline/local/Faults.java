package dev.shardline.local;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The faults injected into a running {@link LocalKinesis} ({@link LocalKinesis#faults()}). Thread-safe; faults
 * take effect for calls that arrive after {@link #inject} returns.
 *
 * <p>Each call is checked against the injected faults in order: every matching {@link Fault.Kind#LATENCY} fault
 * adds its delay, and the first matching error or drop fault decides the call. A fault limited to the next N
 * calls counts only the calls it actually decided (or delayed) and disappears after N.
 */
public final class Faults {
    private final List<Active> active = new CopyOnWriteArrayList<>();
    private final AtomicLong applied = new AtomicLong();

    Faults() {
    }

    /** A fault that is in effect; {@link #remove()} ends it early. */
    public final class Active {
        private final Fault fault;
        private final AtomicInteger remaining;
        private final AtomicInteger hits = new AtomicInteger();

        private Active(Fault fault) {
            this.fault = fault;
            this.remaining = new AtomicInteger(fault.nextCallsLimit() > 0 ? fault.nextCallsLimit() : -1);
        }

        public Fault fault() {
            return fault;
        }

        /** How many calls it has affected so far. */
        public int hits() {
            return hits.get();
        }

        /** Ends this fault. */
        public void remove() {
            active.remove(this);
        }

        /** True when it still applies (not removed, calls left). */
        public boolean isActive() {
            return active.contains(this);
        }

        private boolean take() {
            if (fault.rateValue() < 1 && ThreadLocalRandom.current().nextDouble() >= fault.rateValue()) {
                return false;
            }
            if (remaining.get() < 0) {
                hits.incrementAndGet();
                return true;
            }
            while (true) {
                int left = remaining.get();
                if (left <= 0) {
                    active.remove(this);
                    return false;
                }
                if (remaining.compareAndSet(left, left - 1)) {
                    if (left == 1) {
                        active.remove(this);
                    }
                    hits.incrementAndGet();
                    return true;
                }
            }
        }
    }

    /** Puts {@code fault} into effect; returns a handle to watch or remove it. */
    public Active inject(Fault fault) {
        Active handle = new Active(Objects.requireNonNull(fault, "fault"));
        active.add(handle);
        return handle;
    }

    /** Removes every fault. */
    public void clear() {
        active.clear();
    }

    /** The faults in effect now. */
    public List<Fault> active() {
        return active.stream().map(Active::fault).toList();
    }

    /** How many calls faults have affected since start. */
    public long appliedCount() {
        return applied.get();
    }

    /** What to do with one call: an added delay, and an error or drop (null kind = answer normally). */
    record Decision(Duration delay, Fault.Kind kind) {
        static final Decision NONE = new Decision(Duration.ZERO, null);
    }

    Decision decide(String operation, String stream) {
        if (active.isEmpty()) {
            return Decision.NONE;
        }
        Duration delay = Duration.ZERO;
        Fault.Kind kind = null;
        for (Active handle : active) {
            Fault fault = handle.fault;
            if (!fault.matches(operation, stream)) {
                continue;
            }
            if (fault.kind() == Fault.Kind.LATENCY) {
                if (handle.take()) {
                    delay = delay.plus(fault.latencyDelay());
                }
            } else if (kind == null && handle.take()) {
                kind = fault.kind();
            }
        }
        if (kind == null && delay.isZero()) {
            return Decision.NONE;
        }
        applied.incrementAndGet();
        return new Decision(delay, kind);
    }
}
