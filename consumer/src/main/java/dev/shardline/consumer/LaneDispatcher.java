package dev.shardline.consumer;

import dev.shardline.aggregation.UserRecord;
import java.util.ArrayList;
import java.util.List;

/**
 * Spreads a shard's records over lanes by key: the partition key, and the explicit hash key when the record carries
 * one, so every record of a key lands on the same lane and keeps its shard order there. Pure.
 */
final class LaneDispatcher {
    private final int lanes;

    LaneDispatcher(int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be >= 1, got " + lanes);
        }
        this.lanes = lanes;
    }

    int lanes() {
        return lanes;
    }

    /** The lane of {@code record}'s key. */
    int laneOf(UserRecord record) {
        if (lanes == 1) {
            return 0;
        }
        int h = record.partitionKey().hashCode();
        if (record.explicitHashKey() != null) {
            h = 31 * h + record.explicitHashKey().hashCode();
        }
        h ^= h >>> 16; // String hashes of similar keys differ mostly in the low bits: mix before the modulo
        return Math.floorMod(h * 0x9E3779B9, lanes);
    }

    /** {@code records} split by lane, each list in the given order; lanes without records get an empty list. */
    List<List<UserRecord>> split(List<UserRecord> records) {
        List<List<UserRecord>> out = new ArrayList<>(lanes);
        if (lanes == 1) {
            out.add(records);
            return out;
        }
        for (int i = 0; i < lanes; i++) {
            out.add(new ArrayList<>());
        }
        for (UserRecord r : records) {
            out.get(laneOf(r)).add(r);
        }
        return out;
    }
}
