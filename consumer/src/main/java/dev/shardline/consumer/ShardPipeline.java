package dev.shardline.consumer;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.checkpoint.ExtendedSequenceNumber;
import dev.shardline.checkpoint.LeaseHolding;
import dev.shardline.producer.DeadLetter;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Between a shard's reader and its processor: spreads each batch over the lanes ({@link LaneDispatcher}, one lane
 * unless {@link ConsumerConfig#perKeyParallelism()} says more), runs each lane's share in order under the failure
 * policy ({@link BatchRunner}), keeps at most {@link ConsumerConfig#maxBatchesInFlight()} batches unfinished, and
 * tracks the low-water mark ({@link LowWaterMark}) every checkpoint is held to ({@link LaneCheckpointer}).
 *
 * <p>The first lane failure (the shard stops, the lease was lost) cancels the rest: no lane starts another call.
 * Owned by the shard's task (one drain at a time), which calls {@link #submit}, {@link #awaitIdle} and {@link #close}.
 */
final class ShardPipeline implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ShardPipeline.class);

    private final String shardId;
    private final RecordProcessor processor;
    private final LeaseHolding checkpointer;
    private final ConsumerMetrics metrics;
    private final LaneDispatcher dispatcher;
    private final LowWaterMark marks;
    private final BatchRunner runner;
    private final Executor laneThreads;
    private final Runnable wake;
    private final LaneCheckpointer shardView;
    private final int maxInFlight;
    private final CompletableFuture<?>[] lanes;
    private final Object lock = new Object();
    private int inFlight;
    private volatile Throwable failure;
    private volatile boolean cancelled;
    private final BooleanSupplier fenced;

    /**
     * @param fenced true while the worker is fenced (see SelfFence): no lane starts a call then
     * @param laneThreads runs the processor calls; shared by every shard (a lane's calls are chained, so they never
     *                    overlap and keep order whichever thread runs them), so an idle shard holds no thread
     * @param wake called when the pipeline fails, so the shard's task handles it without waiting for more data
     */
    ShardPipeline(ConsumerConfig config, String stream, RecordProcessor processor, LeaseHolding checkpointer,
                  ConsumerMetrics metrics, BooleanSupplier fenced, Executor laneThreads, Runnable wake) {
        this.fenced = fenced;
        this.shardId = checkpointer.shardId();
        this.processor = processor;
        this.checkpointer = checkpointer;
        this.metrics = metrics;
        this.dispatcher = new LaneDispatcher(config.perKeyParallelism());
        this.marks = new LowWaterMark(checkpointer.lastCheckpoint());
        this.maxInFlight = config.maxBatchesInFlight();
        this.laneThreads = laneThreads;
        this.wake = wake;
        this.runner = new BatchRunner(config.failurePolicy(), stream, shardId, marks,
                d -> CompletableFuture.delayedExecutor(d.toNanos(), TimeUnit.NANOSECONDS, laneThreads),
                Clock.systemUTC(), new BatchRunner.Listener() {
                    @Override
                    public void failed(int records) {
                        metrics.processFailure();
                    }

                    @Override
                    public void retried() {
                        metrics.retry();
                    }

                    @Override
                    public void bisected() {
                        metrics.bisection();
                    }

                    @Override
                    public void deadLettered(DeadLetter letter) {
                        metrics.deadLetter();
                        // Stored and finished: move the checkpoint over it so a restart does not deliver it again.
                        checkpointAtMark(null).exceptionally(e -> {
                            if (BatchRunner.isLeaseLost(e)) {
                                fail(KinesisRecords.unwrap(e));
                            } else {
                                log.warn("shard {}: checkpoint after a dead letter failed: {}", shardId, e.toString());
                            }
                            return null;
                        });
                    }
                });
        this.lanes = new CompletableFuture<?>[dispatcher.lanes()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = CompletableFuture.completedFuture(null);
        }
        this.shardView = new LaneCheckpointer(this, List.of());
    }

    /**
     * Hands a batch (de-aggregated, in shard order, positions after everything handed before) to the lanes, first
     * waiting while {@code maxBatchesInFlight} batches are unfinished.
     *
     * @param abort checked while waiting: true gives up (the shard is stopping)
     * @return false when the batch was not taken: the pipeline failed or was cancelled, the lease is lost, or aborted
     */
    boolean submit(List<UserRecord> records, long millisBehindLatest, BooleanSupplier abort)
            throws InterruptedException {
        synchronized (lock) {
            while (inFlight >= maxInFlight && !stopped() && !abort.getAsBoolean()) {
                lock.wait(50);
            }
            if (stopped() || abort.getAsBoolean()) {
                return false;
            }
            inFlight++;
        }
        checkpointer.recordDelivered(records.get(records.size() - 1));
        List<List<BatchRunner.Item>> perLane = new ArrayList<>(dispatcher.lanes());
        for (int i = 0; i < dispatcher.lanes(); i++) {
            perLane.add(new ArrayList<>());
        }
        for (UserRecord r : records) {
            LowWaterMark.Slot slot = marks.add(ExtendedSequenceNumber.of(r.sequenceNumber(), r.subSequenceNumber()));
            perLane.get(dispatcher.assign(r)).add(new BatchRunner.Item(r, slot));
        }
        AtomicInteger parts = new AtomicInteger();
        perLane.forEach(p -> parts.addAndGet(p.isEmpty() ? 0 : 1));
        for (int lane = 0; lane < lanes.length; lane++) {
            List<BatchRunner.Item> items = perLane.get(lane);
            if (items.isEmpty()) {
                continue;
            }
            lanes[lane] = lanes[lane]
                    .thenCompose(x -> runner.run(items, call(millisBehindLatest), this::stopped))
                    .whenComplete((x, e) -> {
                        items.forEach(i -> dispatcher.release(i.record)); // the calls over them have returned
                        if (e != null) {
                            fail(KinesisRecords.unwrap(e));
                        }
                        if (parts.decrementAndGet() == 0) {
                            synchronized (lock) {
                                inFlight--;
                                lock.notifyAll();
                            }
                        }
                    });
        }
        return true;
    }

    private BatchRunner.Call call(long millisBehindLatest) {
        return items -> {
            List<UserRecord> records = new ArrayList<>(items.size());
            long bytes = 0;
            for (BatchRunner.Item i : items) {
                records.add(i.record);
                bytes += i.record.dataLength();
            }
            ProcessRecordsInput input = new ProcessRecordsInput(shardId, List.copyOf(records), millisBehindLatest,
                    new LaneCheckpointer(this, items));
            long size = bytes;
            CompletableFuture<Void> done;
            if (processor instanceof AsyncRecordProcessor async) {
                done = CompletableFuture.supplyAsync(() -> {
                    long t0 = System.nanoTime();
                    CompletionStage<Void> stage = async.processRecordsAsync(input);
                    if (stage == null) {
                        throw new NullPointerException("processRecordsAsync returned null");
                    }
                    return stage.thenRun(() -> metrics.delivered(records.size(), size, System.nanoTime() - t0));
                }, laneThreads).thenCompose(s -> s);
            } else {
                done = CompletableFuture.runAsync(() -> {
                    long t0 = System.nanoTime();
                    processor.processRecords(input);
                    metrics.delivered(records.size(), size, System.nanoTime() - t0);
                }, laneThreads);
            }
            return done;
        };
    }

    private void fail(Throwable e) {
        synchronized (lock) {
            if (failure == null && !(e instanceof java.util.concurrent.CancellationException)) {
                failure = e;
            }
            cancelled = true;
            lock.notifyAll();
        }
        wake.run();
    }

    private boolean stopped() {
        return failure != null || cancelled || checkpointer.isLost() || fenced.getAsBoolean();
    }

    /** Why the pipeline stopped: a {@link BatchRunner.ProcessingStoppedException} or a lease loss; null if running. */
    Throwable failure() {
        return failure;
    }

    /** No lane starts another call; calls running now finish (see {@link #awaitIdle}). */
    void cancel() {
        synchronized (lock) {
            cancelled = true;
            lock.notifyAll();
        }
    }

    /** True when no batch is unfinished. */
    boolean idle() {
        synchronized (lock) {
            return inFlight == 0;
        }
    }

    /**
     * Waits until every batch handed over is finished (or given up after a failure or cancel), at most
     * {@code timeout}, returning early when {@code abort} turns true.
     *
     * @return true when idle
     */
    boolean awaitIdle(Duration timeout, BooleanSupplier abort) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (inFlight > 0 && !abort.getAsBoolean()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                lock.wait(Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(left))));
            }
            return inFlight == 0;
        }
    }

    /** The checkpointer for shardEnded and shutdownRequested: held to the low-water mark. */
    LaneCheckpointer shardCheckpointer() {
        return shardView;
    }

    LeaseHolding checkpointer() {
        return checkpointer;
    }

    LowWaterMark marks() {
        return marks;
    }

    /** The low-water mark, or {@code cap} when that is lower; null when nothing is finished. */
    ExtendedSequenceNumber markCappedAt(ExtendedSequenceNumber cap) {
        ExtendedSequenceNumber m = marks.mark();
        return m != null && cap != null && cap.compareTo(m) < 0 ? cap : m;
    }

    /**
     * Checkpoints at the low-water mark (capped at {@code cap}) when that is past the last checkpoint; when every
     * record handed over is finished, at the last one delivered (SHARD_END once the shard's end was reached).
     */
    CompletableFuture<Void> checkpointAtMark(ExtendedSequenceNumber cap) {
        synchronized (lock) { // compare and write as one step: two lanes never write out of order
            if (cap == null && inFlight == 0 && marks.open() == 0) {
                return checkpointer.checkpoint();
            }
            ExtendedSequenceNumber at = markCappedAt(cap);
            if (at == null || at.compareTo(checkpointer.lastCheckpoint()) <= 0) {
                return CompletableFuture.completedFuture(null);
            }
            return checkpointer.checkpoint(at);
        }
    }

    @Override
    public void close() {
        cancel();
    }
}
