package dev.shardline.checkpoint;

import static dev.shardline.checkpoint.LeaseItems.n;
import static dev.shardline.checkpoint.LeaseItems.s;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;

/**
 * Worker liveness in one item per worker, in a table of its own ({@code <application>-ShardlineWorkers}; KCL scans the
 * lease table and would take any other item there for a lease). Each beat increments the worker's {@code heartbeat}
 * counter; others judge it dead when the counter stays unchanged for the failover time on their own monotonic clock
 * ({@link ExpiryTracker}), and only then move its leases. This costs writes per worker, not per lease.
 *
 * <p>Every write is conditional: a beat expects the counter this instance wrote last, so two live processes using the
 * same worker id are detected ({@link IllegalStateException}). One instance per worker; thread-safe.
 *
 * <p>For people and tools looking at the application ({@code shardline status}), each beat also writes the wall-clock
 * time it was sent ({@code lastBeatMillis}) and, once {@link #announce announced}, the streams the worker reads and
 * its failover time. Workers never judge each other by those: liveness stays the counter on the observer's clock.
 */
public final class WorkerHeartbeats {
    /** Suffix of the heartbeat table name after the application name. */
    public static final String TABLE_SUFFIX = "-ShardlineWorkers";
    static final String WORKER_ID = "workerId";
    static final String HEARTBEAT = "heartbeat";
    static final String DRAINING = "draining";
    static final String LAST_BEAT = "lastBeatMillis";
    static final String STREAMS = "streams";
    static final String FAILOVER = "failoverMillis";

    /**
     * One worker's heartbeat item: its counter, and whether it is closing and asks the others to take its leases
     * by graceful handoff ({@code draining}).
     */
    public record Beat(long heartbeat, boolean draining) {
    }

    /**
     * What one worker's heartbeat item tells an observer: its beat, and what it announced (empty when it wrote none,
     * e.g. a worker of an older version).
     *
     * @param lastBeat     the wall-clock time of the last beat, as the worker's clock read it
     * @param streams      the streams it reads (names or ARNs)
     * @param failoverTime after how long without a beat the workers treat it as dead
     */
    public record Worker(String workerId, Beat beat, Optional<Instant> lastBeat, Set<String> streams,
                         Optional<Duration> failoverTime) {
    }

    private final DynamoDbAsyncClient client;
    private final Retrier retrier;
    private final String tableName;
    private final String workerId;
    private final Duration tableActiveTimeout;
    private final software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration timeouts;
    private final Clock clock = Clock.systemUTC();
    private long lastBeat = -1; // -1: not yet written by this instance
    /** Set by remove(): a beat after it would recreate the item (a missing item is accepted), so none is sent. */
    private boolean removed;
    private CompletableFuture<?> inFlight = CompletableFuture.completedFuture(null);
    private volatile Set<String> streams = Set.of();
    private volatile Duration failoverTime;

    /** Heartbeats for the lease table's application and worker, on the same client and retry settings. */
    public WorkerHeartbeats(LeaseTable leaseTable) {
        this(leaseTable.client(), leaseTable.retrier(), leaseTable.tableName() + TABLE_SUFFIX, leaseTable.workerId(),
                leaseTable.timeouts());
    }

    WorkerHeartbeats(DynamoDbAsyncClient client, Retrier retrier, String tableName, String workerId,
                     software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration timeouts) {
        this.timeouts = timeouts;
        this.client = Objects.requireNonNull(client, "client");
        this.retrier = retrier;
        LeaseTable.checkTableName("heartbeat tableName", tableName);
        this.tableName = tableName;
        this.workerId = workerId;
        this.tableActiveTimeout = Duration.ofMinutes(2);
    }

    /** The heartbeat table's name. */
    public String tableName() {
        return tableName;
    }

    /**
     * Announces, with every following beat, the streams this worker reads and its failover time, so that people and
     * tools looking at the application ({@code shardline status}) find its streams and judge its heartbeat's age as
     * the workers do. Returns this.
     */
    public WorkerHeartbeats announce(Collection<String> streams, Duration failoverTime) {
        this.streams = Set.copyOf(streams);
        this.failoverTime = Objects.requireNonNull(failoverTime, "failoverTime");
        return this;
    }

    /** Creates the heartbeat table (on-demand) when missing and waits until ACTIVE. */
    public CompletableFuture<Void> createIfMissing() {
        return Tables.ensure(client, retrier, tableName, WORKER_ID, false, null, tableActiveTimeout);
    }

    /**
     * Beats once: increments this worker's heartbeat counter and returns the new value. The first beat of this
     * instance creates the item or continues a previous incarnation's counter. Call it once per interval and wait for
     * it before the next beat (each beat expects the counter the previous one wrote).
     *
     * @throws IllegalStateException (in the future) when another process beats with the same worker id
     */
    public CompletableFuture<Long> beat() {
        return beat(false);
    }

    /**
     * Beats once and marks this worker as draining: it is closing and asks the others to take its leases by
     * graceful handoff now rather than after its heartbeat is gone. Later beats keep the mark.
     */
    public CompletableFuture<Long> drain() {
        return beat(true);
    }

    private synchronized CompletableFuture<Long> beat(boolean drain) {
        if (removed) {
            return CompletableFuture.failedFuture(new IllegalStateException("heartbeat of worker " + workerId
                    + " was removed (the worker closed)"));
        }
        long expected = lastBeat;
        // A missing item is (re)created either way: another worker may have deleted it as dead (removeDead) while
        // this one was cut off from DynamoDB for a long time; a counter changed by someone else is refused.
        // A recreated counter must never repeat the value observers saw when they declared the worker dead (they
        // would take it for unchanged, i.e. still dead): this instance continues after its own last value, and a
        // new instance starts at a random base instead of 0.
        String condition = expected < 0 ? "attribute_not_exists(#h) OR #h >= :zero"
                : "attribute_not_exists(#h) OR #h = :last";
        long base = expected >= 0 ? expected : java.util.concurrent.ThreadLocalRandom.current().nextLong(1L << 40);
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":one", n(1), ":base", n(base),
                ":now", n(clock.millis())));
        if (expected >= 0) {
            values.put(":last", n(expected));
        } else {
            values.put(":zero", n(0));
        }
        Map<String, String> names = new HashMap<>(Map.of("#h", HEARTBEAT, "#t", LAST_BEAT));
        StringBuilder update = new StringBuilder("SET #h = if_not_exists(#h, :base) + :one, #t = :now");
        if (drain) {
            update.append(", #d = :true");
            names.put("#d", DRAINING);
            values.put(":true", AttributeValue.fromBool(true));
        }
        Duration failover = failoverTime;
        if (failover != null) {
            update.append(", #f = :failover");
            names.put("#f", FAILOVER);
            values.put(":failover", n(failover.toMillis()));
        }
        Set<String> announced = streams;
        if (!announced.isEmpty()) {
            update.append(", #s = :streams");
            names.put("#s", STREAMS);
            values.put(":streams", AttributeValue.fromSs(List.copyOf(announced)));
        }
        CompletableFuture<Long> f = retrier.call(() -> client.updateItem(r -> r.tableName(tableName)
                        .key(Map.of(WORKER_ID, s(workerId)))
                        .updateExpression(update.toString())
                        .conditionExpression(condition)
                        .expressionAttributeNames(names)
                        .expressionAttributeValues(values)
                        .returnValues(ReturnValue.UPDATED_NEW)
                        .overrideConfiguration(timeouts)))
                .thenApply(r -> Long.parseLong(r.attributes().get(HEARTBEAT).n()));
        CompletableFuture<Long> out = f.handle((v, e) -> {
            synchronized (this) {
                if (e == null) {
                    lastBeat = v;
                    return v;
                }
                if (LeaseTable.conditionFailed(e)) {
                    lastBeat = -1; // resynchronise on the next beat, but tell the caller
                    throw new IllegalStateException("heartbeat of worker " + workerId + " in " + tableName
                            + " was changed by another process: is the worker id used twice?");
                }
                throw e instanceof RuntimeException re ? re : new IllegalStateException(Retrier.unwrap(e));
            }
        });
        inFlight = out;
        return out;
    }

    /**
     * One worker's heartbeat, read strongly consistently (the latest acknowledged beat), or empty when it has no
     * item. Read before declaring a worker dead, so a stale eventually consistent Scan never expires a live worker.
     */
    public CompletableFuture<java.util.Optional<Beat>> read(String worker) {
        return retrier.call(() -> client.getItem(r -> r.tableName(tableName).key(Map.of(WORKER_ID, s(worker)))
                        .consistentRead(true).overrideConfiguration(timeouts)))
                .thenApply(r -> r.hasItem() && !r.item().isEmpty()
                        ? java.util.Optional.of(beatOf(r.item())) : java.util.Optional.empty());
    }

    private static Beat beatOf(Map<String, AttributeValue> item) {
        AttributeValue h = item.get(HEARTBEAT);
        AttributeValue d = item.get(DRAINING);
        return new Beat(h == null ? 0L : Long.parseLong(h.n()), d != null && Boolean.TRUE.equals(d.bool()));
    }

    /** Every worker's heartbeat item (an eventually consistent Scan), by worker id. */
    public CompletableFuture<Map<String, Beat>> beats() {
        Map<String, Beat> out = new java.util.TreeMap<>();
        return scanItems(null, i -> out.put(i.get(WORKER_ID).s(), beatOf(i))).thenApply(x -> out);
    }

    /** Every worker's heartbeat item with what it announced, sorted by worker id (an eventually consistent Scan). */
    public CompletableFuture<List<Worker>> describe() {
        List<Worker> out = new ArrayList<>();
        return scanItems(null, i -> out.add(workerOf(i))).thenApply(x -> {
            out.sort(java.util.Comparator.comparing(Worker::workerId));
            return out;
        });
    }

    private static Worker workerOf(Map<String, AttributeValue> item) {
        AttributeValue t = item.get(LAST_BEAT);
        AttributeValue f = item.get(FAILOVER);
        AttributeValue st = item.get(STREAMS);
        return new Worker(item.get(WORKER_ID).s(), beatOf(item),
                t == null || t.n() == null ? Optional.empty() : Optional.of(Instant.ofEpochMilli(Long.parseLong(t.n()))),
                st == null || !st.hasSs() ? Set.of() : new LinkedHashSet<>(st.ss()),
                f == null || f.n() == null ? Optional.empty() : Optional.of(Duration.ofMillis(Long.parseLong(f.n()))));
    }

    private CompletableFuture<Void> scanItems(Map<String, AttributeValue> start,
            Consumer<Map<String, AttributeValue>> sink) {
        ScanRequest req = ScanRequest.builder().tableName(tableName).consistentRead(false).exclusiveStartKey(start)
                .overrideConfiguration(timeouts).build();
        return retrier.call(() -> client.scan(req)).thenCompose(r -> {
            r.items().forEach(sink);
            return r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty()
                    ? scanItems(r.lastEvaluatedKey(), sink) : CompletableFuture.completedFuture(null);
        });
    }

    /**
     * Every worker's heartbeat counter (an eventually consistent Scan, half the read units of a consistent one: a
     * stale read only delays expiry, since any change of a counter restarts its timer).
     */
    public CompletableFuture<Map<String, Long>> heartbeats() {
        return beats().thenApply(m -> {
            Map<String, Long> out = new java.util.TreeMap<>();
            m.forEach((w, b) -> out.put(w, b.heartbeat()));
            return out;
        });
    }

    /**
     * Removes this worker's item on a clean shutdown (only if the counter is still the one it wrote), so others need
     * not wait for its heartbeat to expire. Returns true when removed.
     */
    public CompletableFuture<Boolean> remove() {
        CompletableFuture<?> last;
        synchronized (this) {
            removed = true; // no beat after this one: it could recreate the item
            last = inFlight;
        }
        // After the beat in flight (if any) settled, so the delete expects the counter it wrote.
        return last.handle((x, e) -> null).thenCompose(x -> deleteOwn());
    }

    private synchronized CompletableFuture<Boolean> deleteOwn() {
        if (lastBeat < 0) {
            return CompletableFuture.completedFuture(false);
        }
        long expected = lastBeat;
        return retrier.call(() -> client.deleteItem(r -> r.tableName(tableName).key(Map.of(WORKER_ID, s(workerId)))
                        .conditionExpression("#h = :last")
                        .expressionAttributeNames(Map.of("#h", HEARTBEAT))
                        .expressionAttributeValues(Map.of(":last", n(expected)))
                        .overrideConfiguration(timeouts)))
                .thenApply(r -> {
                    synchronized (this) {
                        lastBeat = -1;
                    }
                    return true;
                })
                .exceptionallyCompose(e -> LeaseTable.conditionFailed(e) ? CompletableFuture.completedFuture(false)
                        : CompletableFuture.failedFuture(Retrier.unwrap(e)));
    }

    /**
     * Deletes another worker's heartbeat item, found dead, only if its counter is still {@code heartbeat} (the value
     * that was read when it was declared dead): a worker that beat since, or came back under the same id, keeps its
     * item. Returns true when deleted, false when the item changed or is already gone.
     */
    public CompletableFuture<Boolean> removeDead(String worker, long heartbeat) {
        if (worker.equals(workerId)) {
            throw new IllegalArgumentException("removeDead is for other workers' items; use remove() for this one");
        }
        return retrier.call(() -> client.deleteItem(r -> r.tableName(tableName).key(Map.of(WORKER_ID, s(worker)))
                        .conditionExpression("#h = :seen")
                        .expressionAttributeNames(Map.of("#h", HEARTBEAT))
                        .expressionAttributeValues(Map.of(":seen", n(heartbeat)))
                        .overrideConfiguration(timeouts)))
                .thenApply(r -> true)
                .exceptionallyCompose(e -> LeaseTable.conditionFailed(e) ? CompletableFuture.completedFuture(false)
                        : CompletableFuture.failedFuture(Retrier.unwrap(e)));
    }

    /** Worker ids with a heartbeat item, sorted. */
    public CompletableFuture<List<String>> workers() {
        return heartbeats().thenApply(m -> new ArrayList<>(m.keySet()));
    }
}
