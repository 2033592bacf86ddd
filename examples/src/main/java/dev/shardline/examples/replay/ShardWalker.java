package dev.shardline.examples.replay;

import dev.shardline.aggregation.Deaggregator;
import dev.shardline.aggregation.HashKeyRange;
import dev.shardline.aggregation.UserRecord;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KmsThrottlingException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Reads every shard of a {@link ReplayPlan} with GetRecords, in order per shard, all open shards side by side;
 * a child shard starts only once all its parents are read to their end. De-aggregates, skips what the start
 * position excludes, and hands each user record to the sink on the calling thread. With an {@code until}
 * instant it stops each shard at its first record that arrived at or after it (or at the tip of an open shard),
 * and the run ends; otherwise it follows the stream until interrupted.
 */
final class ShardWalker {
    /** Receives the records, one shard's in order. */
    interface Sink {
        void accept(String shardId, UserRecord record) throws IOException;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ShardWalker.class);
    /** GetRecords allows 5 calls per second per shard. */
    private static final long POLL_MILLIS = 200;
    private static final long IDLE_MILLIS = 500;
    private static final long THROTTLED_MILLIS = 1000;
    private static final int MAX_CONSECUTIVE_ERRORS = 10;

    private enum State { WAITING, READING, DONE, STOPPED }

    private final KinesisAsyncClient kinesis;
    private final String stream;
    private final ReplayPlan plan;
    private final Instant until;
    private final Sink sink;
    private final Map<String, Reader> readers = new LinkedHashMap<>();
    private final AtomicLong records = new AtomicLong();
    private final List<String> warnings = new ArrayList<>();
    private volatile long lagMillis;
    private volatile int finished;

    ShardWalker(KinesisAsyncClient kinesis, String stream, ReplayPlan plan, Instant until, Sink sink) {
        this.kinesis = kinesis;
        this.stream = stream;
        this.plan = plan;
        this.until = until;
        this.sink = sink;
        for (Shard shard : plan.shards().values()) {
            readers.put(shard.shardId(), new Reader(shard, plan.start(shard.shardId())));
        }
    }

    /** User records handed to the sink so far. */
    long records() {
        return records.get();
    }

    int shardsTotal() {
        return readers.size();
    }

    /** Shards read to their end, or to the until instant. */
    int shardsFinished() {
        return finished;
    }

    /** The largest MillisBehindLatest of the shards being read. */
    long lagMillis() {
        return lagMillis;
    }

    /** Warnings raised while reading (a checkpoint the stream no longer has, ...). */
    synchronized List<String> warnings() {
        return List.copyOf(warnings);
    }

    /** Reads until every shard is finished (with an until instant), or until interrupted. */
    void run() throws IOException, InterruptedException {
        while (true) {
            promote();
            List<Reader> due = new ArrayList<>();
            long now = System.currentTimeMillis();
            long nextDue = Long.MAX_VALUE;
            int open = 0;
            for (Reader reader : readers.values()) {
                if (reader.state == State.READING || reader.state == State.WAITING) {
                    open++;
                }
                if (reader.state == State.READING) {
                    if (reader.dueAt <= now) {
                        due.add(reader);
                    } else {
                        nextDue = Math.min(nextDue, reader.dueAt);
                    }
                }
            }
            finished = (int) readers.values().stream()
                    .filter(r -> r.state == State.DONE || r.state == State.STOPPED).count();
            if (open == 0) {
                return;
            }
            if (due.isEmpty()) {
                Thread.sleep(Math.max(1, Math.min(100, nextDue - now)));
                continue;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            List<CompletableFuture<GetRecordsResponse>> calls = new ArrayList<>(due.size());
            for (Reader reader : due) {
                calls.add(kinesis.getRecords(b -> b.shardIterator(reader.iterator)));
            }
            long lag = 0;
            for (int i = 0; i < due.size(); i++) {
                Reader reader = due.get(i);
                try {
                    reader.handle(calls.get(i).join());
                    reader.errors = 0;
                } catch (CompletionException e) {
                    reader.failed(e.getCause() != null ? e.getCause() : e);
                }
                lag = Math.max(lag, reader.state == State.READING ? reader.millisBehind : 0);
            }
            lagMillis = lag;
        }
    }

    /** Starts the shards whose parents are done; a child of a stopped shard is stopped too. */
    private void promote() {
        boolean changed = true;
        while (changed) {
            changed = false;
            for (Reader reader : readers.values()) {
                if (reader.state != State.WAITING) {
                    continue;
                }
                State p1 = parentState(reader.shard.parentShardId());
                State p2 = parentState(reader.shard.adjacentParentShardId());
                if (p1 == State.STOPPED || p2 == State.STOPPED) {
                    reader.state = State.STOPPED;
                    changed = true;
                } else if (p1 == State.DONE && p2 == State.DONE) {
                    reader.begin();
                    changed = true;
                }
            }
        }
    }

    private State parentState(String parentId) {
        Reader parent = parentId == null ? null : readers.get(parentId);
        return parent == null ? State.DONE : parent.state; // a parent past retention is long done
    }

    private synchronized void warn(String warning) {
        warnings.add(warning);
        LOG.warn(warning);
    }

    private final class Reader {
        final Shard shard;
        final HashKeyRange range;
        StartPosition start;
        State state = State.WAITING;
        String iterator;
        String lastSequence;
        long dueAt;
        long millisBehind;
        int errors;

        Reader(Shard shard, StartPosition start) {
            this.shard = shard;
            this.start = start;
            this.range = shard.hashKeyRange() == null ? null
                    : HashKeyRange.of(shard.hashKeyRange().startingHashKey(), shard.hashKeyRange().endingHashKey());
        }

        void begin() {
            if (start == null) { // checkpointed at SHARD_END
                state = State.DONE;
                return;
            }
            iterator = iterator(start);
            state = iterator == null ? State.DONE : State.READING;
        }

        String iterator(StartPosition position) {
            GetShardIteratorRequest.Builder request = GetShardIteratorRequest.builder().streamName(stream)
                    .shardId(shard.shardId());
            position.applyTo(request);
            try {
                return kinesis.getShardIterator(request.build()).join().shardIterator();
            } catch (CompletionException e) {
                if (e.getCause() instanceof InvalidArgumentException && position.sequenceNumber() != null) {
                    warn("shard " + shard.shardId() + " has no record " + position.sequenceNumber()
                            + " (older than the trim horizon?): starting at TRIM_HORIZON");
                    start = StartPosition.trimHorizon();
                    return iterator(start);
                }
                throw e;
            }
        }

        void handle(GetRecordsResponse response) throws IOException {
            millisBehind = response.millisBehindLatest() == null ? 0 : response.millisBehindLatest();
            List<UserRecord> batch = new ArrayList<>(response.records().size());
            boolean reachedUntil = false;
            for (Record record : response.records()) {
                if (until != null && record.approximateArrivalTimestamp() != null
                        && !record.approximateArrivalTimestamp().isBefore(until)) {
                    reachedUntil = true;
                    break;
                }
                batch.add(UserRecord.kinesisRecord(record.sequenceNumber(), record.partitionKey(),
                        record.data().asByteArrayUnsafe(), record.approximateArrivalTimestamp()));
            }
            for (UserRecord user : Deaggregator.deaggregate(batch, range)) {
                if (!start.skips(user.sequenceNumber(), user.subSequenceNumber())) {
                    sink.accept(shard.shardId(), user);
                    records.incrementAndGet();
                }
            }
            if (!batch.isEmpty()) {
                lastSequence = batch.get(batch.size() - 1).sequenceNumber();
            }
            iterator = response.nextShardIterator();
            long now = System.currentTimeMillis();
            if (reachedUntil) {
                state = State.STOPPED;
            } else if (iterator == null) {
                state = State.DONE; // closed and read to its end: the children are next
            } else if (until != null && response.records().isEmpty() && millisBehind == 0) {
                state = State.STOPPED; // at the tip of an open shard: everything before `until` is read
            } else {
                dueAt = now + (response.records().isEmpty() && millisBehind == 0 ? IDLE_MILLIS : POLL_MILLIS);
            }
        }

        void failed(Throwable error) {
            long now = System.currentTimeMillis();
            if (error instanceof ExpiredIteratorException) {
                iterator = iterator(lastSequence != null ? StartPosition.afterSequence(lastSequence) : start);
                dueAt = now;
                return;
            }
            if (error instanceof ProvisionedThroughputExceededException || error instanceof LimitExceededException
                    || error instanceof KmsThrottlingException) {
                dueAt = now + THROTTLED_MILLIS;
                return;
            }
            if (error instanceof SdkException && ++errors < MAX_CONSECUTIVE_ERRORS) {
                LOG.debug("GetRecords on {} failed, retrying: {}", shard.shardId(), error.toString());
                dueAt = now + THROTTLED_MILLIS * errors;
                return;
            }
            throw error instanceof RuntimeException re ? re : new CompletionException(error);
        }
    }
}
