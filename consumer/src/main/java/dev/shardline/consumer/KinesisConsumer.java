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
 * the shards by measured load (by count while nothing is measured); a worker that stops heartbeating loses its shards
 * to the others after {@link ConsumerConfig#failoverTime()}; {@link #close()} hands them over at once.
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
    private final ScheduledExecutorService readers;
    private final Object lock = new Object();
    private LeaseTable leaseTable;
    private WorkerHeartbeats heartbeats;
    private LeaseCoordinator coordinator;
    private Streams streams;
    private ScheduledExecutorService streamsThread;
    private ScheduledFuture<?> loop;
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
        this.readers = Executors.newScheduledThreadPool(2, named("shardline-reader-", true));
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
     * Creates the lease and heartbeat tables when missing, resolves the streams (and for fan-out registers or reuses
     * each stream consumer, waiting until ACTIVE), creates leases for their shards and starts the lease loop (and,
     * with a streams supplier, its polling). Returns once the worker is running; shards are taken on the loop's first
     * rounds.
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
        long t0 = System.nanoTime();
        leaseTable = LeaseTable.builder(dynamo).applicationName(config.applicationName())
                .tableName(config.tableName()).workerId(config.workerId()).build();
        heartbeats = new WorkerHeartbeats(leaseTable);
        // Both tables at once: each creation waits for ACTIVE.
        CompletableFuture.allOf(leaseTable.createIfMissing(), heartbeats.createIfMissing()).join();
        log.debug("tables ready after {} ms", (System.nanoTime() - t0) / 1_000_000);
        streams = new Streams(config, kinesis, leaseTable, metrics, readers);
        streams.start();
        java.util.List<dev.shardline.checkpoint.Lease> existing = leaseTable.listLeases().join();
        java.util.List<CompletableFuture<Integer>> syncs = new java.util.ArrayList<>();
        for (ConsumedStream s : streams.all()) {
            s.discovery().takeSyncRequest();
            syncs.add(s.discovery().sync(existing));
        }
        CompletableFuture.allOf(syncs.toArray(CompletableFuture[]::new)).join();
        log.debug("leases synced after {} ms", (System.nanoTime() - t0) / 1_000_000);
        ThreadFactory shardThreads = named("shardline-shard-", true);
        coordinator = new LeaseCoordinator(config, leaseTable, heartbeats, streams,
                (checkpointer, stream, meter) -> new ShardTask(config, leaseTable, checkpointer, stream, metrics, meter),
                metrics, shardThreads);
        long interval = config.leaseInterval().toNanos();
        loop = coordinatorThread.scheduleWithFixedDelay(this::tick, 0, interval, TimeUnit.NANOSECONDS);
        if (config.streamsSupplier() != null) {
            streamsThread = Executors.newSingleThreadScheduledExecutor(named("shardline-streams-", true));
            long every = config.streamsPollInterval().toNanos();
            streamsThread.scheduleWithFixedDelay(this::refreshStreams, every, every, TimeUnit.NANOSECONDS);
        }
        log.info("worker {} started on {} ({}) in {} ms", config.workerId(),
                streams.all().size() == 1 ? "stream " + streams.all().iterator().next() : "streams " + streams.all(),
                config.retrieval(), (System.nanoTime() - t0) / 1_000_000);
    }

    private void refreshStreams() {
        try {
            streams.refresh();
        } catch (RuntimeException e) {
            log.warn("streams refresh failed, retrying next interval: {}", KinesisRecords.unwrap(e).toString());
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
     * Graceful stop: the lease loop stops, every processor gets shutdownRequested (and may checkpoint) within
     * {@link ConsumerConfig#shutdownTimeout()}, every lease is released so other workers take it on their next round
     * without waiting for failover, and this worker's heartbeat is removed. Clients made by the consumer are closed.
     * Idempotent.
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (loop != null) {
            loop.cancel(false);
        }
        if (streamsThread != null) {
            streamsThread.shutdownNow();
        }
        coordinatorThread.shutdown();
        try {
            coordinatorThread.awaitTermination(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (coordinator != null) {
                coordinator.shutdownTasks().get(config.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            log.warn("processors did not finish within {}; their leases expire after failover", config.shutdownTimeout());
        } catch (Exception e) {
            log.warn("shutdown: {}", e.toString());
        }
        if (heartbeats != null) {
            try {
                heartbeats.remove().join();
            } catch (RuntimeException e) {
                log.debug("heartbeat removal failed: {}", e.toString());
            }
        }
        readers.shutdownNow();
        if (ownKinesis) {
            kinesis.close();
        }
        if (ownDynamo) {
            dynamo.close();
        }
        log.info("worker {} closed", config.workerId());
    }
}
