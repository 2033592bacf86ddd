package dev.shardline.examples.track;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.examples.console.ShardTraffic;
import dev.shardline.examples.trucks.TruckPosition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the tracker knows: the latest position of each truck, the order check of each truck's messages (per run
 * of the fleet), and how far behind each shard's reader is. Thread-safe: one processor per shard feeds it.
 */
public final class FleetTracker {
    /** Hears about every truck position processed (the demo's accounting). */
    public interface Listener {
        void processed(TruckPosition position, long nanoTime);
    }

    private static final Logger LOG = LoggerFactory.getLogger(FleetTracker.class);

    private final Map<String, TruckPosition> latest = new ConcurrentHashMap<>();
    private final Map<String, Long> shardLag = new ConcurrentHashMap<>();
    /** Per shard: records and payload bytes processed (the console's records-out chart). */
    private final Map<String, long[]> processed = new ConcurrentHashMap<>();
    private final SequenceChecker order = new SequenceChecker();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private final Listener listener;

    public FleetTracker(Listener listener) {
        this.listener = listener;
    }

    /** Takes one record of shard {@code shardId}; a record that is not a truck position is counted apart. */
    public void accept(String shardId, UserRecord record) {
        long now = System.nanoTime();
        records.incrementAndGet();
        long[] count = processed.computeIfAbsent(shardId, s -> new long[2]);
        synchronized (count) {
            count[0]++;
            count[1] += record.data().remaining();
        }
        TruckPosition position;
        try {
            position = TruckPosition.parse(record.dataBytes());
        } catch (IllegalArgumentException e) {
            unreadable.incrementAndGet();
            return;
        }
        String key = position.run() + "/" + position.truckId();
        long newest = order.newest(key);
        SequenceChecker.Outcome outcome = order.observe(key, position.seq());
        if (outcome == SequenceChecker.Outcome.OUT_OF_ORDER) {
            LOG.warn("{} position {} arrived after position {} (shard {}, sequence number {}/{})", position.truckId(),
                    position.seq(), newest, shardId, record.sequenceNumber(), record.subSequenceNumber());
        } else if (outcome == SequenceChecker.Outcome.DUPLICATE) {
            LOG.debug("{} position {} again (shard {})", position.truckId(), position.seq(), shardId);
        }
        if (outcome == SequenceChecker.Outcome.IN_ORDER || outcome == SequenceChecker.Outcome.GAP) {
            latest.put(position.truckId(), position);
        }
        if (listener != null) {
            listener.processed(position, now);
        }
    }

    /** Notes how far behind the tip shard {@code shardId}'s reader was. */
    public void lag(String shardId, long millisBehindLatest) {
        shardLag.put(shardId, millisBehindLatest);
    }

    /** The shard is finished (ended, or handed over): it no longer counts for lag. */
    public void shardClosed(String shardId) {
        shardLag.remove(shardId);
    }

    public SequenceChecker order() {
        return order;
    }

    public long records() {
        return records.get();
    }

    /** Records that were not truck positions. */
    public long unreadable() {
        return unreadable.get();
    }

    public int trucks() {
        return latest.size();
    }

    /** The newest position of every truck, by truck id. */
    public List<TruckPosition> latest() {
        List<TruckPosition> positions = new ArrayList<>(latest.values());
        positions.sort(Comparator.comparing(TruckPosition::truckId));
        return positions;
    }

    /** Records and payload bytes processed so far, per shard id. */
    public Map<String, ShardTraffic.Totals> processedByShard() {
        Map<String, ShardTraffic.Totals> out = new java.util.HashMap<>();
        processed.forEach((shard, count) -> {
            synchronized (count) {
                out.put(shard, new ShardTraffic.Totals(count[0], count[1]));
            }
        });
        return out;
    }

    /** MillisBehindLatest of each shard being read. */
    public Map<String, Long> shardLag() {
        return Map.copyOf(shardLag);
    }

    /** The largest MillisBehindLatest of the shards being read, or -1 when none is. */
    public long maxLag() {
        return shardLag.values().stream().mapToLong(Long::longValue).max().orElse(-1);
    }

    /** One line: records, trucks and the order check. */
    public String summary() {
        return String.format("records=%d trucks=%d in_order=%d gaps=%d missing=%d out_of_order=%d duplicates=%d"
                + " unreadable=%d", records(), trucks(), order.inOrder(), order.gaps(), order.missing(),
                order.outOfOrder(), order.duplicates(), unreadable());
    }
}
