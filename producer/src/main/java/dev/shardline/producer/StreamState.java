package dev.shardline.producer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** A stream's shard queues and the records waiting for its shard map. Guarded by the producer's lock. */
final class StreamState {
    final String stream;
    final Map<String, ShardQueue> byShard = new HashMap<>();
    final List<ShardQueue> queues = new ArrayList<>();
    final ArrayDeque<PendingRecord> unrouted = new ArrayDeque<>();
    /** Round-robin start of the next collection. */
    int nextStart;
    long lastRefreshRequestNanos;

    StreamState(String stream) {
        this.stream = stream;
    }
}
