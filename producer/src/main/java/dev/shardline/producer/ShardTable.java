package dev.shardline.producer;

import dev.shardline.aggregation.HashKeyRange;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The open shards of a stream at one time, sorted by starting hash key: predicts the shard of a hash key. */
final class ShardTable {
    /** One open shard. */
    record Shard(String shardId, HashKeyRange range) {
    }

    private final Shard[] shards;
    final long loadedAtNanos;

    ShardTable(List<Shard> open, long loadedAtNanos) {
        if (open.isEmpty()) {
            throw new IllegalArgumentException("a stream has at least one open shard");
        }
        List<Shard> sorted = new ArrayList<>(open);
        sorted.sort(Comparator.comparing(s -> s.range().startingHashKey()));
        this.shards = sorted.toArray(new Shard[0]);
        this.loadedAtNanos = loadedAtNanos;
    }

    /** The shard whose range holds {@code hashKey}; with gaps (mid-reshard), the one starting closest below it. */
    Shard shardFor(BigInteger hashKey) {
        int lo = 0;
        int hi = shards.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (shards[mid].range().startingHashKey().compareTo(hashKey) <= 0) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return shards[lo];
    }

    Shard shard(String shardId) {
        for (Shard s : shards) {
            if (s.shardId().equals(shardId)) {
                return s;
            }
        }
        return null;
    }

    int size() {
        return shards.length;
    }

    List<Shard> shards() {
        return List.of(shards);
    }
}
