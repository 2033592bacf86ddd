package dev.shardline.producer;

import java.util.ArrayList;
import java.util.List;

/**
 * Picks closed aggregates of one stream into a PutRecords call of at most N entries and B bytes, round-robin over
 * the stream's shards (one entry per shard per round, starting after the shard that led the last call) so that a hot
 * shard cannot starve the others, taking only what each shard's rate limiter allows. In strict-ordering mode a call
 * carries at most one entry per shard and skips shards with a call in flight.
 */
final class Collector {
    private final int maxRecords;
    private final int maxBytes;
    private final boolean strictOrdering;

    Collector(int maxRecords, int maxBytes, boolean strictOrdering) {
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.strictOrdering = strictOrdering;
    }

    /**
     * @param shards the stream's shard queues; {@code start} rotates the round-robin
     * @return the entries for one call (removed from their queues), empty if none may go now
     */
    List<Aggregate> collect(List<ShardQueue> shards, int start, long now) {
        List<Aggregate> batch = new ArrayList<>();
        int n = shards.size();
        if (n == 0) {
            return batch;
        }
        boolean[] done = new boolean[n];
        long bytes = 0;
        boolean progress = true;
        while (progress && batch.size() < maxRecords) {
            progress = false;
            for (int k = 0; k < n && batch.size() < maxRecords; k++) {
                int i = Math.floorMod(start + k, n);
                if (done[i]) {
                    continue;
                }
                ShardQueue q = shards.get(i);
                Aggregate head = q.ready.peekFirst();
                if (head == null || strictOrdering && q.inFlight > 0 || now - head.notBeforeNanos < 0) {
                    done[i] = true;
                    continue;
                }
                if (bytes + head.sizeBytes() > maxBytes) {
                    done[i] = true;
                    continue;
                }
                if (!q.limiter.tryAcquire(head.sizeBytes(), now)) {
                    done[i] = true;
                    continue;
                }
                q.ready.pollFirst();
                batch.add(head);
                bytes += head.sizeBytes();
                progress = true;
                if (strictOrdering) {
                    done[i] = true;
                }
            }
        }
        return batch;
    }
}
