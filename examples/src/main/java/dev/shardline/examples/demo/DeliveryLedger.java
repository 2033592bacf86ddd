package dev.shardline.examples.demo;

import dev.shardline.examples.cli.SendTally;
import dev.shardline.examples.track.SequenceChecker;
import java.util.BitSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The demo's accounting of every message, by truck and sequence number: sent, acknowledged by the producer,
 * failed, received by the tracker. Lost = acknowledged but never received; duplicates (received again) are
 * counted apart from out-of-order arrivals; latency runs from the {@code send()} call to the first processing.
 * Thread-safe: the producer's callbacks and the consumer's processors report concurrently.
 */
public final class DeliveryLedger {
    private final ConcurrentMap<String, Truck> trucks = new ConcurrentHashMap<>();
    private final SequenceChecker order = new SequenceChecker();
    private final Percentiles latency = new Percentiles();
    private final SendTally tally = new SendTally();
    private final AtomicLong received = new AtomicLong();

    /** Message {@code seq} of {@code truck} is being sent now ({@code nanoTime} of the {@code send()} call). */
    public void sent(String truck, long seq, long nanoTime) {
        truck(truck).sent(seq, nanoTime);
        tally.onSent();
    }

    /** The producer acknowledged the message. */
    public void acknowledged(String truck, long seq) {
        truck(truck).acknowledged(seq);
        tally.onAcknowledged();
    }

    /** The producer gave up on the message. */
    public void failed(String truck, long seq, Throwable reason) {
        tally.onFailed(reason);
    }

    /** The tracker processed the message at {@code nanoTime}. */
    public void received(String truck, long seq, long nanoTime) {
        SequenceChecker.Outcome outcome = order.observe(truck, seq);
        if (outcome == SequenceChecker.Outcome.DUPLICATE) {
            return;
        }
        received.incrementAndGet();
        long sentAt = truck(truck).received(seq);
        if (sentAt != Long.MIN_VALUE) {
            latency.record(Math.max(0, TimeUnit.NANOSECONDS.toMillis(nanoTime - sentAt)));
        }
    }

    /** Sent, acknowledged and failed, as the producer reported them. */
    public SendTally tally() {
        return tally;
    }

    /** Distinct messages received (duplicates excluded). */
    public long received() {
        return received.get();
    }

    public long duplicates() {
        return order.duplicates();
    }

    public long outOfOrder() {
        return order.outOfOrder();
    }

    /** Acknowledged messages not received. */
    public long lost() {
        long lost = 0;
        for (Truck truck : trucks.values()) {
            lost += truck.lost();
        }
        return lost;
    }

    public long latencyPercentile(double percent) {
        return latency.percentile(percent);
    }

    /** The contract's summary line. */
    public String summaryLine() {
        return String.format("summary: sent=%d acknowledged=%d received=%d lost=%d duplicates=%d out_of_order=%d"
                + " p50_ms=%d p99_ms=%d", tally.sent(), tally.acknowledged(), received(), lost(), duplicates(), outOfOrder(),
                latencyPercentile(50), latencyPercentile(99));
    }

    /** True when nothing acknowledged was lost and nothing arrived out of order. */
    public boolean success() {
        return lost() == 0 && outOfOrder() == 0;
    }

    private Truck truck(String id) {
        return trucks.computeIfAbsent(id, k -> new Truck());
    }

    private static final class Truck {
        private final ConcurrentMap<Long, Long> sentAt = new ConcurrentHashMap<>();
        private final BitSet acknowledged = new BitSet();
        private final BitSet received = new BitSet();

        void sent(long seq, long nanoTime) {
            sentAt.put(seq, nanoTime);
        }

        synchronized void acknowledged(long seq) {
            acknowledged.set(index(seq));
        }

        /** Marks the message received; returns its send time, or Long.MIN_VALUE if it was never sent here. */
        long received(long seq) {
            synchronized (this) {
                received.set(index(seq));
            }
            Long at = sentAt.remove(seq);
            return at == null ? Long.MIN_VALUE : at;
        }

        synchronized long lost() {
            BitSet missing = (BitSet) acknowledged.clone();
            missing.andNot(received);
            return missing.cardinality();
        }

        private static int index(long seq) {
            if (seq < 0 || seq > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("seq out of range: " + seq);
            }
            return (int) seq;
        }
    }
}
