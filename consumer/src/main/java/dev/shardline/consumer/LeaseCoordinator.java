package dev.shardline.consumer;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseCheckpointer;
import dev.shardline.checkpoint.LeaseTable;
import dev.shardline.checkpoint.WorkerHeartbeats;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's lease loop, run every {@link ConsumerConfig#leaseInterval()} on one thread: beats this worker's
 * heartbeat (on the rounds nearest each {@link ConsumerConfig#heartbeatInterval()}: a write costs twice a read), reads
 * everyone's, and, when something may have changed (membership, unowned leases, balancing in progress, a shard ended)
 * or every few intervals otherwise, reads the lease table, stops tasks whose lease moved, takes and steals what
 * the planner says and starts a {@link ShardTask} per lease taken. Liveness is a heartbeat per worker, not a
 * renewal per lease, so DynamoDB writes grow with workers, not with shards.
 *
 * <p>The planner is {@link LoadBalancer} when leases carry measured throughput (and
 * {@link ConsumerConfig#balanceByLoad()}), else {@link AssignmentPlanner} (counts). Only leases of streams this
 * worker consumes ({@link Streams}) are planned; tasks of a stream that left the set are shut down and its leases
 * deleted after the configured delay. Every {@link ConsumerConfig#throughputReportInterval()} the throughput and lag
 * of held leases are written to them when they changed noticeably.
 */
final class LeaseCoordinator {
    private static final Logger log = LoggerFactory.getLogger(LeaseCoordinator.class);
    /** Without any hint of change, the lease table is still read every this many intervals. */
    static final int QUIET_SCAN_EVERY = 5;
    /** Load weight of one user record, in bytes: per-record processing cost beyond its payload. */
    static final int RECORD_COST_BYTES = 256;
    /** Throughput and lag writes in flight at most. */
    static final int STATS_CONCURRENCY = 8;
    /** Time constant of the throughput averages. */
    static final long THROUGHPUT_TAU_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    /** Makes the task for a lease just taken. */
    interface TaskFactory {
        ShardTask create(LeaseCheckpointer checkpointer, ConsumedStream stream, ThroughputMeter meter);
    }

    /** What was last written (or read) as a lease's statistics. */
    private record Stats(double kbps, double rps, long behind) {
    }

    private final ConsumerConfig config;
    private final LeaseTable leaseTable;
    private final WorkerHeartbeats heartbeats;
    private final Streams streams;
    private final TaskFactory taskFactory;
    private final ConsumerMetrics metrics;
    private final ThreadFactory threads;
    private final Liveness liveness;
    private final String me;
    private final Map<String, ShardTask> tasks = new ConcurrentHashMap<>();
    private final Map<String, Stats> reported = new ConcurrentHashMap<>();
    private final LoadBalancer balancer;
    private final LongSupplier clock;
    private long lastReportNanos;

    private Set<String> lastLive = Set.of();
    private int ticksSinceScan = Integer.MAX_VALUE / 2;
    private boolean scanSoon = true;
    private long lastSyncNanos;
    private long lastBeatNanos;
    private boolean beaten;
    private final java.util.concurrent.atomic.AtomicLong rounds = new java.util.concurrent.atomic.AtomicLong();

    LeaseCoordinator(ConsumerConfig config, LeaseTable leaseTable, WorkerHeartbeats heartbeats, Streams streams,
                     TaskFactory taskFactory, ConsumerMetrics metrics, ThreadFactory threads) {
        this.config = config;
        this.leaseTable = leaseTable;
        this.heartbeats = heartbeats;
        this.streams = streams;
        this.clock = System::nanoTime;
        this.balancer = new LoadBalancer(config.loadTolerance(), config.loadDamping().toNanos(), clock);
        this.lastReportNanos = clock.getAsLong();
        this.taskFactory = taskFactory;
        this.metrics = metrics;
        this.threads = threads;
        this.liveness = new Liveness(config.failoverTime().toNanos());
        this.me = config.workerId();
        this.lastSyncNanos = System.nanoTime();
    }

    /** One round. Exceptions are logged by the caller; the next round starts fresh. */
    void tick() {
        try {
            round();
        } finally {
            rounds.incrementAndGet();
        }
    }

    /** Completed rounds (for tests and diagnostics). */
    long rounds() {
        return rounds.get();
    }

    private void round() {
        long start = System.nanoTime();
        // Beat on the round closest to heartbeatInterval (half a lease interval early absorbs scheduling jitter).
        if (!beaten || start - lastBeatNanos
                >= config.heartbeatInterval().toNanos() - config.leaseInterval().toNanos() / 2) {
            heartbeats.beat().join();
            beaten = true;
            lastBeatNanos = start;
        }
        Map<String, Long> beats = heartbeats.heartbeats().join();
        long now = System.nanoTime();
        for (Map.Entry<String, Long> e : beats.entrySet()) {
            liveness.observe(e.getKey(), e.getValue(), now);
        }
        for (String w : new ArrayList<>(lastLive)) {
            if (!beats.containsKey(w)) {
                liveness.forget(w);
            }
        }
        Set<String> live = liveness.alive(now);
        boolean membershipChanged = !live.equals(lastLive);
        if (membershipChanged) {
            log.info("live workers: {}", new java.util.TreeSet<>(live));
        }
        lastLive = live;
        tasks.values().removeIf(t -> t.done().isDone() && noteEnded(t));
        if (now - lastReportNanos >= config.throughputReportInterval().toNanos()) {
            lastReportNanos = now;
            reportStats(now);
        }
        boolean streamsChanged = streams.takeChanged();
        boolean syncDue = streams.takeSyncRequest()
                || now - lastSyncNanos >= config.shardSyncInterval().toNanos();
        ticksSinceScan++;
        if (!(membershipChanged || scanSoon || syncDue || streamsChanged || ticksSinceScan >= QUIET_SCAN_EVERY)) {
            return;
        }
        ticksSinceScan = 0;
        List<Lease> leases = leaseTable.listLeases().join();
        if (syncDue) {
            lastSyncNanos = now;
            int created = 0;
            for (ConsumedStream s : streams.all()) {
                try {
                    created += s.discovery().sync(leases).join();
                } catch (RuntimeException e) {
                    log.warn("shard sync of stream {} failed: {}", s, KinesisRecords.unwrap(e).toString());
                }
            }
            if (created > 0) {
                leases = leaseTable.listLeases().join();
            }
        }
        reconcile(leases);
        deleteFormer(leases, now);
        scanSoon = assign(leases, live);
        metrics.leasesHeld(tasks.size());
        long behind = 0;
        for (Lease l : leases) {
            if (!l.isOwnedBy(me) && l.owner().isPresent() && !l.isFinished()) {
                behind = Math.max(behind, l.millisBehindLatest().orElse(0L));
            }
        }
        metrics.applicationBehind(behind);
    }

    /** Writes throughput and lag of held leases whose figures moved by a fifth or more (idle leases write nothing). */
    private void reportStats(long now) {
        List<ShardTask> changed = new ArrayList<>();
        Map<String, Stats> next = new java.util.HashMap<>();
        for (ShardTask t : tasks.values()) {
            if (!t.started() || t.done().isDone()) {
                continue;
            }
            Stats s = new Stats(t.meter().bytesPerSecond(now) / 1024, t.meter().recordsPerSecond(now),
                    metrics.millisBehind(t.leaseKey()));
            Stats last = reported.get(t.leaseKey());
            if (last == null || moved(last.kbps(), s.kbps(), 1) || moved(last.rps(), s.rps(), 1)
                    || moved(last.behind(), s.behind(), 5_000)) {
                changed.add(t);
                next.put(t.leaseKey(), s);
            }
        }
        reported.keySet().retainAll(tasks.keySet());
        if (changed.isEmpty()) {
            return;
        }
        BoundedCalls.run(changed, STATS_CONCURRENCY, t -> {
            Stats s = next.get(t.leaseKey());
            return leaseTable.recordStats(t.leaseKey(), round(s.kbps()), round(s.rps()), s.behind())
                    .thenApply(ok -> {
                        if (ok) {
                            reported.put(t.leaseKey(), s);
                        }
                        return ok;
                    });
        }).whenComplete((n, e) -> {
            if (e != null) {
                log.debug("throughput report failed: {}", KinesisRecords.unwrap(e).toString());
            }
        });
    }

    private static boolean moved(double from, double to, double floor) {
        return Math.abs(to - from) > Math.max(floor, 0.2 * Math.max(Math.abs(from), Math.abs(to)));
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    /** Deletes the leases of streams that left the set long enough ago (asynchronously, bounded). */
    private void deleteFormer(List<Lease> leases, long now) {
        List<String> due = streams.formerLeasesDue(leases, now);
        if (due.isEmpty()) {
            return;
        }
        log.info("deleting {} leases of streams no longer consumed", due.size());
        BoundedCalls.run(due, STATS_CONCURRENCY, leaseTable::deleteLease).whenComplete((n, e) -> {
            if (e != null) {
                log.warn("deleting leases of removed streams failed (retried next round): {}",
                        KinesisRecords.unwrap(e).toString());
            }
        });
    }

    private boolean noteEnded(ShardTask t) {
        // A finished shard has children to pick up; a failed one may be retried: look again soon.
        scanSoon = true;
        return true;
    }

    /** Stops tasks whose lease is gone or owned by someone else. */
    private void reconcile(List<Lease> leases) {
        Map<String, Lease> byKey = new java.util.HashMap<>();
        leases.forEach(l -> byKey.put(l.leaseKey(), l));
        for (ShardTask task : tasks.values()) {
            Lease l = byKey.get(task.leaseKey());
            if (streams.forLease(task.leaseKey()) == null) {
                task.requestShutdown(); // its stream left the set: checkpoint and release
                continue;
            }
            if (l == null || !l.isOwnedBy(me)) {
                String to = l == null ? "deleted" : l.owner().map(o -> "taken by " + o).orElse("released");
                task.leaseLost(to);
            }
        }
    }

    /** Takes and steals per the planner; returns true when more work may remain (look again next tick). */
    private boolean assign(List<Lease> leases, Set<String> live) {
        List<AssignmentPlanner.LeaseState> states = new ArrayList<>();
        List<LoadBalancer.Lease> loads = new ArrayList<>();
        Map<String, Lease> byKey = new java.util.HashMap<>();
        boolean unowned = false;
        long now = clock.getAsLong();
        for (Lease l : leases) {
            if (streams.forLease(l.leaseKey()) == null) {
                continue; // a stream this worker does not consume (yet, or any more)
            }
            byKey.put(l.leaseKey(), l);
            String owner = l.owner().orElse(null);
            // Our own lease without a running task (a task that failed, or a restart under the same id) is up for
            // taking again, like an expired one.
            if (me.equals(owner) && !tasks.containsKey(l.leaseKey()) && !l.isFinished()) {
                owner = null;
            }
            unowned |= owner == null && !l.isFinished();
            states.add(new AssignmentPlanner.LeaseState(l.leaseKey(), owner, l.isFinished()));
            if (!l.isFinished()) {
                loads.add(new LoadBalancer.Lease(l.leaseKey(), owner, weight(l, now)));
            }
        }
        List<String> take = new ArrayList<>();
        List<String> steal = new ArrayList<>();
        LoadBalancer.Plan byLoad = config.balanceByLoad()
                ? balancer.plan(me, loads, live, config.maxLeasesPerWorker()) : null;
        if (byLoad != null && LoadBalancer.knowsLoad(loads)) {
            byLoad.take().forEach(l -> take.add(l.leaseKey()));
            byLoad.steal().forEach(l -> steal.add(l.leaseKey()));
        } else {
            AssignmentPlanner.Plan plan = AssignmentPlanner.plan(me, states, live, config.maxLeasesPerWorker());
            plan.take().forEach(l -> take.add(l.leaseKey()));
            plan.steal().forEach(l -> steal.add(l.leaseKey()));
        }
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (String k : take) {
            calls.add(take(byKey.get(k), "take"));
        }
        for (String k : steal) {
            calls.add(take(byKey.get(k), "steal"));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
        return !take.isEmpty() || !steal.isEmpty() || unowned;
    }

    /** A lease's load weight: this worker's own measurement for leases it runs, else what the owner stored. */
    private Double weight(Lease l, long now) {
        ShardTask t = tasks.get(l.leaseKey());
        if (t != null && t.started()) {
            return LoadBalancer.weight(t.meter().bytesPerSecond(now) / 1024, t.meter().recordsPerSecond(now),
                    RECORD_COST_BYTES);
        }
        return LoadBalancer.weight(l.throughputKBps().orElse(null), l.recordsPerSecond().orElse(null),
                RECORD_COST_BYTES);
    }

    private CompletableFuture<Void> take(Lease observed, String op) {
        return leaseTable.take(observed).handle((Optional<Lease> taken, Throwable err) -> {
            if (err != null) {
                log.debug("{} of {} failed: {}", op, observed.leaseKey(), err.toString());
                return null;
            }
            if (taken.isEmpty()) {
                return null;
            }
            metrics.leaseOp(op);
            log.info("{} lease {} (was {})", op, observed.leaseKey(), observed.owner().orElse("unowned"));
            ConsumedStream stream = streams.forLease(observed.leaseKey());
            if (stream == null) { // removed meanwhile: give it back
                leaseTable.release(taken.get()).exceptionally(e -> null);
                return null;
            }
            Lease t = taken.get();
            ThroughputMeter meter = new ThroughputMeter(THROUGHPUT_TAU_NANOS,
                    t.throughputKBps().orElse(0.0) * 1024, t.recordsPerSecond().orElse(0.0), clock.getAsLong());
            ShardTask task = taskFactory.create(leaseTable.checkpointer(t), stream, meter);
            t.throughputKBps().ifPresent(kb -> reported.put(t.leaseKey(),
                    new Stats(kb, t.recordsPerSecond().orElse(0.0), t.millisBehindLatest().orElse(0L))));
            ShardTask previous = tasks.put(observed.leaseKey(), task);
            if (previous != null) {
                previous.leaseLost("taken again by this worker");
            }
            threads.newThread(task).start();
            return null;
        });
    }

    Map<String, ShardTask> tasks() {
        return tasks;
    }

    /** Asks every task to shut down gracefully; completes when all have ended. */
    CompletableFuture<Void> shutdownTasks() {
        List<CompletableFuture<ShardTask.Outcome>> all = new ArrayList<>();
        for (ShardTask t : tasks.values()) {
            t.requestShutdown();
            all.add(t.done());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    Set<String> heldShards() {
        return new HashSet<>(tasks.keySet());
    }
}
