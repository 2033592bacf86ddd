package dev.shardline.producer;

import java.time.Instant;
import java.util.List;

/** One PutRecords call: closed aggregates of one stream, drained by the accumulator, sent by the sender. */
final class Batch {
    final StreamState stream;
    final List<Aggregate> entries;
    private Instant startedAt = Instant.EPOCH;
    private long startedNanos;

    Batch(StreamState stream, List<Aggregate> entries, long now) {
        this.stream = stream;
        this.entries = entries;
        this.startedNanos = now;
    }

    /** The stream name or ARN the call goes to. */
    String streamName() {
        return stream.stream;
    }

    /** Marks the moment the call went out (wall clock for users' attempts, monotonic for its latency). */
    void started(Instant at, long nanos) {
        this.startedAt = at;
        this.startedNanos = nanos;
    }

    Instant startedAt() {
        return startedAt;
    }

    long startedNanos() {
        return startedNanos;
    }

    int userRecords() {
        int n = 0;
        for (Aggregate a : entries) {
            n += a.records.size();
        }
        return n;
    }
}
