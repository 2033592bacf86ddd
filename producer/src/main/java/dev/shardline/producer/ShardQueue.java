package dev.shardline.producer;

import dev.shardline.aggregation.Aggregator;
import io.micrometer.core.instrument.Counter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything bound for one predicted shard: the open aggregate being filled, the closed aggregates waiting to be
 * sent (oldest first), the shard's rate limiter and its calls in flight. Guarded by the producer's lock.
 */
final class ShardQueue {
    final String stream;
    final String shardId;
    final ShardRateLimiter limiter;
    final Counter throttles;
    final ProducerMetrics.Scope meters;
    private final Aggregator open;
    private final int maxBytes;
    private final int maxCount;
    private List<PendingRecord> openRecords = new ArrayList<>();
    private long openSinceNanos;
    final ArrayDeque<Aggregate> ready = new ArrayDeque<>();
    int inFlight;
    /** Out of routing: its shard closed or a put for it landed elsewhere. Entries coming back go to the stream. */
    boolean retired;

    ShardQueue(String stream, String shardId, int aggregationMaxBytes, int aggregationMaxCount,
            ShardRateLimiter limiter, Counter throttles, ProducerMetrics.Scope meters) {
        this.stream = stream;
        this.shardId = shardId;
        this.open = new Aggregator(aggregationMaxBytes, aggregationMaxCount);
        this.maxBytes = aggregationMaxBytes;
        this.maxCount = aggregationMaxCount;
        this.limiter = limiter;
        this.throttles = throttles;
        this.meters = meters;
    }

    /**
     * Adds a validated record to the open aggregate, closing the aggregate first when the record does not fit.
     *
     * @return true if an aggregate was closed (work for the sender)
     */
    boolean append(PendingRecord r, long now) {
        boolean closed = false;
        if (!open.addValidated(r.partitionKey, r.partitionKeyUtf8, r.explicitHashKey, r.data)) {
            closeOpen();
            closed = true;
            if (!open.addValidated(r.partitionKey, r.partitionKeyUtf8, r.explicitHashKey, r.data)) {
                throw new IllegalStateException("an empty aggregator takes any valid record");
            }
        }
        if (openRecords.isEmpty()) {
            openSinceNanos = now;
        }
        openRecords.add(r);
        if (open.size() >= maxCount || open.sizeBytes() > maxBytes - 64) {
            // full, or nearly: waiting would not add much
            closeOpen();
            closed = true;
        }
        return closed;
    }

    /** Closes the open aggregate if it is non-empty. */
    void closeOpen() {
        if (openRecords.isEmpty()) {
            return;
        }
        ready.addLast(new Aggregate(this, open.build(), openRecords));
        openRecords = new ArrayList<>();
    }

    boolean hasOpen() {
        return !openRecords.isEmpty();
    }

    long openSinceNanos() {
        return openSinceNanos;
    }

    List<PendingRecord> openRecords() {
        return openRecords;
    }

    /** Removes and returns every record waiting here (closed aggregates oldest first, then the open one), in order. */
    List<PendingRecord> drain() {
        List<PendingRecord> out = new ArrayList<>();
        for (Aggregate a : ready) {
            out.addAll(a.records);
        }
        ready.clear();
        out.addAll(openRecords);
        openRecords = new ArrayList<>();
        open.clear();
        return out;
    }

    boolean idle() {
        return openRecords.isEmpty() && ready.isEmpty() && inFlight == 0;
    }
}
