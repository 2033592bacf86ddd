package dev.shardline.consumer;

import dev.shardline.aggregation.UserRecord;
import java.util.HashMap;
import java.util.Map;

/**
 * Picks the lane for each record by key (the partition key, and the explicit hash key when the record carries one).
 * A key with records handed out and not yet released stays on its lane, so its records keep their shard order; a key
 * with none goes to the lane with the fewest records outstanding, so a few hot lanes do not hold up the rest (hashing
 * 25 keys onto 16 lanes would leave some lanes with four keys and others idle). Pure and thread-safe: the shard's
 * thread assigns, lanes release when a call over the record has returned.
 */
final class LaneDispatcher {
    private final int lanes;
    private final long[] load;
    private final Map<String, Pinned> keys = new HashMap<>();

    private static final class Pinned {
        final int lane;
        long outstanding;

        Pinned(int lane) {
            this.lane = lane;
        }
    }

    LaneDispatcher(int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be >= 1, got " + lanes);
        }
        this.lanes = lanes;
        this.load = new long[lanes];
    }

    int lanes() {
        return lanes;
    }

    static String key(UserRecord record) {
        return record.explicitHashKey() == null ? record.partitionKey()
                : record.partitionKey() + '\u0000' + record.explicitHashKey();
    }

    /** The lane for {@code record}, which counts as outstanding there until {@link #release released}. */
    synchronized int assign(UserRecord record) {
        if (lanes == 1) {
            return 0;
        }
        Pinned p = keys.computeIfAbsent(key(record), k -> new Pinned(leastLoaded()));
        p.outstanding++;
        load[p.lane]++;
        return p.lane;
    }

    /** {@code record}, assigned before, is done on its lane (the call over it returned): its key may move. */
    synchronized void release(UserRecord record) {
        if (lanes == 1) {
            return;
        }
        String k = key(record);
        Pinned p = keys.get(k);
        if (p == null) {
            throw new IllegalStateException("record of key " + k + " released but never assigned");
        }
        load[p.lane]--;
        if (--p.outstanding == 0) {
            keys.remove(k);
        }
    }

    /** Records outstanding on {@code lane}. */
    synchronized long load(int lane) {
        return load[lane];
    }

    private int leastLoaded() {
        int best = 0;
        for (int i = 1; i < lanes; i++) {
            if (load[i] < load[best]) {
                best = i;
            }
        }
        return best;
    }
}
