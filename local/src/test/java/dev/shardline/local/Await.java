package dev.shardline.local;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits on a condition with a deadline, polling it every 20 ms (never a fixed sleep then an assert). */
final class Await {
    private static final Duration DEFAULT = Duration.ofSeconds(30);

    private Await() {
    }

    /** Returns once {@code condition} holds; fails with {@code what} after 30 s. */
    static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + DEFAULT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("waited " + DEFAULT.toSeconds() + " s for: " + what);
            }
            Thread.sleep(20); // the polling interval of the condition, not a wait standing in for it
        }
    }
}
