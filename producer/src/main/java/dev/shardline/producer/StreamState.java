package dev.shardline.producer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A stream's shard queues and the records waiting for its shard map. Guarded by the producer's lock. */
final class StreamState {
    final String stream;
    final Map<String, ShardQueue> byShard = new HashMap<>();
    final List<ShardQueue> queues = new ArrayList<>();
    final ArrayDeque<PendingRecord> unrouted = new ArrayDeque<>();
    /** Round-robin start of the next collection. */
    int nextStart;
    long lastRefreshRequestNanos;
    /** The shard table routing last used; a newer one retires the queues of shards it no longer lists. */
    long tableLoadedAtNanos = Long.MIN_VALUE;
    /** Retired queues with calls still in flight: nothing is routed until they answer, since their records come first. */
    final List<ShardQueue> retiring = new ArrayList<>();
    /** Flushes waiting on this stream: while any, open aggregates close at once instead of after maxBufferedTime. */
    final AtomicInteger flushes = new AtomicInteger();
    final ProducerMetrics.Scope meters;

    StreamState(String stream, ProducerMetrics.Scope meters) {
        this.stream = stream;
        this.meters = meters;
    }
}
