package dev.shardline.producer;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * Every decision of the producer, and no I/O (Kafka's {@code RecordAccumulator}): routes accepted records to the
 * aggregate of their predicted shard, closes aggregates when full or {@code maxBufferedTime} old, drains closed ones
 * into {@link Batch}es within each shard's rate and the ordering rules, and takes each entry's outcome: stored,
 * stored on another shard than predicted (a reshard), retryable or final failure, expiry, abort.
 *
 * <p>The reshard rules live here. A newer shard table retires the queues of shards it no longer lists; their waiting
 * records go back to the front of the stream's unrouted records, in order. An aggregate that landed on another shard
 * than predicted has its records sent again, first, followed by what waited behind them in that queue. While a
 * retired queue still has a batch in flight, nothing of the stream is routed: that batch's records may come back and
 * must go first.
 *
 * <p>Time is passed in ({@code now}, monotonic nanoseconds). Thread-safe through one internal lock, never held while
 * calling out except for the in-memory {@link ShardTables}. Outcomes are set on the records and collected; the caller
 * completes their futures with {@link #takeCompletions()} off this lock.
 */
final class RecordAccumulator {
    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long REFRESH_REQUEST_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long IDLE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long UNROUTED_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Shard maps as the accumulator sees them: the current table, the last load failure, a request to reload. */
    interface ShardTables {
        /** The stream's current table, or null while none is loaded. */
        ShardTable current(String stream);

        /** The last load failure while no table is loaded, or null. */
        Throwable failure(String stream);

        /** Asks for a reload in the background. */
        void refresh(String stream);
    }

    /** What {@link #drain} found: batches to send now, and how long the caller may wait before draining again. */
    record Drained(List<Batch> batches, long waitNanos) {
    }

    private final ProducerConfig config;
    private final ShardTables shardTables;
    private final ProducerMetrics metrics;
    private final BufferLimiter buffer;
    private final Collector collector;
    private final IntervalFunction backoff;
    private final long maxBufferedTimeNanos;
    private final long ttlNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private final Map<String, StreamState> streams = new HashMap<>();
    private final Set<Batch> inFlight = new HashSet<>();
    private List<PendingRecord> completions = new ArrayList<>();
    private boolean closed;
    private long nextSweepNanos;
    private int outstanding;

    RecordAccumulator(ProducerConfig config, ShardTables shardTables, ProducerMetrics metrics, BufferLimiter buffer) {
        this.config = config;
        this.shardTables = shardTables;
        this.metrics = metrics;
        this.buffer = buffer;
        this.collector = new Collector(config.maxRecordsPerRequest(), config.maxBytesPerRequest(), config.strictOrdering());
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(config.retryInitialBackoff(), 2.0, 0.5,
                config.retryMaxBackoff());
        this.maxBufferedTimeNanos = config.maxBufferedTime().toNanos();
        this.ttlNanos = config.recordTtl().toNanos();
    }

    // ---- records in -----------------------------------------------------------------------------------------------

    /**
     * Takes an accepted record (its buffer bytes already acquired).
     *
     * @return true if there is work for the sender now (an aggregate closed, or the record waits for routing)
     */
    boolean append(PendingRecord r, long now) {
        lock.lock();
        try {
            outstanding++;
            if (closed) {
                // raced with close(): nothing would ever send it
                failClosed(r);
                return true;
            }
            StreamState state = streams.get(r.stream);
            if (state == null) {
                state = new StreamState(r.stream, metrics.stream(r.stream));
                streams.put(r.stream, state);
            }
            ShardTable table = state.unrouted.isEmpty() ? routingTable(state) : null;
            // a newer table may just have retired queues: their records, now unrouted, are older and go first
            if (table == null || !state.unrouted.isEmpty()) {
                state.unrouted.addLast(r);
                return true;
            }
            return route(state, r, table, now);
        } finally {
            lock.unlock();
        }
    }

    // ---- batches out ----------------------------------------------------------------------------------------------

    /**
     * Expires what is due, routes records waiting for a shard map, closes aggregates that are old enough (all of a
     * stream being flushed), and drains closed aggregates into batches, at most {@code maxConcurrentRequests} in
     * flight. The batches returned are in flight until {@link #completed} or {@link #failed}.
     */
    Drained drain(long now) {
        lock.lock();
        try {
            List<Batch> batches = new ArrayList<>();
            if (closed) {
                return new Drained(batches, IDLE_WAIT_NANOS);
            }
            if (now - nextSweepNanos >= 0) {
                expire(now);
                nextSweepNanos = now + SWEEP_INTERVAL_NANOS;
            }
            long wait = IDLE_WAIT_NANOS;
            for (StreamState state : streams.values()) {
                routeWaiting(state, now);
                if (!state.unrouted.isEmpty()) {
                    wait = Math.min(wait, UNROUTED_WAIT_NANOS);
                }
                boolean flushing = state.flushes.get() > 0;
                for (ShardQueue q : state.queues) {
                    if (q.hasOpen()) {
                        long due = q.openSinceNanos() + maxBufferedTimeNanos - now;
                        if (flushing || due <= 0) {
                            q.closeOpen();
                        } else {
                            wait = Math.min(wait, due);
                        }
                    }
                }
                collect(state, now, batches);
                for (ShardQueue q : state.queues) {
                    if (!q.ready.isEmpty()) {
                        // waiting for rate tokens, a backoff or a free call slot
                        wait = Math.min(wait, Math.max(MIN_WAIT_NANOS, q.limiter.blockedForNanos(now)));
                    }
                }
            }
            inFlight.addAll(batches);
            return new Drained(batches, batches.isEmpty() ? wait : 0);
        } finally {
            lock.unlock();
        }
    }

    private void collect(StreamState state, long now, List<Batch> batches) {
        while (inFlight.size() + batches.size() < config.maxConcurrentRequests()) {
            List<Aggregate> entries = collector.collect(state.queues, state.nextStart, now);
            if (entries.isEmpty()) {
                return;
            }
            state.nextStart = state.queues.isEmpty() ? 0 : (state.nextStart + 1) % state.queues.size();
            for (Aggregate a : entries) {
                a.queue.inFlight++;
            }
            batches.add(new Batch(state, entries, now));
        }
    }

    // ---- outcomes -------------------------------------------------------------------------------------------------

    /** The batch's PutRecords answered: each entry is stored, re-sent, retried or failed. */
    void completed(Batch batch, PutRecordsResponse response, long now) {
        lock.lock();
        try {
            if (!land(batch, now)) {
                return;
            }
            List<PutRecordsResultEntry> results = response.records();
            Duration took = Duration.ofNanos(now - batch.startedNanos());
            for (int i = 0; i < batch.entries.size(); i++) {
                Aggregate a = batch.entries.get(i);
                PutRecordsResultEntry e = i < results.size() ? results.get(i) : null;
                if (e != null && e.errorCode() == null) {
                    stored(batch.stream, a, e, new Attempt(batch.startedAt(), took, null, null), now);
                } else {
                    Errors.Classified c = e == null
                            ? Errors.entry("InternalFailure", "PutRecords response has " + results.size()
                                    + " results for " + batch.entries.size() + " entries")
                            : Errors.entry(e.errorCode(), e.errorMessage());
                    Attempt attempt = new Attempt(batch.startedAt(), took, c.code(), c.message());
                    a.records.forEach(r -> r.addAttempt(attempt));
                    entryFailed(batch.stream, a, c, now);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** The batch's call failed as a whole (an error answer, a timeout, a lost connection): every entry failed. */
    void failed(Batch batch, Throwable error, long now) {
        lock.lock();
        try {
            if (!land(batch, now)) {
                return;
            }
            Errors.Classified c = Errors.call(error);
            Attempt attempt = new Attempt(batch.startedAt(), Duration.ofNanos(now - batch.startedNanos()), c.code(),
                    c.message());
            for (Aggregate a : batch.entries) {
                a.records.forEach(r -> r.addAttempt(attempt));
                entryFailed(batch.stream, a, c, now);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Takes the batch out of flight; false if it was no longer in flight (aborted). */
    private boolean land(Batch batch, long now) {
        if (!inFlight.remove(batch)) {
            return false;
        }
        metrics.putRecordsLatency.record(now - batch.startedNanos(), TimeUnit.NANOSECONDS);
        for (Aggregate a : batch.entries) {
            a.queue.inFlight--;
        }
        return true;
    }

    private void stored(StreamState state, Aggregate a, PutRecordsResultEntry e, Attempt attempt, long now) {
        a.queue.limiter.onSuccess(now);
        boolean aggregated = a.record.aggregated();
        if (!e.shardId().equals(a.predictedShardId)) {
            requestRefresh(state, now, true);
            if (aggregated) {
                // Amazon KCL drops an aggregate found on a shard that does not own all its keys: send each again
                Attempt stray = new Attempt(attempt.startedAt(), attempt.duration(), "ShardMispredicted",
                        "aggregate stored on " + e.shardId() + " (sequence " + e.sequenceNumber() + "), predicted "
                                + a.predictedShardId + "; sending its records again");
                for (PendingRecord r : a.records) {
                    r.addAttempt(stray);
                    r.routeNotBeforeNanos = now;
                }
                // They go first, then whatever waited behind them for the same (stale) prediction, so that a
                // key's records keep their order across the reshard.
                retire(state, a.queue, a.records);
                a.queue.meters.resent(a.records.size());
                return;
            }
        }
        a.queue.meters.put(a.records.size(), a.sizeBytes());
        List<PendingRecord> records = a.records;
        List<Attempt> firstTime = List.of(attempt); // shared by every record stored at its first attempt
        for (int i = 0; i < records.size(); i++) {
            PendingRecord r = records.get(i);
            List<Attempt> attempts;
            if (r.hasAttempts()) {
                r.addAttempt(attempt);
                attempts = r.attempts();
            } else {
                attempts = firstTime;
            }
            r.succeeded(new SendResult(e.shardId(), e.sequenceNumber(), aggregated ? i : 0, attempts));
            done(r);
        }
    }

    private void entryFailed(StreamState state, Aggregate a, Errors.Classified c, long now) {
        if (!c.retryable()) {
            for (PendingRecord r : a.records) {
                fail(r, new RecordFailedException(c.code(), c.message(), r.attempts(), c.cause()));
            }
            a.queue.meters.failed(a.records.size());
            return;
        }
        a.queue.meters.retried();
        a.failures++;
        if (c.throttle()) {
            a.queue.limiter.onThrottle(now);
            a.queue.throttles.increment();
        } else {
            a.notBeforeNanos = now + backoff.apply(a.failures) * 1_000_000L;
        }
        expireIn(a, now);
        if (a.records.isEmpty()) {
            return;
        }
        if (a.queue.retired) {
            // its shard's queue is gone: back to the front of the stream, to be routed with the new shard map
            retire(state, a.queue, a.records);
            return;
        }
        if (!config.strictOrdering() && config.aggregationEnabled() && a.records.size() == 1 && c.throttle()) {
            // a lone record rides along with newer ones in the shard's open aggregate
            a.queue.append(a.records.get(0), now);
        } else {
            // at the head: under strict ordering nothing for this shard may overtake it
            a.queue.ready.addFirst(a);
        }
    }

    private void expire(long now) {
        for (StreamState state : streams.values()) {
            int expired = 0;
            for (Iterator<PendingRecord> it = state.unrouted.iterator(); it.hasNext(); ) {
                PendingRecord r = it.next();
                if (now - r.deadlineNanos >= 0) {
                    it.remove();
                    expireRecord(r);
                    expired++;
                }
            }
            state.meters.expired(expired);
            for (ShardQueue q : state.queues) {
                // oldest first (retries go to the head): stop at the first entry with nothing due
                for (Iterator<Aggregate> it = q.ready.iterator(); it.hasNext(); ) {
                    Aggregate a = it.next();
                    if (now - a.oldestDeadlineNanos() < 0) {
                        break;
                    }
                    expireIn(a, now);
                    if (a.records.isEmpty()) {
                        it.remove();
                    }
                }
            }
        }
    }

    private void expireIn(Aggregate a, long now) {
        List<PendingRecord> expired = a.removeExpired(now, config.maxRecordBytes());
        for (PendingRecord r : expired) {
            expireRecord(r);
        }
        a.queue.meters.expired(expired.size());
    }

    private void expireRecord(PendingRecord r) {
        List<Attempt> attempts = r.attempts();
        String reason = attempts.isEmpty() ? "never sent (shard map unavailable or shard rate limited)"
                : attempts.size() + " attempt(s), last error: " + r.lastError;
        fail(r, new RecordExpiredException("record expired: not acknowledged within recordTtl " + config.recordTtl()
                + "; " + reason, attempts));
    }

    private void failClosed(PendingRecord r) {
        fail(r, new ProducerClosedException("producer closed before the record was acknowledged"
                + (r.lastError != null ? "; last error: " + r.lastError : ""), r.attempts()));
    }

    private void fail(PendingRecord r, ProducerException e) {
        r.failed(e);
        done(r);
    }

    private void done(PendingRecord r) {
        outstanding--;
        buffer.release(r.bufferedBytes);
        completions.add(r);
    }

    // ---- routing --------------------------------------------------------------------------------------------------

    private boolean route(StreamState state, PendingRecord r, ShardTable table, long now) {
        ShardTable.Shard shard = table.shardFor(r.hashKey);
        ShardQueue q = state.byShard.get(shard.shardId());
        if (q == null) {
            double share = config.rateLimitShare();
            q = new ShardQueue(state.stream, shard.shardId(),
                    config.aggregationEnabled() ? config.aggregationMaxBytes() : config.maxRecordBytes(),
                    config.aggregationEnabled() ? config.aggregationMaxCount() : 1,
                    new ShardRateLimiter(config.rateLimitEnabled(), ProducerConfig.SHARD_RECORDS_PER_SECOND * share,
                            ProducerConfig.SHARD_BYTES_PER_SECOND * share, backoff, now),
                    metrics.throttles(state.stream, shard.shardId()), metrics.shard(state.stream, shard.shardId()));
            state.byShard.put(shard.shardId(), q);
            state.queues.add(q);
        }
        return q.append(r, now);
    }

    /**
     * The shard table to route with now, or null while routing must wait. A table newer than the last one used
     * retires the queues of shards it no longer lists (closed by a reshard): their waiting records return to the
     * front of the stream's unrouted records, in order. While a retired queue still has calls in flight nothing is
     * routed, because the records of those calls may have to be sent again, and they must go first.
     */
    private ShardTable routingTable(StreamState state) {
        ShardTable table = shardTables.current(state.stream);
        if (table == null) {
            return null;
        }
        if (table.loadedAtNanos != state.tableLoadedAtNanos) {
            state.tableLoadedAtNanos = table.loadedAtNanos;
            for (ShardQueue q : new ArrayList<>(state.queues)) {
                if (table.shard(q.shardId) == null) {
                    retire(state, q, List.of());
                }
            }
        }
        state.retiring.removeIf(q -> q.inFlight == 0);
        return state.retiring.isEmpty() ? table : null;
    }

    /**
     * Takes a queue out of routing and puts {@code first}, then every record still waiting in the queue, at the
     * front of the stream's unrouted records, in that order.
     */
    private void retire(StreamState state, ShardQueue q, List<PendingRecord> first) {
        if (!q.retired) {
            q.retired = true;
            state.byShard.remove(q.shardId);
            state.queues.remove(q);
        }
        List<PendingRecord> back = new ArrayList<>(first);
        back.addAll(q.drain());
        for (int i = back.size() - 1; i >= 0; i--) {
            state.unrouted.addFirst(back.get(i));
        }
        if (q.inFlight > 0 && !state.retiring.contains(q)) {
            state.retiring.add(q);
        }
    }

    private void routeWaiting(StreamState state, long now) {
        if (state.unrouted.isEmpty()) {
            return;
        }
        if (shardTables.current(state.stream) == null) {
            Throwable failure = shardTables.failure(state.stream);
            if (failure != null) {
                Errors.Classified c = Errors.call(failure);
                if (!c.retryable()) {
                    int n = state.unrouted.size();
                    PendingRecord r;
                    while ((r = state.unrouted.pollFirst()) != null) {
                        fail(r, new RecordFailedException(c.code(), c.message(), r.attempts(), c.cause()));
                    }
                    state.meters.failed(n);
                }
            }
            return;
        }
        ShardTable table = routingTable(state);
        if (table == null) {
            return;
        }
        PendingRecord r;
        while ((r = state.unrouted.peekFirst()) != null) {
            if (r.routeNotBeforeNanos != 0 && table.loadedAtNanos - r.routeNotBeforeNanos < 0) {
                // re-sent after a misprediction: only a map loaded after it landed can place it
                requestRefresh(state, now, false);
                return;
            }
            state.unrouted.pollFirst();
            route(state, r, table, now);
        }
    }

    private void requestRefresh(StreamState state, long now, boolean force) {
        if (force || now - state.lastRefreshRequestNanos >= REFRESH_REQUEST_INTERVAL_NANOS) {
            state.lastRefreshRequestNanos = now;
            shardTables.refresh(state.stream);
        }
    }

    // ---- flush, abort, what is held -------------------------------------------------------------------------------

    /**
     * Completes when every record of {@code stream} (every stream if null) held now has completed; until then the
     * stream's open aggregates close at once. The caller wakes the sender.
     */
    CompletableFuture<Void> flush(String stream) {
        List<CompletableFuture<SendResult>> futures = new ArrayList<>();
        List<StreamState> flushed = new ArrayList<>();
        lock.lock();
        try {
            for (StreamState state : streams.values()) {
                if (stream != null && !stream.equals(state.stream)) {
                    continue;
                }
                int before = futures.size();
                state.unrouted.forEach(r -> futures.add(r.future));
                for (ShardQueue q : state.queues) {
                    q.openRecords().forEach(r -> futures.add(r.future));
                    q.ready.forEach(a -> a.records.forEach(r -> futures.add(r.future)));
                }
                for (Batch b : inFlight) {
                    if (b.stream == state) {
                        b.entries.forEach(a -> a.records.forEach(r -> futures.add(r.future)));
                    }
                }
                if (futures.size() > before) {
                    state.flushes.incrementAndGet();
                    flushed.add(state);
                }
            }
        } finally {
            lock.unlock();
        }
        if (futures.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])).handle((ok, error) -> {
            flushed.forEach(s -> s.flushes.decrementAndGet());
            return null;
        });
    }

    /** Fails every record held, in flight included, with {@link ProducerClosedException}; later appends fail too. */
    void abort() {
        lock.lock();
        try {
            closed = true;
            for (StreamState state : streams.values()) {
                state.unrouted.forEach(this::failClosed);
                state.unrouted.clear();
                for (ShardQueue q : state.queues) {
                    q.drain().forEach(this::failClosed);
                }
            }
            for (Batch b : inFlight) {
                b.entries.forEach(a -> a.records.forEach(this::failClosed));
            }
            inFlight.clear();
        } finally {
            lock.unlock();
        }
    }

    /** The records whose outcome was set since the last call, to complete off the lock. */
    List<PendingRecord> takeCompletions() {
        lock.lock();
        try {
            if (completions.isEmpty()) {
                return List.of();
            }
            List<PendingRecord> out = completions;
            completions = new ArrayList<>();
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** User records accepted and not yet given an outcome. */
    int outstandingRecords() {
        lock.lock();
        try {
            return outstanding;
        } finally {
            lock.unlock();
        }
    }

    /** Nanoseconds since the oldest record held was accepted; 0 when none is held. */
    long oldestRecordAgeNanos(long now) {
        lock.lock();
        try {
            long oldestDeadline = Long.MAX_VALUE;
            for (StreamState state : streams.values()) {
                for (PendingRecord r : state.unrouted) {
                    oldestDeadline = Math.min(oldestDeadline, r.deadlineNanos);
                }
                for (ShardQueue q : state.queues) {
                    for (PendingRecord r : q.openRecords()) {
                        oldestDeadline = Math.min(oldestDeadline, r.deadlineNanos);
                    }
                    for (Aggregate a : q.ready) {
                        oldestDeadline = Math.min(oldestDeadline, a.oldestDeadlineNanos());
                    }
                }
            }
            for (Batch b : inFlight) {
                for (Aggregate a : b.entries) {
                    oldestDeadline = Math.min(oldestDeadline, a.oldestDeadlineNanos());
                }
            }
            // every record's deadline is its acceptance time plus recordTtl
            return oldestDeadline == Long.MAX_VALUE ? 0 : Math.max(0, now - (oldestDeadline - ttlNanos));
        } finally {
            lock.unlock();
        }
    }

    /** Batches in flight now. */
    int inFlightBatches() {
        lock.lock();
        try {
            return inFlight.size();
        } finally {
            lock.unlock();
        }
    }
}
