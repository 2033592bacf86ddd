package dev.shardline.consumer;

import dev.shardline.aggregation.Deaggregator;
import dev.shardline.aggregation.HashKeyRange;
import dev.shardline.aggregation.UserRecord;
import dev.shardline.checkpoint.Checkpointer;
import dev.shardline.checkpoint.ExtendedSequenceNumber;
import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseHolding;
import dev.shardline.common.StreamIds;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.model.ChildShard;

/**
 * Drives one leased shard, on a shared executor's thread only while it has work (a batch queued, a stop asked): a
 * shard waiting for data holds no thread. It initializes the processor (the coordinator starts a task only once every
 * parent shard is finished), hands de-aggregated batches in order to its {@link ShardPipeline} (lanes, failure
 * policy, checkpoints held to the low-water mark), and ends with exactly one of shardEnded, shutdownRequested (then hands the lease to the worker that asked for
 * it, or releases it) or leaseLost. No batch is handed over while the worker is fenced (its liveness not confirmed
 * recently enough, see {@link SelfFence}): the task then ends with leaseLost.
 */
final class ShardTask implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ShardTask.class);

    /** How a task ended. */
    enum Outcome { SHARD_END, SHUTDOWN, HANDED_OFF, LEASE_LOST, FAILED }

    private enum Stop { NONE, SHUTDOWN, HANDOFF, LEASE_LOST }

    private final ConsumerConfig config;
    private final LeaseHolding checkpointer;
    private final BooleanSupplier fenced;
    private final ConsumedStream stream;
    private final ShardDiscovery discovery;
    private final ConsumerMetrics metrics;
    private final ThroughputMeter meter;
    private final String leaseKey;
    private final String shardId;
    private final CompletableFuture<Outcome> done = new CompletableFuture<>();
    private volatile Stop stop = Stop.NONE;
    private volatile String lostReason = "taken by another worker";
    private volatile boolean started;
    private final java.util.concurrent.Executor executor;
    private final java.util.concurrent.atomic.AtomicBoolean scheduled = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile boolean ready;
    private volatile boolean finished;
    private volatile RecordProcessor processor;
    private volatile RecordSource source;
    private volatile ShardPipeline pipeline;
    private volatile HashKeyRange range;
    private volatile ExtendedSequenceNumber skipUpTo;
    private volatile ExtendedSequenceNumber startedAt;
    private volatile boolean restartAsked;

    ShardTask(ConsumerConfig config, LeaseHolding checkpointer, ConsumedStream stream, ConsumerMetrics metrics,
              ThroughputMeter meter, BooleanSupplier fenced, java.util.concurrent.Executor executor) {
        this.executor = executor;
        this.config = config;
        this.checkpointer = checkpointer;
        this.fenced = fenced;
        this.stream = stream;
        this.discovery = stream.discovery();
        this.meter = meter;
        this.metrics = metrics;
        this.leaseKey = checkpointer.lease().leaseKey();
        this.shardId = stream.ref().shardIdOf(leaseKey);
    }

    /** The lease key (the shard id for one stream; KCL's multi-stream key otherwise). */
    String leaseKey() {
        return leaseKey;
    }

    /** The shard id within its stream. */
    String shardId() {
        return shardId;
    }

    ConsumedStream stream() {
        return stream;
    }

    /** This holding's smoothed throughput. */
    ThroughputMeter meter() {
        return meter;
    }

    LeaseHolding checkpointer() {
        return checkpointer;
    }

    /** Completes when the task has ended and its lease was released or given up. */
    CompletableFuture<Outcome> done() {
        return done;
    }

    /** True once the processor was made (it is about to be initialized, or was). */
    boolean started() {
        return started;
    }

    /** Graceful: the processor gets shutdownRequested and may checkpoint, then the lease is released. */
    void requestShutdown() {
        if (stop == Stop.NONE) {
            stop = Stop.SHUTDOWN;
        }
        signal();
    }

    /**
     * Another worker asked for this lease ({@code observed}: it as owner, this worker as checkpointOwner): the
     * processor gets shutdownRequested and may checkpoint, then the handoff is finished so the receiver starts at once.
     */
    void handoff(Lease observed) {
        checkpointer.handoffRequested(observed);
        if (stop == Stop.NONE || stop == Stop.SHUTDOWN) {
            stop = Stop.HANDOFF;
        }
        signal();
    }

    /** True once a handoff was asked for. */
    boolean handingOff() {
        return stop == Stop.HANDOFF;
    }

    /** The lease was seen owned by someone else: stop without checkpointing. */
    void leaseLost(String reason) {
        lostReason = reason;
        checkpointer.markLost();
        stop = Stop.LEASE_LOST;
        signal();
    }

    /**
     * Starts the shard: initializes the processor and opens the record source, then returns. From then on the task
     * runs only when there is something to do ({@link #drain()}, scheduled on the shared executor when a batch arrives
     * or a stop is asked), so a shard waiting for data holds no thread.
     */
    @Override
    public void run() {
        try {
            Lease lease = checkpointer.lease();
            if (stop != Stop.NONE) {
                finish(stopBeforeStart());
                return;
            }
            if (lease.checkpoint().isShardEnd()) {
                finish(Outcome.SHARD_END);
                return;
            }
            RecordProcessor p = config.processorFactory().get();
            ExtendedSequenceNumber start = lease.checkpoint();
            started = true;
            if (!attempt(() -> p.initialize(new InitializationInput(shardId, start, lease.pendingCheckpoint(),
                    lease.pendingCheckpointState(), stream.ref().name())), "initialize")) {
                finish(fail(p));
                return;
            }
            processor = p;
            // Lanes run on the shared executor too: a shard holds no thread while its lanes are idle.
            pipeline = new ShardPipeline(config, StreamIds.nameOf(stream.ref().nameOrArn()), p, checkpointer, metrics,
                    fenced, executor, this::signal);
            range = lease.startingHashKey().isPresent()
                    ? new HashKeyRange(lease.startingHashKey().get(), lease.endingHashKey().get()) : null;
            skipUpTo = start.isSentinel() ? null : start;
            startedAt = start;
            RecordSource s = stream.openSource(shardId);
            source = s;
            s.onData(this::signal);
            s.start(StartPosition.from(start, stream.initialPosition()));
            ready = true;
            signal(); // a stop may have come while starting
        } catch (RuntimeException e) {
            log.error("shard {}: unexpected error, releasing the lease", shardId, e);
            release();
            finish(Outcome.FAILED);
        }
    }

    /** Schedules {@link #drain()} unless it is scheduled or running (one drain at a time keeps calls in order). */
    private void signal() {
        if (ready && !finished && scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                scheduled.set(false); // shutting down
            }
        }
    }

    /** Handles what is queued (or the stop asked for), then gives the thread back. */
    private void drain() {
        try {
            while (!finished) {
                if (stop != Stop.NONE) {
                    finish(stopped(processor, pipeline));
                    return;
                }
                if (pipeline.failure() != null) {
                    finish(failed(processor, pipeline));
                    return;
                }
                if (restartAsked) {
                    restartAsked = false;
                    restartSource();
                }
                Batch batch = source.poll(0, TimeUnit.MILLISECONDS);
                if (batch == null) {
                    return;
                }
                Outcome outcome = handle(batch);
                if (outcome != null) {
                    finish(outcome);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finish(Outcome.FAILED);
        } catch (RuntimeException e) {
            log.error("shard {}: unexpected error, releasing the lease", shardId, e);
            release();
            finish(Outcome.FAILED);
        } finally {
            scheduled.set(false);
            if (!finished && (stop != Stop.NONE || pipeline.failure() != null || source.hasData())) {
                signal(); // arrived between the last poll and clearing the flag
            }
        }
    }

    /**
     * Called periodically by the lease loop (no thread waits here): when the source has heard nothing from Kinesis for
     * {@link ConsumerConfig#stuckShardTimeout()} although everything it delivered was taken (a call that never
     * returns, a subscription that went silent), the task restarts it on its next drain.
     */
    void checkStuck(long nowNanos) {
        RecordSource s = source;
        if (ready && !finished && s != null && !s.hasData()
                && nowNanos - s.lastAnswerNanos() > config.stuckShardTimeout().toNanos()) {
            restartAsked = true;
            signal();
        }
    }

    /** A fresh source that reads on after the last record delivered (on the drain thread). */
    private void restartSource() {
        RecordSource stuck = source;
        stuck.close();
        ExtendedSequenceNumber from = checkpointer.lastDelivered().orElse(startedAt);
        log.warn("shard {}: no answer from Kinesis for {} ms; restarting its reader from {}", shardId,
                (System.nanoTime() - stuck.lastAnswerNanos()) / 1_000_000, from);
        metrics.shardRestarted();
        skipUpTo = checkpointer.lastDelivered().orElse(startedAt.isSentinel() ? null : startedAt);
        RecordSource fresh = stream.openSource(shardId);
        source = fresh;
        fresh.onData(this::signal);
        fresh.start(StartPosition.from(from, stream.initialPosition()));
    }

    /** One batch: null to go on, or how the task ends. */
    private Outcome handle(Batch batch) throws InterruptedException {
        if (fenced.getAsBoolean()) { // checked right before handing records over: see SelfFence
            leaseLost("fenced: liveness not confirmed by DynamoDB within " + config.fenceTime().toMillis() + " ms");
            return stopped(processor, pipeline);
        }
        metrics.millisBehindLatest(leaseKey, stream.ref().name(), shardId, batch.millisBehindLatest());
        List<UserRecord> records = Deaggregator.deaggregate(batch.records(), range);
        if (skipUpTo != null) {
            records = after(records, skipUpTo);
            skipUpTo = null;
        }
        if (!records.isEmpty()) {
            if (!pipeline.submit(records, batch.millisBehindLatest(), () -> stop != Stop.NONE)) {
                return null; // stopping or failed: handled at the top of the drain loop
            }
            long bytes = 0;
            for (UserRecord r : records) {
                bytes += r.dataLength();
            }
            meter.record(records.size(), bytes);
        }
        if (batch.shardEnd()) {
            // Every lane finishes before SHARD_END, so children still start only after their parents.
            while (!pipeline.awaitIdle(config.shutdownTimeout(), () -> stop != Stop.NONE)) {
                if (stop != Stop.NONE || pipeline.failure() != null) {
                    break;
                }
            }
            if (stop != Stop.NONE) {
                return stopped(processor, pipeline);
            }
            if (pipeline.failure() != null) {
                return failed(processor, pipeline);
            }
            return shardEnd(processor, batch.childShards(), pipeline.shardCheckpointer());
        }
        return null;
    }

    /** A lane failed: the lease was lost (a checkpoint said so), or the failure policy stopped the shard. */
    private Outcome failed(RecordProcessor processor, ShardPipeline pipeline) throws InterruptedException {
        pipeline.cancel();
        awaitCalls(pipeline);
        if (BatchRunner.isLeaseLost(pipeline.failure())) {
            leaseLost("checkpoint refused: lease lost");
            return lost(processor);
        }
        log.error("shard {}: shutting the processor down and releasing the lease: {}", shardId,
                pipeline.failure().getMessage(), pipeline.failure().getCause());
        return fail(processor);
    }

    /** Calls already running finish before leaseLost or shutdownRequested, so processor calls never overlap. */
    private void awaitCalls(ShardPipeline pipeline) throws InterruptedException {
        if (!pipeline.awaitIdle(config.shutdownTimeout(), () -> false)) {
            log.warn("shard {}: processor calls still running after {}; going on without them", shardId,
                    config.shutdownTimeout());
        }
    }

    private void finish(Outcome outcome) {
        if (finished) {
            return;
        }
        finished = true;
        ShardPipeline pl = pipeline;
        if (pl != null) {
            pl.close();
        }
        RecordSource s = source;
        if (s != null) {
            s.close();
        }
        metrics.shardGone(leaseKey);
        done.complete(outcome);
    }

    private static List<UserRecord> after(List<UserRecord> records, ExtendedSequenceNumber position) {
        List<UserRecord> out = new ArrayList<>(records.size());
        for (UserRecord r : records) {
            if (ExtendedSequenceNumber.of(r.sequenceNumber(), r.subSequenceNumber()).compareTo(position) > 0) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * Runs a processor call, retrying with doubling backoff up to processingRetries times. A lost lease ends the
     * attempts at once (and sets the stop flag).
     */
    private boolean attempt(Runnable call, String what) {
        long backoff = config.retryBackoff().toMillis();
        for (int attempt = 0; ; attempt++) {
            try {
                call.run();
                return true;
            } catch (RuntimeException e) {
                if (BatchRunner.isLeaseLost(e)) {
                    leaseLost("checkpoint refused: lease lost");
                    return false;
                }
                metrics.processFailure();
                if (attempt >= config.processingRetries() || stop != Stop.NONE) {
                    log.error("shard {}: {} failed {} times; shutting the processor down and releasing the lease",
                            shardId, what, attempt + 1, e);
                    return false;
                }
                log.warn("shard {}: {} failed (attempt {}), retrying the same batch in {} ms: {}", shardId, what,
                        attempt + 1, backoff, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                backoff = Math.min(backoff * 2, 30_000);
            }
        }
    }

    private Outcome shardEnd(RecordProcessor processor, List<ChildShard> children, Checkpointer view) {
        checkpointer.shardEndReached();
        Set<String> childIds = new LinkedHashSet<>();
        children.forEach(c -> childIds.add(c.shardId()));
        if (childIds.isEmpty()) {
            discovery.requestSync();
        } else {
            discovery.createChildLeases(children).join();
            try {
                checkpointer.recordChildShards(childIds).join();
            } catch (RuntimeException e) {
                if (BatchRunner.isLeaseLost(e)) {
                    return lost(processor);
                }
                log.warn("shard {}: could not record child shards: {}", shardId, e.toString());
            }
        }
        boolean ok = attempt(() -> {
            processor.shardEnded(new ShardEndedInput(shardId, view));
            if (!checkpointer.lastCheckpoint().isShardEnd()) {
                throw new IllegalStateException("shardEnded returned without checkpointing SHARD_END");
            }
        }, "shardEnded");
        if (!ok) {
            return stop == Stop.LEASE_LOST ? lost(processor) : fail(processor);
        }
        log.info("shard {}: finished (SHARD_END checkpointed), children {}", shardId, childIds);
        metrics.leaseOp("finish");
        return Outcome.SHARD_END;
    }

    private Outcome stopped(RecordProcessor processor, ShardPipeline pipeline) throws InterruptedException {
        pipeline.cancel();
        awaitCalls(pipeline);
        if (stop == Stop.LEASE_LOST) {
            return lost(processor);
        }
        // Graceful: calls running have finished (within shutdownTimeout), queued records are left to the next owner,
        // then the processor may checkpoint (held to the low-water mark).
        try {
            processor.shutdownRequested(new ShutdownRequestedInput(shardId, pipeline.shardCheckpointer()));
        } catch (RuntimeException e) {
            if (BatchRunner.isLeaseLost(e)) {
                return lost(processor);
            }
            log.warn("shard {}: shutdownRequested threw; letting go anyway: {}", shardId, e.toString());
        }
        return letGo();
    }

    private Outcome stopBeforeStart() {
        return stop == Stop.LEASE_LOST ? Outcome.LEASE_LOST : letGo();
    }

    /** Hands the lease to the worker that asked for it, or releases it for anyone. */
    private Outcome letGo() {
        if (stop == Stop.HANDOFF) {
            try {
                checkpointer.finishHandoff().join();
                metrics.leaseOp("handoff");
                log.debug("shard {}: handed off to {}", shardId, checkpointer.lease().owner().orElse("?"));
                return Outcome.HANDED_OFF;
            } catch (RuntimeException e) {
                log.info("shard {}: handoff could not finish (the receiver took it already?): {}", shardId,
                        KinesisRecords.unwrap(e).toString());
                return Outcome.LEASE_LOST;
            }
        }
        release();
        return Outcome.SHUTDOWN;
    }

    private Outcome lost(RecordProcessor processor) {
        log.info("shard {}: lease lost ({})", shardId, lostReason);
        metrics.leaseOp("lost");
        try {
            processor.leaseLost(new LeaseLostInput(shardId, lostReason));
        } catch (RuntimeException e) {
            log.warn("shard {}: leaseLost threw: {}", shardId, e.toString());
        }
        return Outcome.LEASE_LOST;
    }

    private Outcome fail(RecordProcessor processor) {
        lostReason = "released after processing failures";
        try {
            processor.leaseLost(new LeaseLostInput(shardId, lostReason));
        } catch (RuntimeException e) {
            log.warn("shard {}: leaseLost threw: {}", shardId, e.toString());
        }
        release();
        return Outcome.FAILED;
    }

    private void release() {
        try {
            checkpointer.release().join();
            metrics.leaseOp("release");
        } catch (RuntimeException e) {
            log.debug("shard {}: release failed (already lost?): {}", shardId, e.toString());
        }
    }
}
