package dev.shardline.consumer;

import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorResponse;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;

/**
 * GetRecords polling for one shard, asynchronous, ahead of the processor within the prefetch bounds. Reads again as
 * soon as the per-shard budget allows while there is a backlog (at most 5 calls/s, and no faster than 2 MiB/s of
 * what was read), waits {@code idleTimeBetweenReads} when caught up, backs off exponentially on throttling and
 * errors, and recovers an expired iterator after the last record it queued, so nothing is skipped or repeated.
 */
final class PollingSource implements RecordSource {
    private static final Logger log = LoggerFactory.getLogger(PollingSource.class);
    static final long MIN_CALL_SPACING_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    static final double BYTES_PER_SECOND = 2.0 * 1024 * 1024;

    private final KinesisAsyncClient kinesis;
    private final StreamRef stream;
    private final String shardId;
    private final int limit;
    private final long idleNanos;
    private final ScheduledExecutorService scheduler;
    private final PrefetchQueue queue;
    private final FlowControl flow;
    private final Runnable wake;
    private final IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(100, 2.0, 0.3, 5_000);

    private volatile boolean closed;
    private final AtomicBoolean paused = new AtomicBoolean();
    private StartPosition start;
    private String iterator;
    private String lastSequence;
    private long nextCallNanos;
    private int failures;
    private volatile long lastAnswer = System.nanoTime();

    PollingSource(KinesisAsyncClient kinesis, StreamRef stream, String shardId, ConsumerConfig config,
                  ScheduledExecutorService scheduler, FlowControl flow) {
        this.kinesis = kinesis;
        this.stream = stream;
        this.shardId = shardId;
        this.limit = config.maxRecordsPerCall();
        this.idleNanos = config.idleTimeBetweenReads().toNanos();
        this.scheduler = scheduler;
        this.queue = new PrefetchQueue(config.prefetchRecords(), config.prefetchBytes(), this::resume,
                flow.pausedFor(shardId));
        this.flow = flow;
        this.wake = queue::recheck; // one instance, so close() can unregister it
        flow.register(wake);
    }

    @Override
    public void start(StartPosition from) {
        this.start = from;
        scheduler.execute(this::step);
    }

    @Override
    public Batch poll(long timeout, TimeUnit unit) throws InterruptedException {
        return queue.poll(timeout, unit);
    }

    @Override
    public void onData(Runnable listener) {
        queue.onData(listener);
    }

    @Override
    public boolean hasData() {
        return !queue.isEmpty();
    }

    @Override
    public long lastAnswerNanos() {
        // Waiting for room (a full prefetch, or paused through FlowControl) is not being stuck.
        return paused.get() ? System.nanoTime() : lastAnswer;
    }

    @Override
    public void close() {
        closed = true;
        flow.unregister(wake);
        queue.clear();
    }

    private void resume() {
        lastAnswer = System.nanoTime(); // waiting for room was not silence from Kinesis
        if (!closed && paused.compareAndSet(true, false)) {
            scheduler.execute(this::step);
        }
    }

    private void later(long nanos) {
        if (!closed) {
            scheduler.schedule(this::step, Math.max(0, nanos), TimeUnit.NANOSECONDS);
        }
    }

    /** One step of the read loop; steps never overlap (each schedules the next when its call completes). */
    private void step() {
        if (closed) {
            return;
        }
        if (!queue.hasRoom()) {
            paused.set(true);
            // A take may have freed room between the check and the flag: exactly one of us resumes.
            if (!(queue.hasRoom() && paused.compareAndSet(true, false))) {
                return;
            }
        }
        if (iterator == null) {
            fetchIterator();
            return;
        }
        long wait = nextCallNanos - System.nanoTime();
        if (wait > 0) {
            later(wait);
            return;
        }
        long calledAt = System.nanoTime();
        nextCallNanos = calledAt + MIN_CALL_SPACING_NANOS;
        kinesis.getRecords(b -> b.shardIterator(iterator).limit(limit))
                .whenComplete((resp, err) -> {
                    try {
                        if (err != null) {
                            onError(KinesisRecords.unwrap(err));
                        } else {
                            onRecords(resp, calledAt);
                        }
                    } catch (RuntimeException e) {
                        log.warn("shard {}: read loop error, retrying", shardId, e);
                        later(TimeUnit.MILLISECONDS.toNanos(backoff.apply(++failures)));
                    }
                });
    }

    private void onRecords(GetRecordsResponse resp, long calledAt) {
        failures = 0;
        lastAnswer = System.nanoTime();
        long bytes = KinesisRecords.bytes(resp.records());
        boolean end = resp.nextShardIterator() == null;
        if (!resp.records().isEmpty() || end) {
            queue.put(new Batch(KinesisRecords.fromSdk(resp.records()), resp.millisBehindLatest() == null ? 0
                    : resp.millisBehindLatest(), end, resp.hasChildShards() ? resp.childShards() : List.of(), bytes));
        }
        if (!resp.records().isEmpty()) {
            lastSequence = resp.records().get(resp.records().size() - 1).sequenceNumber();
        }
        if (end) {
            closed = true;
            return;
        }
        iterator = resp.nextShardIterator();
        // 2 MiB/s per shard: a big read pushes the next one out in proportion.
        nextCallNanos = Math.max(nextCallNanos, calledAt + (long) (bytes / BYTES_PER_SECOND * 1e9));
        boolean caughtUp = resp.records().isEmpty()
                && (resp.millisBehindLatest() == null || resp.millisBehindLatest() == 0);
        if (caughtUp) {
            // From the call, not the answer: the round trip is part of the idle wait (the spacing above already
            // keeps the 5 calls/s), so a record put while caught up waits idle time, not idle time plus a round trip.
            nextCallNanos = Math.max(nextCallNanos, calledAt + idleNanos);
        }
        step();
    }

    private void onError(Throwable t) {
        if (closed) {
            return;
        }
        failures++;
        if (t instanceof ExpiredIteratorException) {
            log.debug("shard {}: iterator expired, resuming after {}", shardId, lastSequence);
            iterator = null;
            later(0);
            return;
        }
        if (t instanceof ProvisionedThroughputExceededException) {
            log.debug("shard {}: GetRecords throttled", shardId);
        } else {
            log.warn("shard {}: GetRecords failed ({}), retrying", shardId, t.toString());
        }
        later(TimeUnit.MILLISECONDS.toNanos(backoff.apply(failures)));
    }

    private void fetchIterator() {
        StartPosition from = lastSequence != null ? StartPosition.after(lastSequence) : start;
        GetShardIteratorRequest.Builder req = GetShardIteratorRequest.builder()
                .shardId(shardId).shardIteratorType(from.type());
        if (stream.name() != null) {
            req.streamName(stream.name());
        } else {
            req.streamARN(stream.arn());
        }
        if (from.sequenceNumber() != null) {
            req.startingSequenceNumber(from.sequenceNumber());
        }
        if (from.timestamp() != null) {
            req.timestamp(from.timestamp());
        }
        kinesis.getShardIterator(req.build()).whenComplete((GetShardIteratorResponse resp, Throwable err) -> {
            if (err != null) {
                onError(KinesisRecords.unwrap(err));
            } else {
                failures = 0;
                lastAnswer = System.nanoTime();
                iterator = resp.shardIterator();
                step();
            }
        });
    }

    /** For metrics: records read ahead and not yet processed. */
    long queuedRecords() {
        return queue.records();
    }

    static Duration minSpacing() {
        return Duration.ofNanos(MIN_CALL_SPACING_NANOS);
    }
}
