package dev.shardline.producer;

import dev.shardline.common.StreamIds;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/**
 * The producer's engine, run by one thread: routes accepted records to their predicted shard's aggregate, closes
 * aggregates after {@code maxBufferedTime}, collects closed ones into PutRecords calls within each shard's rate,
 * sends them, and handles the outcome of each entry (success, retry, re-send after a mispredicted shard, expiry,
 * failure). User futures are completed on the callback executor, never on this thread or an SDK thread.
 */
final class Sender implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Sender.class);
    private static final long SWEEP_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long REFRESH_REQUEST_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ProducerConfig config;
    private final KinesisAsyncClient client;
    private final ShardMap shardMap;
    private final Collector collector;
    private final ProducerMetrics metrics;
    private final BufferLimiter buffer;
    private final IntervalFunction backoff;
    private final long maxBufferedTimeNanos;
    final ReentrantLock lock = new ReentrantLock();
    private final Map<String, StreamState> streams = new HashMap<>();
    private final ConcurrentLinkedQueue<Call> responses = new ConcurrentLinkedQueue<>();
    private final Set<Call> inFlight = new HashSet<>();
    private final AtomicInteger activeFlushes = new AtomicInteger();
    private final List<Runnable> completions = new ArrayList<>();
    private volatile boolean stopping;
    private volatile Thread thread;
    private long nextSweepNanos;

    /** One PutRecords call. */
    private static final class Call {
        final StreamState stream;
        final List<Aggregate> entries;
        final long startNanos;
        final Instant startedAt;
        volatile PutRecordsResponse response;
        volatile Throwable error;

        Call(StreamState stream, List<Aggregate> entries, long startNanos) {
            this.stream = stream;
            this.entries = entries;
            this.startNanos = startNanos;
            this.startedAt = Instant.now();
        }
    }

    Sender(ProducerConfig config, KinesisAsyncClient client, ShardMap shardMap, ProducerMetrics metrics,
            BufferLimiter buffer) {
        this.config = config;
        this.client = client;
        this.shardMap = shardMap;
        this.metrics = metrics;
        this.buffer = buffer;
        this.collector = new Collector(config.maxRecordsPerRequest(), config.maxBytesPerRequest(), config.strictOrdering());
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(config.retryInitialBackoff(), 2.0, 0.5,
                config.retryMaxBackoff());
        this.maxBufferedTimeNanos = config.maxBufferedTime().toNanos();
    }

    void start(Thread thread) {
        this.thread = thread;
        thread.start();
    }

    // ---- called by send() threads -------------------------------------------------------------------------------

    /** Takes an accepted record into the buffer. */
    void accept(PendingRecord r) {
        boolean wake;
        lock.lock();
        try {
            if (stopping) {
                // raced with close(): nothing would ever send it
                failClosed(r);
                wake = false;
            } else {
                wake = enqueue(r);
            }
        } finally {
            lock.unlock();
        }
        if (stopping) {
            dispatchCompletions();
        } else if (wake) {
            wake();
        }
    }

    /** Routes a record to its shard's aggregate, or parks it until the stream's shard map is known. */
    private boolean enqueue(PendingRecord r) {
        StreamState state = streams.computeIfAbsent(r.stream, StreamState::new);
        ShardTable table = state.unrouted.isEmpty() ? routingTable(state) : null;
        if (table == null) {
            state.unrouted.addLast(r);
            return true;
        }
        return route(state, r, table, System.nanoTime());
    }

    /** A future completed when every record accepted before this call has completed. */
    CompletableFuture<Void> flush() {
        List<CompletableFuture<SendResult>> futures = new ArrayList<>();
        lock.lock();
        try {
            for (StreamState state : streams.values()) {
                state.unrouted.forEach(r -> futures.add(r.future));
                for (ShardQueue q : state.queues) {
                    q.openRecords().forEach(r -> futures.add(r.future));
                    q.ready.forEach(a -> a.records.forEach(r -> futures.add(r.future)));
                }
            }
            for (Call call : inFlight) {
                call.entries.forEach(a -> a.records.forEach(r -> futures.add(r.future)));
            }
        } finally {
            lock.unlock();
        }
        if (futures.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        activeFlushes.incrementAndGet();
        wake();
        return CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0]))
                .handle((ok, error) -> {
                    activeFlushes.decrementAndGet();
                    return null;
                });
    }

    void wake() {
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /** Stops the loop and fails every record still held with {@link ProducerClosedException}. */
    void stop(Duration wait) throws InterruptedException {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            t.join(Math.max(1, wait.toMillis()));
        }
        lock.lock();
        try {
            for (StreamState state : streams.values()) {
                state.unrouted.forEach(this::failClosed);
                state.unrouted.clear();
                for (ShardQueue q : state.queues) {
                    q.openRecords().forEach(this::failClosed);
                    q.openRecords().clear();
                    q.ready.forEach(a -> a.records.forEach(this::failClosed));
                    q.ready.clear();
                }
            }
            for (Call call : inFlight) {
                call.entries.forEach(a -> a.records.forEach(this::failClosed));
            }
            inFlight.clear();
        } finally {
            lock.unlock();
        }
        dispatchCompletions();
    }

    private void failClosed(PendingRecord r) {
        fail(r, new ProducerClosedException("producer closed before the record was acknowledged"
                + (r.lastError != null ? "; last error: " + r.lastError : ""), r.attempts()));
    }

    // ---- the sender thread ----------------------------------------------------------------------------------------

    @Override
    public void run() {
        while (!stopping) {
            try {
                long parkNanos = runOnce();
                if (!stopping && parkNanos > 0) {
                    LockSupport.parkNanos(this, parkNanos);
                }
            } catch (RuntimeException | Error e) {
                log.error("producer sender loop failed; continuing", e);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    /** One pass; returns how long to sleep. */
    long runOnce() {
        List<Call> calls = new ArrayList<>();
        long sleep;
        lock.lock();
        try {
            long now = System.nanoTime();
            Call done;
            while ((done = responses.poll()) != null) {
                inFlight.remove(done);
                handle(done, now);
            }
            boolean flushing = activeFlushes.get() > 0;
            if (now - nextSweepNanos >= 0) {
                expire(now);
                nextSweepNanos = now + SWEEP_INTERVAL_NANOS;
            }
            sleep = TimeUnit.MILLISECONDS.toNanos(50);
            for (StreamState state : streams.values()) {
                routeWaiting(state, now);
                if (!state.unrouted.isEmpty()) {
                    sleep = Math.min(sleep, TimeUnit.MILLISECONDS.toNanos(5));
                }
                for (ShardQueue q : state.queues) {
                    if (q.hasOpen()) {
                        long due = q.openSinceNanos() + maxBufferedTimeNanos - now;
                        if (flushing || due <= 0) {
                            q.closeOpen();
                        } else {
                            sleep = Math.min(sleep, due);
                        }
                    }
                }
                collect(state, now, calls);
                for (ShardQueue q : state.queues) {
                    if (!q.ready.isEmpty()) {
                        // waiting for rate tokens, a backoff or a free call slot
                        sleep = Math.min(sleep, Math.max(TimeUnit.MILLISECONDS.toNanos(1), q.limiter.blockedForNanos(now)));
                    }
                }
            }
            inFlight.addAll(calls);
        } finally {
            lock.unlock();
        }
        for (Call call : calls) {
            send(call);
        }
        dispatchCompletions();
        return calls.isEmpty() ? sleep : 0;
    }

    private void collect(StreamState state, long now, List<Call> calls) {
        while (inFlight.size() + calls.size() < config.maxConcurrentRequests()) {
            List<Aggregate> entries = collector.collect(state.queues, state.nextStart, now);
            if (entries.isEmpty()) {
                return;
            }
            state.nextStart = state.queues.isEmpty() ? 0 : (state.nextStart + 1) % state.queues.size();
            for (Aggregate a : entries) {
                a.queue.inFlight++;
            }
            calls.add(new Call(state, entries, now));
        }
    }

    private void send(Call call) {
        List<PutRecordsRequestEntry> entries = new ArrayList<>(call.entries.size());
        for (Aggregate a : call.entries) {
            entries.add(PutRecordsRequestEntry.builder()
                    .data(SdkBytes.fromByteArrayUnsafe(a.record.data()))
                    .partitionKey(a.record.partitionKey())
                    .explicitHashKey(a.record.explicitHashKey())
                    .build());
        }
        PutRecordsRequest.Builder request = PutRecordsRequest.builder().records(entries)
                .overrideConfiguration(o -> o.apiCallTimeout(config.requestTimeout()));
        String stream = call.stream.stream;
        request.streamName(StreamIds.nameParam(stream)).streamARN(StreamIds.arnParam(stream));
        try {
            client.putRecords(request.build()).whenComplete((response, error) -> {
                call.response = response;
                call.error = error;
                responses.add(call);
                wake();
            });
        } catch (RuntimeException e) {
            call.error = e;
            responses.add(call);
        }
    }

    // ---- outcomes -------------------------------------------------------------------------------------------------

    private void handle(Call call, long now) {
        long tookNanos = now - call.startNanos;
        metrics.putRecordsLatency.record(tookNanos, TimeUnit.NANOSECONDS);
        Duration took = Duration.ofNanos(tookNanos);
        for (Aggregate a : call.entries) {
            a.queue.inFlight--;
        }
        if (call.error != null) {
            Errors.Classified c = Errors.call(call.error);
            Attempt attempt = new Attempt(call.startedAt, took, c.code(), c.message());
            log.debug("PutRecords to {} failed: {} {}", call.stream.stream, c.code(), c.message());
            for (Aggregate a : call.entries) {
                a.records.forEach(r -> r.addAttempt(attempt));
                outcomeFailed(call.stream, a, c, now);
            }
            return;
        }
        List<PutRecordsResultEntry> results = call.response.records();
        for (int i = 0; i < call.entries.size(); i++) {
            Aggregate a = call.entries.get(i);
            PutRecordsResultEntry e = i < results.size() ? results.get(i) : null;
            if (e != null && e.errorCode() == null) {
                succeeded(call.stream, a, e, new Attempt(call.startedAt, took, null, null), now);
            } else {
                Errors.Classified c = e == null
                        ? Errors.entry("InternalFailure", "PutRecords response has " + results.size() + " results for "
                                + call.entries.size() + " entries")
                        : Errors.entry(e.errorCode(), e.errorMessage());
                Attempt attempt = new Attempt(call.startedAt, took, c.code(), c.message());
                a.records.forEach(r -> r.addAttempt(attempt));
                outcomeFailed(call.stream, a, c, now);
            }
        }
    }

    private void succeeded(StreamState state, Aggregate a, PutRecordsResultEntry e, Attempt attempt, long now) {
        a.queue.limiter.onSuccess(now);
        metrics.kinesisRecordsPut.increment();
        metrics.bytesPut.increment(a.sizeBytes());
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
                metrics.resent.increment(a.records.size());
                log.debug("aggregate of {} records predicted for {} landed on {}; re-sending", a.records.size(),
                        a.predictedShardId, e.shardId());
                return;
            }
        }
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
            SendResult result = new SendResult(e.shardId(), e.sequenceNumber(), aggregated ? i : 0, attempts);
            buffer.release(r.bufferedBytes);
            completions.add(() -> r.future.complete(result));
        }
        metrics.userRecordsPut.increment(records.size());
    }

    private void outcomeFailed(StreamState state, Aggregate a, Errors.Classified c, long now) {
        if (!c.retryable()) {
            for (PendingRecord r : a.records) {
                fail(r, new RecordFailedException(c.code(), c.message(), r.attempts(), c.cause()));
            }
            metrics.failed.increment(a.records.size());
            return;
        }
        metrics.retries.increment();
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
            for (Iterator<PendingRecord> it = state.unrouted.iterator(); it.hasNext(); ) {
                PendingRecord r = it.next();
                if (now - r.deadlineNanos >= 0) {
                    it.remove();
                    expireRecord(r);
                }
            }
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
        for (PendingRecord r : a.removeExpired(now, config.maxRecordBytes())) {
            expireRecord(r);
        }
    }

    private void expireRecord(PendingRecord r) {
        metrics.expired.increment();
        List<Attempt> attempts = r.attempts();
        String reason = attempts.isEmpty() ? "never sent (shard map unavailable or shard rate limited)"
                : attempts.size() + " attempt(s), last error: " + r.lastError;
        fail(r, new RecordExpiredException("record expired: not acknowledged within recordTtl " + config.recordTtl()
                + "; " + reason, attempts));
    }

    private void fail(PendingRecord r, ProducerException e) {
        buffer.release(r.bufferedBytes);
        completions.add(() -> r.future.completeExceptionally(e));
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
                    metrics.throttles(state.stream, shard.shardId()));
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
        ShardTable table = shardMap.current(state.stream);
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
        ShardTable current = shardMap.current(state.stream);
        if (current == null) {
            ShardMap.Failure failure = shardMap.failure(state.stream);
            if (failure != null) {
                Errors.Classified c = Errors.call(failure.error());
                if (!c.retryable()) {
                    PendingRecord r;
                    while ((r = state.unrouted.pollFirst()) != null) {
                        fail(r, new RecordFailedException(c.code(), c.message(), r.attempts(), c.cause()));
                        metrics.failed.increment();
                    }
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
            shardMap.refresh(state.stream);
        }
    }

    private void dispatchCompletions() {
        if (completions.isEmpty()) {
            return;
        }
        List<Runnable> batch;
        lock.lock();
        try {
            batch = new ArrayList<>(completions);
            completions.clear();
        } finally {
            lock.unlock();
        }
        Runnable task = () -> batch.forEach(Runnable::run);
        try {
            config.callbackExecutor().execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }
}
