package dev.shardline.producer;

import dev.shardline.aggregation.Aggregator;
import dev.shardline.aggregation.KinesisRecord;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** One closed PutRecords entry: a Kinesis record (aggregate or plain) and the user records in it, in order. */
final class Aggregate {
    final String stream;
    final String predictedShardId;
    final ShardQueue queue;
    final List<PendingRecord> records;
    KinesisRecord record;
    /** Failed tries of this entry, for the retry backoff. */
    int failures;
    /** Not to be sent before (a retry's backoff). */
    long notBeforeNanos;
    private long oldestDeadline;
    private boolean oldestKnown;

    Aggregate(ShardQueue queue, KinesisRecord record, List<PendingRecord> records) {
        this.queue = queue;
        this.stream = queue.stream;
        this.predictedShardId = queue.shardId;
        this.record = record;
        this.records = records;
    }

    int sizeBytes() {
        return record.sizeBytes();
    }

    /** The earliest deadline of its records (cached: the records change only in {@link #removeExpired}). */
    long oldestDeadlineNanos() {
        if (!oldestKnown) {
            long min = Long.MAX_VALUE;
            for (PendingRecord r : records) {
                min = Math.min(min, r.deadlineNanos);
            }
            oldestDeadline = min;
            oldestKnown = true;
        }
        return oldestDeadline;
    }

    /**
     * Removes the records whose deadline passed and re-packs the rest (same order).
     *
     * @return the expired records (empty if none)
     */
    List<PendingRecord> removeExpired(long now, int maxRecordBytes) {
        List<PendingRecord> expired = new ArrayList<>(0);
        for (Iterator<PendingRecord> it = records.iterator(); it.hasNext(); ) {
            PendingRecord r = it.next();
            if (now - r.deadlineNanos >= 0) {
                expired.add(r);
                it.remove();
            }
        }
        if (!expired.isEmpty()) {
            oldestKnown = false;
        }
        if (!expired.isEmpty() && !records.isEmpty()) {
            Aggregator aggregator = new Aggregator(maxRecordBytes, records.size());
            for (PendingRecord r : records) {
                if (!aggregator.addValidated(r.partitionKey, r.partitionKeyUtf8, r.explicitHashKey, r.data)) {
                    throw new IllegalStateException("a smaller aggregate must fit");
                }
            }
            record = aggregator.build();
        }
        return expired;
    }
}
