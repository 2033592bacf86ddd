package dev.shardline.examples;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits on a condition with a deadline (never a fixed sleep then an assert). */
final class Await {
    private Await() {
    }

    /**
     * Probes every 200 ms until {@code done} accepts the probe's value; returns that value. Fails with the last value
     * seen when {@code timeout} passes first.
     */
    static <T> T until(String what, Duration timeout, Supplier<T> probe, Predicate<T> done) {
        long deadline = System.nanoTime() + timeout.toNanos();
        T last = null;
        while (true) {
            last = probe.get();
            if (done.test(last)) {
                return last;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + timeout.toSeconds() + " s for " + what + "; last seen: " + last);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what);
            }
        }
    }
}
