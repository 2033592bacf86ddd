package dev.shardline.consumer;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseHolding;
import dev.shardline.checkpoint.LeaseTable;
import dev.shardline.checkpoint.WorkerHeartbeats;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of the lease protocol, on two threads.
 *
 * <p>The <b>lease round</b> ({@link #tick()}, every {@link ConsumerConfig#leaseInterval()}) reads everyone's heartbeat
 * (re-reading a suspect's strongly consistently before declaring it dead), and, when something may have changed
 * (membership, a draining worker, unsettled balance, a handoff, a shard ended) or every few rounds otherwise, reads
 * the lease table: stops tasks whose lease moved, starts the handoffs other workers asked of this one, takes what
 * {@link AssignmentPlanner} says is expired, asks for the leases it says to move here, and on shard-sync rounds
 * deletes the leases {@link LeaseCleanup} says are no longer needed.
 *
 * <p>The <b>pulse</b> ({@link #pulse()}, every few tens of milliseconds, never blocking) writes this worker's heartbeat
 * every {@link ConsumerConfig#heartbeatInterval()} and tells {@link SelfFence} when DynamoDB acknowledged it, stops
 * every task while the worker is fenced, and watches the leases it asked for: a receiver takes a lease as soon as the
 * previous owner finished its handoff, or after {@link ConsumerConfig#handoffTimeout()}.
 *
 * <p>The planner is {@link LoadBalancer} when leases carry measured throughput (and
 * {@link ConsumerConfig#balanceByLoad()}; its moves are handoffs too), else {@link AssignmentPlanner} (counts, and
 * always while a worker drains). Only leases of streams this worker consumes ({@link Streams}) are planned; tasks of a
 * stream that left the set are shut down and its leases deleted after the configured delay. Every
 * {@link ConsumerConfig#throughputReportInterval()} the throughput and lag of held leases are written to them when
 * they changed noticeably.
 */
final class LeaseCoordinator {
    private static final Logger log = LoggerFactory.getLogger(LeaseCoordinator.class);
    /** Without any hint of change, the lease table is still read every this many intervals. */
    static final int QUIET_SCAN_EVERY = 5;
    /** Load weight of one user record, in bytes: per-record processing cost beyond its payload. */
    static final int RECORD_COST_BYTES = 256;
    /** Throughput, lag and former-stream writes in flight at most. */
    static final int STATS_CONCURRENCY = 8;
    /**
     * Takes and handoff requests in flight at most, per round. Unbounded, a round that takes 250 leases queues 250
     * calls on the client's connection pool and DynamoDB, and the heartbeat written meanwhile waits behind them until
     * the worker fences itself (measured with {@code bench scale} at 1,000 shards: self-fencing and re-takes).
     */
    static final int LEASE_CONCURRENCY = 16;
    /** A round slower than this many lease intervals is logged (with its parts) at INFO. */
    static final int SLOW_ROUND_INTERVALS = 2;
    /** Time constant of the throughput averages. */
    static final long THROUGHPUT_TAU_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);

    /** Makes the task for a lease just taken. */
    interface TaskFactory {
        ShardTask create(LeaseHolding holding, ConsumedStream stream, ThroughputMeter meter);
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
    private final java.util.concurrent.Executor shardExecutor;
    private final SelfFence fence;
    private final Liveness liveness;
    private final String me;
    private final Map<String, ShardTask> tasks = new ConcurrentHashMap<>();
    /** A handoff this worker asked for: from whom, and when (System.nanoTime()). */
    private record Asked(String from, long atNanos) {
    }

    /** Leases this worker asked to be handed to it, by lease key. */
    private final Map<String, Asked> pendingHandoffs = new ConcurrentHashMap<>();
    private final AtomicBoolean watching = new AtomicBoolean();
    private final AtomicBoolean beating = new AtomicBoolean();
    private final AtomicLong rounds = new AtomicLong();
    private final Map<String, Stats> reported = new ConcurrentHashMap<>();
    private final LoadBalancer balancer;
    private final LongSupplier clock = System::nanoTime;
    private long lastReportNanos;

    private Set<String> lastLive = Set.of();
    private Set<String> lastDraining = Set.of();
    private volatile Set<String> liveView = Set.of();
    private int ticksSinceScan = Integer.MAX_VALUE / 2;
    private boolean scanSoon = true;
    private boolean cleanupSoon;
    private long lastSyncNanos;
    /** The next sync creates only this worker's slice of missing leases (start-up); later ones create everything. */
    private boolean syncSliced = true;
    private boolean syncPending;
    /** Leases this worker created already owned by itself (sliced start-up sync) and has not started yet. */
    private final Set<String> createdOwned = ConcurrentHashMap.newKeySet();
    /** The last sync created leases or left some missing: counts still grow, so no handoffs are asked for yet. */
    private boolean tableGrowing;
    private volatile long lastBeatStart;
    private volatile long lastBeatLatency;
    private volatile boolean lastBeatFailed = true;
    private volatile boolean draining;
    private volatile boolean wasFenced;

    LeaseCoordinator(ConsumerConfig config, LeaseTable leaseTable, WorkerHeartbeats heartbeats,
                     Streams streams, TaskFactory taskFactory,
                     ConsumerMetrics metrics, java.util.concurrent.Executor shardExecutor, SelfFence fence) {
        this.config = config;
        this.leaseTable = leaseTable;
        this.heartbeats = heartbeats;
        this.streams = streams;
        this.balancer = new LoadBalancer(config.loadTolerance(), config.loadDamping().toNanos(), clock);
        this.lastReportNanos = clock.getAsLong();
        this.taskFactory = taskFactory;
        this.metrics = metrics;
        this.shardExecutor = shardExecutor;
        this.fence = fence;
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
        RoundTimes times = new RoundTimes(start);
        try {
            round(times);
        } finally {
            long took = System.nanoTime() - start;
            if (took > SLOW_ROUND_INTERVALS * config.leaseInterval().toNanos()) {
                log.info("slow lease round: {} ms ({}), {} tasks", took / 1_000_000, times, tasks.size());
            }
        }
    }

    /** Where a round's time went, for the slow-round log line. */
    private static final class RoundTimes {
        private final StringBuilder parts = new StringBuilder();
        private long last;

        RoundTimes(long start) {
            last = start;
        }

        void mark(String part) {
            long now = System.nanoTime();
            parts.append(parts.length() == 0 ? "" : ", ").append(part).append(' ').append((now - last) / 1_000_000)
                    .append(" ms");
            last = now;
        }

        @Override
        public String toString() {
            return parts.toString();
        }
    }

    private void round(RoundTimes times) {
        Map<String, WorkerHeartbeats.Beat> beats = heartbeats.beats().join();
        times.mark("beats");
        long now = System.nanoTime();
        for (Map.Entry<String, WorkerHeartbeats.Beat> e : beats.entrySet()) {
            liveness.observe(e.getKey(), e.getValue().heartbeat(), now);
        }
        for (String w : liveness.known()) {
            if (!beats.containsKey(w)) {
                liveness.forget(w);
            }
        }
        for (String suspect : liveness.suspects(now)) {
            if (suspect.equals(me)) {
                continue;
            }
            // Declared dead only on a strongly consistent read made after its deadline (docs/consumer.md).
            Optional<WorkerHeartbeats.Beat> beat = heartbeats.read(suspect).join();
            long at = System.nanoTime();
            if (beat.isEmpty()) {
                liveness.forget(suspect);
            } else {
                liveness.confirm(suspect, beat.get().heartbeat(), at);
            }
        }
        times.mark("suspects");
        now = System.nanoTime();
        Set<String> live = new HashSet<>(liveness.alive(now));
        live.add(me);
        Set<String> drainingNow = new TreeSet<>();
        beats.forEach((w, b) -> {
            if (b.draining() && live.contains(w)) {
                drainingNow.add(w);
            }
        });
        boolean membershipChanged = !live.equals(lastLive) || !drainingNow.equals(lastDraining);
        if (membershipChanged) {
            log.info("live workers: {}{}", new TreeSet<>(live), drainingNow.isEmpty() ? "" : ", draining " + drainingNow);
        }
        lastLive = Set.copyOf(live);
        lastDraining = Set.copyOf(drainingNow);
        liveView = lastLive;
        tasks.values().removeIf(t -> t.done().isDone() && noteEnded(t));
        for (ShardTask t : tasks.values()) {
            t.checkStuck(now); // readers that stopped hearing from Kinesis are restarted (no thread waits on them)
        }
        if (fence.isFenced()) {
            scanSoon = true; // take nothing while fenced; look at everything again once a beat is acknowledged
            return;
        }
        if (now - lastReportNanos >= config.throughputReportInterval().toNanos()) {
            lastReportNanos = now;
            reportStats(now);
        }
        boolean streamsChanged = streams.takeChanged();
        // A sync asked for stays pending until one ran: a round failing before it (a DynamoDB timeout) keeps it due.
        syncPending |= streams.takeSyncRequest() || now - lastSyncNanos >= config.shardSyncInterval().toNanos();
        boolean syncDue = syncPending;
        ticksSinceScan++;
        if (!(membershipChanged || scanSoon || syncDue || streamsChanged || ticksSinceScan >= QUIET_SCAN_EVERY)) {
            return;
        }
        ticksSinceScan = 0;
        List<Lease> leases = leaseTable.listLeases().join();
        times.mark("scan of " + leases.size());
        Map<ConsumedStream, Set<String>> shardIds = new HashMap<>();
        if (syncDue) {
            syncPending = false;
            lastSyncNanos = now;
            int created = 0;
            boolean incomplete = false;
            // Leases missing everywhere (a new stream) are sliced among the live workers, each creating its own
            // part; what another worker's part still lacks is created by the next sync, due soon.
            List<String> slicers = new ArrayList<>(new TreeSet<>(live));
            boolean sliced = syncSliced;
            syncSliced = false;
            for (ConsumedStream s : streams.all()) {
                try {
                    ShardDiscovery.Synced synced = (sliced ? s.discovery().sync(leases, slicers.indexOf(me),
                            slicers.size(), me, createdOwned) : s.discovery().sync(leases)).join();
                    shardIds.put(s, synced.shardIds());
                    created += synced.created();
                    incomplete |= synced.skipped() > 0;
                } catch (RuntimeException e) {
                    incomplete = true;
                    log.warn("shard sync of stream {} failed: {}", s, KinesisRecords.unwrap(e).toString());
                }
            }
            tableGrowing = incomplete;
            if (incomplete) {
                // Again after a few rounds (not after shardSyncInterval): part of the table is still missing.
                lastSyncNanos = now - config.shardSyncInterval().toNanos() + 3 * config.leaseInterval().toNanos();
            }
            if (created > 0) {
                leases = leaseTable.listLeases().join();
            }
            times.mark("sync (" + created + " created)");
        }
        reconcile(leases);
        sweepDeadWorkers(leases, now);
        if (syncDue || cleanupSoon) {
            cleanupSoon = false;
            cleanup(leases, shardIds);
        }
        deleteFormer(leases, now);
        scanSoon = assign(leases, live, drainingNow, times);
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
        Map<String, Stats> next = new HashMap<>();
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

    /** Deletes the leases of streams that left the set long enough ago (asynchronously, bounded, conditionally). */
    private void deleteFormer(List<Lease> leases, long now) {
        List<Lease> due = streams.formerLeasesDue(leases, now);
        if (due.isEmpty()) {
            return;
        }
        log.info("deleting {} leases of streams no longer consumed", due.size());
        BoundedCalls.run(due, STATS_CONCURRENCY, leaseTable::deleteGone).whenComplete((n, e) -> {
            if (e != null) {
                log.warn("deleting leases of removed streams failed (retried next round): {}",
                        KinesisRecords.unwrap(e).toString());
            }
        });
    }

    private boolean noteEnded(ShardTask t) {
        // A finished shard has children to pick up and a parent to clean up; a failed one may be retried.
        scanSoon = true;
        cleanupSoon = true;
        return true;
    }

    /**
     * Deletes the heartbeat items of workers dead long enough that nobody needs them ({@link Liveness#sweepable}):
     * conditional on the counter read when they were declared dead, so a worker that beat since keeps its item. Any
     * live worker may do it; the others' deletes then find the item changed or gone and do nothing.
     */
    private void sweepDeadWorkers(List<Lease> leases, long now) {
        Set<String> holders = new HashSet<>();
        for (Lease l : leases) {
            l.owner().ifPresent(holders::add);
            l.checkpointOwner().ifPresent(holders::add);
        }
        holders.add(me);
        List<CompletableFuture<Boolean>> calls = new ArrayList<>();
        liveness.sweepable(now, holders).forEach((w, value) -> calls.add(
                heartbeats.removeDead(w, (Long) value).whenComplete((deleted, e) -> {
                    if (Boolean.TRUE.equals(deleted)) {
                        metrics.leaseOp("worker-delete");
                        log.info("deleted the heartbeat item of worker {}, dead for at least {} failover times and "
                                + "holding no lease", w, Liveness.KEEP_DEAD_FOR_FAILOVERS);
                    }
                }).exceptionally(e -> false)));
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
    }

    /** Stops tasks whose lease is gone or moved on, and starts the handoffs asked of this worker. */
    private void reconcile(List<Lease> leases) {
        Map<String, Lease> byKey = new HashMap<>();
        leases.forEach(l -> byKey.put(l.leaseKey(), l));
        for (ShardTask task : tasks.values()) {
            if (task.done().isDone()) {
                continue;
            }
            Lease l = byKey.get(task.leaseKey());
            if (streams.forLease(task.leaseKey()) == null) {
                task.requestShutdown(); // its stream left the set: checkpoint and release
                continue;
            }
            if (l != null && l.isOwnedBy(me) && !l.isInHandoff()) {
                continue;
            }
            if (l != null && l.checkpointOwner().filter(me::equals).isPresent()
                    && l.counter() == task.checkpointer().lease().counter()) {
                if (!task.handingOff()) {
                    log.info("shard {}: handing off to {}", task.leaseKey(), l.owner().orElse("?"));
                    task.handoff(l);
                }
                continue;
            }
            String to = l == null ? "deleted" : l.owner().map(o -> "taken by " + o).orElse("released");
            task.leaseLost(to);
        }
        // A handoff asked of this worker for a lease it has no task for (it ended, or this is a restart): finish it
        // at once so the receiver need not wait for its timeout.
        for (Lease l : leases) {
            if (l.checkpointOwner().filter(me::equals).isPresent() && !tasks.containsKey(l.leaseKey())) {
                leaseTable.finishHandoff(l).exceptionally(e -> null);
            }
        }
    }

    /**
     * Deletes what {@link LeaseCleanup} allows (conditionally: a lease that changed meanwhile stays), stream by stream:
     * lineage (parent and child shard ids) is within a stream, so each stream's leases are judged keyed by shard id.
     */
    private void cleanup(List<Lease> leases, Map<ConsumedStream, Set<String>> shardIds) {
        List<CompletableFuture<Boolean>> calls = new ArrayList<>();
        List<LeaseCleanup.Deletion> deletions = new ArrayList<>();
        for (ConsumedStream s : streams.all()) {
            Map<String, Lease> real = new HashMap<>();
            List<Lease> view = new ArrayList<>();
            for (Lease l : leases) {
                if (s.ref().owns(l.leaseKey())) {
                    Lease byShard = s.ref().isMulti() ? shardKeyed(l) : l;
                    real.put(byShard.leaseKey(), l);
                    view.add(byShard);
                }
            }
            for (LeaseCleanup.Deletion d : LeaseCleanup.deletable(view, shardIds.get(s))) {
                deletions.add(new LeaseCleanup.Deletion(real.get(d.lease().leaseKey()), d.finished()));
            }
        }
        for (LeaseCleanup.Deletion d : deletions) {
            Lease l = d.lease();
            CompletableFuture<Boolean> call = d.finished() ? leaseTable.deleteFinished(l.leaseKey())
                    : leaseTable.deleteGone(l);
            calls.add(call.whenComplete((deleted, e) -> {
                if (Boolean.TRUE.equals(deleted)) {
                    metrics.leaseOp("delete");
                    log.info("deleted lease {} ({})", l.leaseKey(), d.finished()
                            ? "finished, every child moved on" : "its shard is no longer in the stream");
                }
            }).exceptionally(e -> false));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
    }

    /** A multi-stream lease as its stream's lineage sees it: keyed by its shard id. */
    private static Lease shardKeyed(Lease l) {
        Lease.Builder b = Lease.builder(l.shardId()).owner(l.owner().orElse(null)).counter(l.counter())
                .checkpoint(l.checkpoint()).parentShardIds(l.parentShardIds()).childShardIds(l.childShardIds());
        return b.build();
    }

    /** Takes and asks for leases per the planner; returns true when more work may remain (look again next tick). */
    private boolean assign(List<Lease> all, Set<String> live, Set<String> drainingNow, RoundTimes times) {
        Map<String, Lease> byKey = new HashMap<>();
        all.forEach(l -> byKey.put(l.leaseKey(), l));
        List<Lease> leases = new ArrayList<>();
        for (Lease l : all) {
            if (streams.forLease(l.leaseKey()) != null) { // only streams this worker consumes (now)
                leases.add(l);
            }
        }
        List<AssignmentPlanner.LeaseState> states = new ArrayList<>();
        List<LoadBalancer.Lease> loads = new ArrayList<>();
        long now = System.nanoTime();
        for (Lease l : leases) {
            String owner = l.owner().orElse(null);
            String co = l.checkpointOwner().orElse(null);
            if (me.equals(owner) && co != null && !running(l.leaseKey())) {
                // asked for earlier (or by a previous incarnation of this worker id)
                pendingHandoffs.putIfAbsent(l.leaseKey(), new Asked(co, now));
            }
            // Our own lease without a running task (a task that failed, a fenced one, or a restart under the same
            // id) is up for taking again, like an expired one.
            if (me.equals(owner) && co == null && !tasks.containsKey(l.leaseKey())
                    && !pendingHandoffs.containsKey(l.leaseKey()) && !l.isFinished()) {
                if (createdOwned.remove(l.leaseKey()) && l.counter() == 1 && l.parentShardIds().isEmpty()) {
                    start(l); // created owned by this worker (no parents), untouched since: no take needed
                } else {
                    owner = null;
                }
            }
            boolean ready = ready(l, byKey, streams.forLease(l.leaseKey()).ref());
            states.add(new AssignmentPlanner.LeaseState(l.leaseKey(), owner, co, l.isFinished(), ready));
            if (ready && !l.isFinished() && co == null) {
                loads.add(new LoadBalancer.Lease(l.leaseKey(), owner, weight(l, now)));
            }
        }
        List<String> take = new ArrayList<>();
        List<String> handoff = new ArrayList<>();
        // Always shown to the balancer, so it knows when leases last moved (damping) whichever planner acts.
        LoadBalancer.Plan byLoad = config.balanceByLoad()
                ? balancer.plan(me, loads, live, config.maxLeasesPerWorker()) : null;
        boolean useLoad = byLoad != null && drainingNow.isEmpty() && LoadBalancer.knowsLoad(loads);
        if (useLoad) {
            byLoad.take().forEach(l -> take.add(l.leaseKey()));
            byLoad.steal().forEach(l -> handoff.add(l.leaseKey()));
            // Expired leases in handoff or not balanced by load (none here) are still the count planner's.
            AssignmentPlanner.plan(me, states, live, drainingNow, config.maxLeasesPerWorker()).take().stream()
                    .filter(l -> l.inHandoff()).forEach(l -> take.add(l.leaseKey()));
        } else {
            AssignmentPlanner.Plan plan = AssignmentPlanner.plan(me, states, live, drainingNow,
                    config.maxLeasesPerWorker());
            plan.take().forEach(l -> take.add(l.leaseKey()));
            plan.handoff().forEach(l -> handoff.add(l.leaseKey()));
        }
        if (tableGrowing) {
            // Shares still grow with the table: a lease asked for now would be asked back once it is complete.
            handoff.clear();
        }
        List<java.util.function.Supplier<CompletableFuture<Void>>> calls = new ArrayList<>();
        for (String k : take) {
            calls.add(() -> take(byKey.get(k), "take"));
        }
        for (String k : handoff) {
            calls.add(() -> askHandoff(byKey.get(k)));
        }
        BoundedCalls.run(calls, LEASE_CONCURRENCY, c -> c.get().thenApply(v -> true)).join();
        times.mark(take.size() + " takes, " + handoff.size() + " handoff requests");
        boolean settled = useLoad ? byLoad.isEmpty()
                : AssignmentPlanner.isSettled(states, live, drainingNow, config.maxLeasesPerWorker());
        return !take.isEmpty() || !handoff.isEmpty() || !pendingHandoffs.isEmpty() || !settled;
    }

    /** A lease's load weight: this worker's own measurement for leases it runs, else what the owner stored. */
    private Double weight(Lease l, long now) {
        ShardTask t = tasks.get(l.leaseKey());
        if (t != null && t.started() && !t.done().isDone()) {
            return LoadBalancer.weight(t.meter().bytesPerSecond(now) / 1024, t.meter().recordsPerSecond(now),
                    RECORD_COST_BYTES);
        }
        return LoadBalancer.weight(l.throughputKBps().orElse(null), l.recordsPerSecond().orElse(null),
                RECORD_COST_BYTES);
    }

    /** Ready: every parent shard's lease is finished, or gone (deleted once its children moved on, or never made). */
    static boolean ready(Lease lease, Map<String, Lease> byKey, StreamRef stream) {
        for (String parent : lease.parentShardIds()) {
            Lease p = byKey.get(stream.leaseKey(parent));
            if (p != null && !p.isFinished()) {
                return false;
            }
        }
        return true;
    }

    private CompletableFuture<Void> askHandoff(Lease observed) {
        return leaseTable.requestHandoff(observed).handle((Optional<Lease> asked, Throwable err) -> {
            if (err != null) {
                log.debug("handoff request for {} failed: {}", observed.leaseKey(), err.toString());
            } else if (asked.isPresent()) {
                pendingHandoffs.put(observed.leaseKey(), new Asked(observed.owner().orElse("?"), System.nanoTime()));
                metrics.leaseOp("handoff-request");
                log.info("asked {} to hand over lease {}", observed.owner().orElse("?"), observed.leaseKey());
            }
            return null;
        });
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
            metrics.leaseOp("take");
            log.info("{} lease {} (was {})", op, observed.leaseKey(), observed.checkpointOwner()
                    .or(observed::owner).orElse("unowned"));
            start(taken.get());
            return null;
        });
    }

    /** Starts the task of a lease this worker holds at {@code t}'s counter (just taken, or created owned). */
    private void start(Lease t) {
        ConsumedStream stream = streams.forLease(t.leaseKey());
        if (stream == null) { // its stream was removed meanwhile: give it back
            leaseTable.release(t).exceptionally(e -> null);
            return;
        }
        ThroughputMeter meter = new ThroughputMeter(THROUGHPUT_TAU_NANOS,
                t.throughputKBps().orElse(0.0) * 1024, t.recordsPerSecond().orElse(0.0), clock.getAsLong());
        ShardTask task = taskFactory.create(leaseTable.hold(t), stream, meter);
        t.throughputKBps().ifPresent(kb -> reported.put(t.leaseKey(),
                new Stats(kb, t.recordsPerSecond().orElse(0.0), t.millisBehindLatest().orElse(0L))));
        ShardTask previous = tasks.put(t.leaseKey(), task);
        if (previous != null) {
            previous.leaseLost("taken again by this worker");
        }
        shardExecutor.execute(task);
    }

    /**
     * Never blocks: beats when due (or soon after a failed beat), stops every task while fenced, and takes the leases
     * whose handoff finished or timed out. Runs on its own thread, so a lease round stuck on a slow call delays none
     * of it.
     */
    void pulse() {
        long now = System.nanoTime();
        long soon = config.leaseInterval().toNanos() / 4;
        // Every heartbeatInterval; sooner while DynamoDB answers slowly, so the next acknowledgement still lands
        // before the fence time (a slow DynamoDB costs a few more writes rather than a spurious fence).
        long due = lastBeatFailed ? soon : Math.min(config.heartbeatInterval().toNanos(),
                Math.max(soon, config.fenceTime().toNanos() - 2 * lastBeatLatency));
        if (now - lastBeatStart >= due && beating.compareAndSet(false, true)) {
            beatNow();
        }
        boolean fenced = fence.isFenced();
        if (fenced) {
            int stopped = 0;
            for (ShardTask t : tasks.values()) {
                if (!t.done().isDone() && !t.checkpointer().isLost()) {
                    t.leaseLost("fenced: liveness not confirmed by DynamoDB for "
                            + fence.sinceConfirmedNanos() / 1_000_000 + " ms");
                    stopped++;
                }
            }
            if (stopped > 0 || !wasFenced) {
                metrics.leaseOp("fence");
                log.warn("worker {} fenced itself: no heartbeat acknowledged for {} ms (fence at {} ms); stopped {} "
                                + "shard tasks", me, fence.sinceConfirmedNanos() / 1_000_000,
                        config.fenceTime().toMillis(), stopped);
            }
        } else if (wasFenced) {
            log.info("worker {}: heartbeat acknowledged again, rejoining", me);
        }
        wasFenced = fenced;
        if (!fenced) {
            watchHandoffs(now);
        }
    }

    private CompletableFuture<Void> beatNow() {
        long started = fence.beatStarting();
        lastBeatStart = started;
        return (draining ? heartbeats.drain() : heartbeats.beat()).handle((v, e) -> {
            if (e == null) {
                fence.beatAcknowledged(started);
                lastBeatLatency = System.nanoTime() - started;
                lastBeatFailed = false;
            } else {
                lastBeatFailed = true;
                log.debug("heartbeat failed: {}", KinesisRecords.unwrap(e).toString());
            }
            beating.set(false);
            return null;
        });
    }

    /** Beats once and waits for it (start-up: the first round may take leases only once liveness is confirmed). */
    void firstBeat() {
        beating.set(true);
        beatNow().join();
    }

    private void watchHandoffs(long now) {
        if (pendingHandoffs.isEmpty() || !watching.compareAndSet(false, true)) {
            return;
        }
        Set<String> keys = new HashSet<>(pendingHandoffs.keySet());
        leaseTable.getLeases(keys).thenCompose(found -> {
            Map<String, Lease> byKey = new HashMap<>();
            found.forEach(l -> byKey.put(l.leaseKey(), l));
            List<java.util.function.Supplier<CompletableFuture<Void>>> takes = new ArrayList<>();
            for (String key : keys) {
                Lease l = byKey.get(key);
                Asked asked = pendingHandoffs.get(key);
                if (l == null || asked == null || !l.isOwnedBy(me) || l.isFinished() || running(key)) {
                    pendingHandoffs.remove(key); // moved on otherwise (released, taken, finished): the rounds decide
                    continue;
                }
                String co = l.checkpointOwner().orElse(null);
                boolean timedOut = now - asked.atNanos() >= config.handoffTimeout().toNanos();
                if (co == null || timedOut || !liveView.contains(co)) {
                    String op = co == null ? "take after handoff from " + asked.from()
                            : timedOut ? "take (handoff timed out)" : "take (handing-off worker died)";
                    takes.add(() -> take(l, op).whenComplete((x, e) -> pendingHandoffs.remove(key)));
                }
            }
            return BoundedCalls.run(takes, LEASE_CONCURRENCY, c -> c.get().thenApply(v -> true));
        }).whenComplete((x, e) -> {
            if (e != null) {
                log.debug("handoff watch failed: {}", e.toString());
            }
            watching.set(false);
        });
    }

    private boolean running(String leaseKey) {
        ShardTask t = tasks.get(leaseKey);
        return t != null && !t.done().isDone();
    }

    Map<String, ShardTask> tasks() {
        return tasks;
    }

    /**
     * Close, first part: marks this worker draining in its heartbeat and, for up to {@code wait}, starts the handoffs
     * the other workers ask for (they see the mark on their next round). Returns at once when no other live worker
     * could receive the leases.
     */
    void drain(java.time.Duration wait) throws InterruptedException {
        Set<String> receivers = new HashSet<>(liveView);
        receivers.remove(me);
        receivers.removeAll(lastDraining);
        if (tasks.isEmpty() || receivers.isEmpty() || fence.isFenced()) {
            return;
        }
        draining = true;
        long until = System.nanoTime() + config.failoverTime().toNanos();
        while (!beating.compareAndSet(false, true)) { // one beat at a time: each expects the previous counter
            if (System.nanoTime() > until) {
                return;
            }
            Thread.sleep(5);
        }
        try {
            beatNow().join();
        } catch (RuntimeException e) {
            return;
        }
        long deadline = System.nanoTime() + wait.toNanos();
        long pause = Math.max(10, Math.min(50, config.leaseInterval().toMillis() / 4));
        while (System.nanoTime() < deadline) {
            List<ShardTask> open = tasks.values().stream().filter(t -> !t.done().isDone() && !t.handingOff()).toList();
            if (open.isEmpty()) {
                return;
            }
            try {
                List<Lease> leases = leaseTable.getLeases(open.stream().map(ShardTask::leaseKey).toList()).join();
                for (Lease l : leases) {
                    ShardTask t = tasks.get(l.leaseKey());
                    if (t != null && !t.handingOff() && l.checkpointOwner().filter(me::equals).isPresent()
                            && l.counter() == t.checkpointer().lease().counter()) {
                        log.info("shard {}: handing off to {}", t.leaseKey(), l.owner().orElse("?"));
                        t.handoff(l);
                    }
                }
            } catch (RuntimeException e) {
                log.debug("drain: {}", e.toString());
            }
            Thread.sleep(pause);
        }
    }

    /** Close, second part: every task not handing off gets shutdownRequested and releases; completes when all ended. */
    CompletableFuture<Void> shutdownTasks() {
        List<CompletableFuture<ShardTask.Outcome>> all = new ArrayList<>();
        for (ShardTask t : tasks.values()) {
            t.requestShutdown();
            all.add(t.done());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    Set<String> heldShards() {
        Set<String> out = new HashSet<>();
        tasks.forEach((k, t) -> {
            if (!t.done().isDone()) {
                out.add(k);
            }
        });
        return out;
    }
}
