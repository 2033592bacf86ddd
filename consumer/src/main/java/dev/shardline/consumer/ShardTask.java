package dev.shardline.consumer;

import dev.shardline.aggregation.Deaggregator;
import dev.shardline.aggregation.HashKeyRange;
import dev.shardline.aggregation.UserRecord;
import dev.shardline.checkpoint.ExtendedSequenceNumber;
import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseHolding;
import dev.shardline.checkpoint.LeaseLostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.model.ChildShard;

/**
 * Drives one leased shard on its own thread: initializes the processor (the coordinator starts a task only once every
 * parent shard is finished), hands it de-aggregated batches in order (retrying a batch that throws, never skipping
 * one), and ends with exactly one of shardEnded, shutdownRequested (then hands the lease to the worker that asked for
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
    private final Function<String, RecordSource> sources;
    private final ShardDiscovery discovery;
    private final ConsumerMetrics metrics;
    private final String shardId;
    private final CompletableFuture<Outcome> done = new CompletableFuture<>();
    private volatile Stop stop = Stop.NONE;
    private volatile String lostReason = "taken by another worker";
    private volatile boolean started;

    ShardTask(ConsumerConfig config, LeaseHolding checkpointer, Function<String, RecordSource> sources,
              ShardDiscovery discovery, ConsumerMetrics metrics, BooleanSupplier fenced) {
        this.config = config;
        this.checkpointer = checkpointer;
        this.fenced = fenced;
        this.sources = sources;
        this.discovery = discovery;
        this.metrics = metrics;
        this.shardId = checkpointer.shardId();
    }

    String shardId() {
        return shardId;
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
    }

    @Override
    public void run() {
        Outcome outcome;
        try {
            outcome = runShard();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome = Outcome.FAILED;
        } catch (RuntimeException e) {
            log.error("shard {}: unexpected error, releasing the lease", shardId, e);
            release();
            outcome = Outcome.FAILED;
        } finally {
            metrics.shardGone(shardId);
        }
        done.complete(outcome);
    }

    private Outcome runShard() throws InterruptedException {
        Lease lease = checkpointer.lease();
        if (stop != Stop.NONE) {
            return stopBeforeStart();
        }
        if (lease.checkpoint().isShardEnd()) {
            return Outcome.SHARD_END;
        }
        RecordProcessor processor = config.processorFactory().get();
        ExtendedSequenceNumber start = lease.checkpoint();
        started = true;
        if (!attempt(() -> processor.initialize(new InitializationInput(shardId, start, lease.pendingCheckpoint(),
                lease.pendingCheckpointState())), "initialize")) {
            return fail(processor);
        }
        HashKeyRange range = lease.startingHashKey().isPresent()
                ? new HashKeyRange(lease.startingHashKey().get(), lease.endingHashKey().get()) : null;
        ExtendedSequenceNumber skipUpTo = start.isSentinel() ? null : start;
        RecordSource source = sources.apply(shardId);
        try {
            source.start(StartPosition.from(start, config.initialPosition()));
            while (true) {
                if (stop != Stop.NONE) {
                    return stopped(processor);
                }
                Batch batch = source.poll(50, TimeUnit.MILLISECONDS);
                if (batch == null) {
                    if (System.nanoTime() - source.lastAnswerNanos() > config.stuckShardTimeout().toNanos()) {
                        source = restart(source, start);
                        skipUpTo = checkpointer.lastDelivered().orElse(start.isSentinel() ? null : start);
                    }
                    continue;
                }
                if (fenced.getAsBoolean()) { // checked right before handing records over: see SelfFence
                    leaseLost("fenced: liveness not confirmed by DynamoDB within " + config.fenceTime().toMillis() + " ms");
                    return lost(processor);
                }
                metrics.millisBehindLatest(shardId, batch.millisBehindLatest());
                List<UserRecord> records = Deaggregator.deaggregate(batch.records(), range);
                if (skipUpTo != null) {
                    records = after(records, skipUpTo);
                    skipUpTo = null;
                }
                if (!records.isEmpty() && !deliver(processor, records, batch.millisBehindLatest())) {
                    return stop == Stop.LEASE_LOST ? lost(processor) : fail(processor);
                }
                if (batch.shardEnd()) {
                    return shardEnd(processor, batch.childShards());
                }
            }
        } finally {
            source.close();
        }
    }

    /**
     * The source heard nothing from Kinesis for {@link ConsumerConfig#stuckShardTimeout()} although it had room (a
     * call that never returns, a subscription that went silent): a fresh one reads on after the last record delivered.
     */
    private RecordSource restart(RecordSource stuck, ExtendedSequenceNumber start) {
        stuck.close();
        ExtendedSequenceNumber from = checkpointer.lastDelivered().orElse(start);
        log.warn("shard {}: no answer from Kinesis for {} ms; restarting its reader from {}", shardId,
                (System.nanoTime() - stuck.lastAnswerNanos()) / 1_000_000, from);
        metrics.shardRestarted();
        RecordSource fresh = sources.apply(shardId);
        fresh.start(StartPosition.from(from, config.initialPosition()));
        return fresh;
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

    private boolean deliver(RecordProcessor processor, List<UserRecord> records, long millisBehind) {
        checkpointer.recordDelivered(records.get(records.size() - 1));
        ProcessRecordsInput input = new ProcessRecordsInput(shardId, List.copyOf(records), millisBehind,
                checkpointer.checkpointer());
        long bytes = 0;
        for (UserRecord r : records) {
            bytes += r.dataLength();
        }
        long t0 = System.nanoTime();
        boolean ok = attempt(() -> processor.processRecords(input), "processRecords");
        if (ok) {
            metrics.delivered(records.size(), bytes, System.nanoTime() - t0);
        }
        return ok;
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
                if (isLeaseLost(e)) {
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

    private static boolean isLeaseLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LeaseLostException) {
                return true;
            }
        }
        return false;
    }

    private Outcome shardEnd(RecordProcessor processor, List<ChildShard> children) {
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
                if (isLeaseLost(e)) {
                    return lost(processor);
                }
                log.warn("shard {}: could not record child shards: {}", shardId, e.toString());
            }
        }
        boolean ok = attempt(() -> {
            processor.shardEnded(new ShardEndedInput(shardId, checkpointer.checkpointer()));
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

    private Outcome stopped(RecordProcessor processor) {
        if (stop == Stop.LEASE_LOST) {
            return lost(processor);
        }
        try {
            processor.shutdownRequested(new ShutdownRequestedInput(shardId, checkpointer.checkpointer()));
        } catch (RuntimeException e) {
            if (isLeaseLost(e)) {
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
