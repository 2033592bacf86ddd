package dev.shardline.examples.status;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import dev.shardline.checkpoint.WorkerHeartbeats;
import dev.shardline.common.StreamIds;
import dev.shardline.examples.cli.CliErrors;
import dev.shardline.examples.cli.LeaseTables;
import dev.shardline.examples.cli.Streams;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Reads an application's state, read-only: a Scan of the lease table, a Scan of the heartbeat table, ListShards of
 * each stream, and, for every shard that should be read, one GetShardIterator + GetRecords(Limit 1) just after its
 * checkpoint for Kinesis's MillisBehindLatest. Every remote call is bounded by the call timeout. Nothing is written.
 *
 * <p>The lag reads count against each shard's 5 reads/s, shared with the application: {@code status --watch} and the
 * console read at most once per refresh, and the console measures lag less often than it refreshes the rest.
 */
public final class StatusReader {
    /** Lag reads in flight at once (keeps a thousand-shard application from opening a thousand connections). */
    private static final int LAG_PARALLELISM = 16;

    private final DynamoDbAsyncClient dynamoDb;
    private final KinesisAsyncClient kinesis;
    private final String application;
    private final List<String> streams;
    private final Duration callTimeout;
    private final Clock clock;
    private final Duration lagRefresh;
    private final LeaseTable leaseTable;
    private final WorkerHeartbeats heartbeats;
    /** The last lag measured per lease key, and when (System.nanoTime), reused for {@code lagRefresh}. */
    private final Map<String, Long> lastLag = new ConcurrentHashMap<>();
    private volatile long lastLagNanos;
    private volatile boolean lagMeasured;

    /**
     * @param streams    the streams to look at; empty: those the application's workers and lease keys name
     * @param lagRefresh how long a measured lag is shown again before the shards are read again (zero: every read)
     */
    public StatusReader(DynamoDbAsyncClient dynamoDb, KinesisAsyncClient kinesis, String application,
            List<String> streams, Duration callTimeout, Duration lagRefresh, Clock clock) {
        this.dynamoDb = dynamoDb;
        this.kinesis = kinesis;
        this.application = application;
        this.streams = List.copyOf(streams);
        this.callTimeout = callTimeout;
        this.lagRefresh = lagRefresh;
        this.clock = clock;
        // Never written through: the worker id only satisfies the builder.
        this.leaseTable = LeaseTable.builder(dynamoDb).applicationName(application).workerId("shardline-status").build();
        this.heartbeats = new WorkerHeartbeats(leaseTable);
    }

    /** The application now. */
    public ApplicationStatus read() {
        return read(Map.of());
    }

    /**
     * The application now, with lag measured unless it was within {@code lagRefresh}.
     *
     * @param throughputs per lease key, records/s and bytes/s measured elsewhere (the demo's own counters; either may
     *                    be null); leases not named show the throughput stored on the lease
     * @throws IllegalStateException when the lease table cannot be read (missing, unreachable)
     */
    public ApplicationStatus read(Map<String, Throughput> throughputs) {
        CompletableFuture<List<Lease>> leaseScan = bounded(leaseTable.listLeases());
        CompletableFuture<Optional<List<WorkerHeartbeats.Worker>>> beatScan = bounded(heartbeats.describe())
                .thenApply(Optional::of)
                .exceptionally(e -> {
                    if (CliErrors.rootCause(e) instanceof ResourceNotFoundException) {
                        return Optional.empty();
                    }
                    throw e instanceof CompletionException c ? c : new CompletionException(e);
                });
        List<Lease> leases;
        Optional<List<WorkerHeartbeats.Worker>> workers;
        try {
            leases = leaseScan.join();
            workers = beatScan.join();
        } catch (CompletionException e) {
            throw LeaseTables.translate(CliErrors.rootCause(e), dynamoDb, application);
        }
        List<String> warnings = new ArrayList<>();
        Map<String, List<StatusAssembler.KinesisShard>> shards = new HashMap<>();
        for (String stream : StatusAssembler.streams(streams, leases, workers)) {
            try {
                shards.put(stream, Streams.listShards(kinesis, stream).stream().map(StatusReader::shard).toList());
            } catch (RuntimeException e) {
                warnings.add("stream " + stream + ": " + CliErrors.oneLine(e));
            }
        }
        long now = System.nanoTime();
        if (lagMeasured && now - lastLagNanos < lagRefresh.toNanos()) {
            return StatusAssembler.assemble(new StatusAssembler.Inputs(application, clock.instant(), streams, leases,
                    workers, shards, Map.copyOf(lastLag), throughputs, warnings));
        }
        ApplicationStatus status = StatusAssembler.assemble(new StatusAssembler.Inputs(application, clock.instant(),
                streams, leases, workers, shards, Map.of(), throughputs, new ArrayList<>(warnings)));
        Map<String, Long> lag = lag(status.leases().stream()
                .filter(l -> l.state().needsOwner() && l.stream() != null && shards.containsKey(l.stream()))
                .toList(), warnings);
        lastLag.clear();
        lastLag.putAll(lag);
        lastLagNanos = now;
        lagMeasured = true;
        return StatusAssembler.assemble(new StatusAssembler.Inputs(application, clock.instant(), streams, leases,
                workers, shards, lag, throughputs, warnings));
    }

    private static StatusAssembler.KinesisShard shard(Shard s) {
        Set<String> parents = new LinkedHashSet<>();
        if (s.parentShardId() != null) {
            parents.add(s.parentShardId());
        }
        if (s.adjacentParentShardId() != null) {
            parents.add(s.adjacentParentShardId());
        }
        return new StatusAssembler.KinesisShard(s.shardId(), parents,
                s.sequenceNumberRange() != null && s.sequenceNumberRange().endingSequenceNumber() != null);
    }

    private Map<String, Long> lag(List<LeaseStatus> leases, List<String> warnings) {
        Map<String, Long> lag = new ConcurrentHashMap<>();
        Set<String> failures = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < leases.size(); i += LAG_PARALLELISM) {
            List<CompletableFuture<Void>> batch = new ArrayList<>();
            for (LeaseStatus lease : leases.subList(i, Math.min(leases.size(), i + LAG_PARALLELISM))) {
                batch.add(millisBehind(lease).handle((millis, error) -> {
                    if (error != null) {
                        failures.add(lease.shardId() + ": " + CliErrors.oneLine(error));
                    } else if (millis != null) {
                        lag.put(lease.leaseKey(), millis);
                    }
                    return null;
                }));
            }
            CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).join();
        }
        if (!failures.isEmpty()) {
            warnings.add("lag not measured for " + failures.size() + " shard(s), e.g. " + failures.iterator().next());
        }
        return lag;
    }

    /** MillisBehindLatest of a read starting just after the lease's checkpoint (0 for LATEST: nothing is behind). */
    private CompletableFuture<Long> millisBehind(LeaseStatus lease) {
        String checkpoint = lease.checkpoint();
        if (checkpoint.equals("LATEST")) {
            return CompletableFuture.completedFuture(0L);
        }
        boolean sequence = !checkpoint.isEmpty() && checkpoint.chars().allMatch(Character::isDigit);
        return iterator(lease, sequence ? ShardIteratorType.AFTER_SEQUENCE_NUMBER : ShardIteratorType.TRIM_HORIZON,
                sequence ? checkpoint : null)
                .exceptionallyCompose(e -> CliErrors.rootCause(e) instanceof InvalidArgumentException && sequence
                        // the checkpointed record is past retention: the application would restart at the trim horizon
                        ? iterator(lease, ShardIteratorType.TRIM_HORIZON, null)
                        : CompletableFuture.failedFuture(e))
                .thenCompose(it -> bounded(kinesis.getRecords(r -> r.shardIterator(it).limit(1))))
                .thenApply(r -> r.millisBehindLatest());
    }

    private CompletableFuture<String> iterator(LeaseStatus lease, ShardIteratorType type, String sequenceNumber) {
        GetShardIteratorRequest.Builder request = GetShardIteratorRequest.builder().shardId(lease.shardId())
                .shardIteratorType(type).startingSequenceNumber(sequenceNumber);
        if (StreamIds.isArn(lease.stream())) {
            request.streamARN(lease.stream());
        } else {
            request.streamName(lease.stream());
        }
        return bounded(kinesis.getShardIterator(request.build())).thenApply(r -> r.shardIterator());
    }

    private <T> CompletableFuture<T> bounded(CompletableFuture<T> call) {
        return call.orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS).exceptionallyCompose(e ->
                CompletableFuture.failedFuture(CliErrors.rootCause(e) instanceof TimeoutException
                        ? new TimeoutException("no answer within " + callTimeout.toMillis() + " ms") : e));
    }
}
