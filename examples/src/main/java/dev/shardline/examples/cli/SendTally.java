package dev.shardline.examples.cli;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The outcomes of records handed to the producer by a verb: how many were sent, acknowledged and failed, and the
 * first failure's reason. Thread-safe: outcomes arrive on the producer's callback threads.
 */
public final class SendTally {
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();

    /** A record was handed to the producer (its outcome follows with one of the other two calls). */
    public void onSent() {
        sent.incrementAndGet();
    }

    public void onAcknowledged() {
        acknowledged.incrementAndGet();
    }

    /**
     * A record failed, at {@code send} or later.
     *
     * @return how many have failed so far, this one included
     */
    public long onFailed(Throwable reason) {
        firstFailure.compareAndSet(null, CliErrors.oneLine(reason));
        return failed.incrementAndGet();
    }

    /**
     * Waits until every record sent has an outcome, or {@code max} has passed. Outcome callbacks may trail the
     * producer's {@code flush()} by a moment.
     *
     * @return true if every outcome arrived
     */
    public boolean awaitOutcomes(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (acknowledged.get() + failed.get() < sent.get()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(5);
        }
        return true;
    }

    public long sent() {
        return sent.get();
    }

    public long acknowledged() {
        return acknowledged.get();
    }

    public long failed() {
        return failed.get();
    }

    /** The first failure's reason on one line, or null. */
    public String firstFailure() {
        return firstFailure.get();
    }
}
