package dev.shardline.consumer;

import dev.shardline.checkpoint.LeaseTable;
import dev.shardline.checkpoint.WorkerHeartbeats;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * The consumer worker: leases shards of one stream, or of several ({@link ConsumerConfig#isMultiStream()}), in the
 * application's DynamoDB lease table, reads them (polling or enhanced fan-out, per stream) and hands de-aggregated
 * records to one {@link RecordProcessor} per shard, in order, at least once. Workers of the same application share
 * the shards by measured load (by count while nothing is measured); a worker that stops heartbeating loses its shards to the
 * others after {@link ConsumerConfig#failoverTime()}, and stops processing them itself before that
 * ({@link ConsumerConfig#fenceTime()}); every move between live workers, {@link #close()} included, is a graceful
 * handoff: the owner's processor gets shutdownRequested and may checkpoint, and the receiver starts right after.
 *
 * <pre>{@code
 * try (KinesisConsumer consumer = new KinesisConsumer(config)) {
 *     consumer.start();
 *     ...   // runs on its own threads until close()
 * }
 * }</pre>
 */
public final class KinesisConsumer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KinesisConsumer.class);

    private final ConsumerConfig config;
    private final KinesisAsyncClient kinesis;
    private final DynamoDbAsyncClient dynamo;
    private final boolean ownKinesis;
    private final boolean ownDynamo;
    private final ConsumerMetrics metrics;
    private final ScheduledExecutorService coordinatorThread;
    private final ScheduledExecutorService pulseThread;
    private final CompletableFuture<Void> startFinished = new CompletableFuture<>();
    private final ScheduledExecutorService readers;
    private final java.util.concurrent.ExecutorService shardThreads;
    private final Object lock = new Object();
    private final FlowControl flow = new FlowControl();
    private LeaseTable leaseTable;
    private WorkerHeartbeats heartbeats;
    private LeaseCoordinator coordinator;
    private Streams streams;
    private ScheduledExecutorService streamsThread;
    private ScheduledFuture<?> loop;
    private ScheduledFuture<?> pulse;
    private boolean started;
    private boolean closed;

    /** A worker for {@code config}; nothing happens until {@link #start()}. */
    public KinesisConsumer(ConsumerConfig config) {
        this.config = config;
        this.ownKinesis = config.kinesisClient() == null;
        this.ownDynamo = config.dynamoDbClient() == null;
        this.kinesis = ownKinesis ? KinesisAsyncClient.create() : config.kinesisClient();
        this.dynamo = ownDynamo ? DynamoDbAsyncClient.create() : config.dynamoDbClient();
        this.metrics = new ConsumerMetrics(config.meterRegistry(), config.applicationName(), config.workerId(),
                config.lagThreshold());
        this.coordinatorThread = Executors.newSingleThreadScheduledExecutor(named("shardline-leases-", false));
        this.pulseThread = Executors.newSingleThreadScheduledExecutor(named("shardline-pulse-", true));
        this.readers = Executors.newScheduledThreadPool(2, named("shardline-reader-", true));
        // Shard tasks run here only while they have work (a batch, a stop): threads follow busy shards, not leases.
        this.shardThreads = Executors.newCachedThreadPool(named("shardline-shard-", true));
    }

    private static ThreadFactory named(String prefix, boolean daemon) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(daemon);
            return t;
        };
    }

    /** This worker's id in the lease table. */
    public String workerId() {
        return config.workerId();
    }

    /**
     * Creates the lease and heartbeat tables when missing, resolves the stream (and for fan-out registers or reuses
     * the stream consumer, waiting until ACTIVE), creates leases for the stream's shards and starts the lease loop.
     * Returns once the worker is running; shards are taken on the loop's first rounds.
     *
     * @throws IllegalStateException if already started or closed; other failures (missing stream, DynamoDB
     *                               unreachable) are thrown as they come
     */
    public void start() {
        synchronized (lock) {
            if (started || closed) {
                throw new IllegalStateException(closed ? "consumer is closed" : "consumer already started");
            }
            started = true;
        }
        try {
            doStart();
        } finally {
            startFinished.complete(null); // whatever happened, close() need not wait any more
        }
    }

    private void doStart() {
        long t0 = System.nanoTime();
        // Every lease call is bounded (safety never depends on it: see SelfFence), so a DynamoDB that stopped
        // answering fails a round or a checkpoint within seconds instead of after minutes of SDK retries.
        leaseTable = LeaseTable.builder(dynamo).applicationName(config.applicationName())
                .tableName(config.tableName()).workerId(config.workerId())
                .timeouts(config.dynamoDbAttemptTimeout(), config.dynamoDbCallTimeout()).build();
        heartbeats = new WorkerHeartbeats(leaseTable);
        // Both tables at once: each creation waits for ACTIVE.
        CompletableFuture.allOf(leaseTable.createIfMissing(), heartbeats.createIfMissing()).join();
        log.debug("tables ready after {} ms", (System.nanoTime() - t0) / 1_000_000);
        streams = new Streams(config, kinesis, leaseTable, metrics, readers, flow);
        streams.start();
        announceStreams();
        // Leases are created by the first lease round, which knows the live workers and creates only this worker's
        // slice of a new stream's leases (bench scale: four workers each creating all 1,000 kept DynamoDB too busy to
        // acknowledge heartbeats); a slow or throttled DynamoDB there fails a round, never start-up.
        streams.all().forEach(s -> s.discovery().requestSync());
        log.debug("leases synced after {} ms", (System.nanoTime() - t0) / 1_000_000);

        SelfFence fence = new SelfFence(config.fenceTime().toNanos(), System::nanoTime);
        LeaseCoordinator c = new LeaseCoordinator(config, leaseTable, heartbeats, streams,
                (holding, stream, meter) -> new ShardTask(config, holding, stream, metrics, meter, fence::isFenced,
                        shardThreads),
                metrics, shardThreads, fence);
        c.firstBeat();
        long interval = config.leaseInterval().toNanos();
        long pulseEvery = Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.MILLISECONDS.toNanos(50),
                interval / 4));
        synchronized (lock) {
            if (closed) { // close() ran while this was starting: it waits for this to return, then cleans up
                throw new IllegalStateException("consumer was closed while starting");
            }
            coordinator = c;
            pulse = pulseThread.scheduleAtFixedRate(this::pulse, pulseEvery, pulseEvery, TimeUnit.NANOSECONDS);
            loop = coordinatorThread.scheduleWithFixedDelay(this::tick, 0, interval, TimeUnit.NANOSECONDS);
            if (config.streamsSupplier() != null) {
                streamsThread = Executors.newSingleThreadScheduledExecutor(named("shardline-streams-", true));
                long every = config.streamsPollInterval().toNanos();
                streamsThread.scheduleWithFixedDelay(this::refreshStreams, every, every, TimeUnit.NANOSECONDS);
            }
        }
        log.info("worker {} started on {} ({}) in {} ms", config.workerId(),
                streams.all().size() == 1 ? "stream " + streams.all().iterator().next() : "streams " + streams.all(),
                config.retrieval(), (System.nanoTime() - t0) / 1_000_000);
    }

    /** The streams and failover time go with every beat, for {@code shardline status} and the console. */
    private void announceStreams() {
        heartbeats.announce(streams.all().stream().map(s -> s.ref().name()).toList(), config.failoverTime());
    }

    private void refreshStreams() {
        try {
            streams.refresh();
            announceStreams();
        } catch (RuntimeException e) {
            log.warn("streams refresh failed, retrying next interval: {}", KinesisRecords.unwrap(e).toString());
        }
    }

    private void pulse() {
        try {
            coordinator.pulse();
        } catch (RuntimeException e) {
            log.warn("lease pulse failed: {}", e.toString());
        }
    }

    private void tick() {
        try {
            coordinator.tick();
        } catch (RuntimeException e) {
            log.warn("lease round failed, retrying next interval: {}", KinesisRecords.unwrap(e).toString());
        }
    }

    /** Lease rounds completed so far (diagnostics and tests). */
    long rounds() {
        LeaseCoordinator c = coordinator;
        return c == null ? 0 : c.rounds();
    }

    /** Shards this worker processes right now. */
    public java.util.Set<String> heldShards() {
        LeaseCoordinator c = coordinator;
        return c == null ? java.util.Set.of() : c.heldShards();
    }

    /**
     * Pauses every shard of this worker: reading stops (what was read ahead stays queued) and no more records are
     * handed to processors; records already handed over finish. Leases are kept (heartbeats go on). For
     * back-pressure from downstream; see {@link #resume()}.
     */
    public void pause() {
        flow.pauseAll();
    }

    /** Resumes every shard paused by {@link #pause()} (shards paused one by one stay paused). */
    public void resume() {
        flow.resumeAll();
    }

    /** Pauses one shard as {@link #pause()} does for all; it stays paused if its lease moves here again. */
    public void pause(String shardId) {
        flow.pause(shardId);
    }

    /** Resumes a shard paused by {@link #pause(String)}. */
    public void resume(String shardId) {
        flow.resume(shardId);
    }

    /** True when {@code shardId} is paused, by {@link #pause(String)} or by {@link #pause()}. */
    public boolean isPaused(String shardId) {
        return flow.isPaused(shardId);
    }

    /**
     * Graceful stop: the lease loop stops; this worker marks itself draining, so the other workers ask for its leases
     * on their next round and each is handed over (its processor gets shutdownRequested and may checkpoint, the
     * receiver starts right after); whatever nobody asked for within about three lease intervals gets
     * shutdownRequested and is released. Processors have {@link ConsumerConfig#shutdownTimeout()} in all. The heartbeat
     * is removed and clients made by the consumer are closed. Idempotent; safe to call while {@link #start()} runs on
     * another thread (it waits for it).
     */
    @Override
    public void close() {
        boolean wasStarted;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            wasStarted = started;
        }
        if (wasStarted) {
            try {
                startFinished.handle((x, e) -> null).get(config.failoverTime().multipliedBy(4).toMillis()
                        + TimeUnit.MINUTES.toMillis(2), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.warn("close: start() still running: {}", e.toString());
            }
        }
        if (loop != null) {
            loop.cancel(false);
        }
        coordinatorThread.shutdown();
        try {
            coordinatorThread.awaitTermination(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (coordinator != null) {
                long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
                java.time.Duration drainWait = config.leaseInterval().multipliedBy(3);
                coordinator.drain(drainWait.compareTo(config.handoffTimeout()) < 0 ? drainWait : config.handoffTimeout());
                coordinator.shutdownTasks().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            log.warn("processors did not finish within {}; their leases expire after failover", config.shutdownTimeout());
        } catch (Exception e) {
            log.warn("shutdown: {}", e.toString());
        }
        if (pulse != null) {
            pulse.cancel(false);
        }
        pulseThread.shutdown();
        if (streamsThread != null) {
            streamsThread.shutdownNow();
        }
        if (heartbeats != null) {
            try {
                heartbeats.remove().join();
            } catch (RuntimeException e) {
                log.debug("heartbeat removal failed: {}", e.toString());
            }
        }
        readers.shutdownNow();
        shardThreads.shutdown();
        if (ownKinesis) {
            kinesis.close();
        }
        if (ownDynamo) {
            dynamo.close();
        }
        log.info("worker {} closed", config.workerId());
    }
}
