package dev.shardline.examples.trucks;

import dev.shardline.common.Futures;
import dev.shardline.examples.cli.SendTally;
import dev.shardline.producer.KinesisProducer;
import dev.shardline.producer.SendResult;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a {@link Fleet} through a {@link KinesisProducer}: every interval, each truck sends its position, spread
 * evenly over the interval, with the truck id as partition key. Runs on the calling thread until the deadline,
 * the count, or {@link #stop()}; then flushes and waits for every record's outcome, so that when {@link #run}
 * returns, {@code sent == acknowledged + failed}.
 */
public final class FleetRunner {
    /** Hears about each message; called from the producer's callback threads for acknowledgements. */
    public interface Listener {
        default void sent(TruckPosition position, long nanoTime) {
        }

        default void acknowledged(TruckPosition position, SendResult result) {
        }

        default void failed(TruckPosition position, Throwable reason) {
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(FleetRunner.class);
    private static final Listener NONE = new Listener() { };

    private final Fleet fleet;
    private final KinesisProducer producer;
    private final String stream;
    private final Duration interval;
    private final double simulatedSeconds;
    private final Listener listener;
    private final SendTally tally = new SendTally();
    private volatile boolean stopped;

    /**
     * @param interval how often each truck reports (real time)
     * @param simulatedSeconds how far trucks move between reports (the demo runs faster than real time)
     */
    public FleetRunner(Fleet fleet, KinesisProducer producer, String stream, Duration interval,
            double simulatedSeconds, Listener listener) {
        if (interval.isZero() || interval.isNegative()) {
            throw new IllegalArgumentException("interval must be positive, was " + interval);
        }
        this.fleet = fleet;
        this.producer = producer;
        this.stream = stream;
        this.interval = interval;
        this.simulatedSeconds = simulatedSeconds;
        this.listener = listener != null ? listener : NONE;
    }

    /**
     * Sends until {@code duration} has passed (null: no limit) or each truck has sent {@code count} positions
     * (0: no limit) or {@link #stop()} is called, then waits up to {@code drain} for every outstanding record.
     */
    public void run(Duration duration, long count, Duration drain) throws InterruptedException {
        long start = System.nanoTime();
        long deadline = duration == null ? Long.MAX_VALUE : start + duration.toNanos();
        long intervalNanos = interval.toNanos();
        int size = fleet.size();
        long rounds = 0;
        outer:
        while (!stopped && (count <= 0 || rounds < count)) {
            long roundStart = start + rounds * intervalNanos;
            for (int i = 0; i < size; i++) {
                long due = roundStart + intervalNanos * i / size;
                if (due >= deadline) {
                    break outer;
                }
                waitUntil(due);
                if (stopped) {
                    break outer;
                }
                send(fleet.tick(i, simulatedSeconds, System.currentTimeMillis()));
            }
            rounds++;
        }
        try {
            producer.flush().get(drain.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warn("flush did not complete: {}", e.toString());
        }
    }

    private static void waitUntil(long due) throws InterruptedException {
        long wait;
        while ((wait = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    private void send(TruckPosition position) {
        long now = System.nanoTime();
        listener.sent(position, now);
        tally.onSent();
        try {
            producer.send(stream, position.truckId(), position.toJson()).whenComplete((result, error) -> {
                if (error == null) {
                    tally.onAcknowledged();
                    listener.acknowledged(position, result);
                } else {
                    fail(position, error);
                }
            });
        } catch (RuntimeException e) {
            fail(position, e);
        }
    }

    private void fail(TruckPosition position, Throwable error) {
        Throwable cause = Futures.unwrap(error);
        tally.onFailed(cause);
        listener.failed(position, cause);
    }

    /** Ends {@link #run} after the current message; safe from any thread. */
    public void stop() {
        stopped = true;
    }

    /** What was sent, acknowledged and failed so far. */
    public SendTally tally() {
        return tally;
    }
}
