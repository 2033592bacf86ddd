package dev.shardline.consumer;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseHolding;
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
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's lease loop, run every {@link ConsumerConfig#leaseInterval()} on one thread: beats this worker's
 * heartbeat (on the rounds nearest each {@link ConsumerConfig#heartbeatInterval()}: a write costs twice a read), reads
 * everyone's, and, when something may have changed (membership, unowned leases, balancing in progress, a shard ended)
 * or every few intervals otherwise, reads the lease table, stops tasks whose lease moved, takes and steals what
 * {@link AssignmentPlanner} says and starts a {@link ShardTask} per lease taken. Liveness is a heartbeat per worker,
 * not a renewal per lease, so DynamoDB writes grow with workers, not with shards.
 */
final class LeaseCoordinator {
    private static final Logger log = LoggerFactory.getLogger(LeaseCoordinator.class);
    /** Without any hint of change, the lease table is still read every this many intervals. */
    static final int QUIET_SCAN_EVERY = 5;

    private final ConsumerConfig config;
    private final LeaseTable leaseTable;
    private final WorkerHeartbeats heartbeats;
    private final ShardDiscovery discovery;
    private final Function<LeaseHolding, ShardTask> taskFactory;
    private final ConsumerMetrics metrics;
    private final ThreadFactory threads;
    private final Liveness liveness;
    private final String me;
    private final Map<String, ShardTask> tasks = new ConcurrentHashMap<>();

    private Set<String> lastLive = Set.of();
    private int ticksSinceScan = Integer.MAX_VALUE / 2;
    private boolean scanSoon = true;
    private long lastSyncNanos;
    private long lastBeatNanos;
    private boolean beaten;
    private final java.util.concurrent.atomic.AtomicLong rounds = new java.util.concurrent.atomic.AtomicLong();

    LeaseCoordinator(ConsumerConfig config, LeaseTable leaseTable, WorkerHeartbeats heartbeats,
                     ShardDiscovery discovery, Function<LeaseHolding, ShardTask> taskFactory,
                     ConsumerMetrics metrics, ThreadFactory threads) {
        this.config = config;
        this.leaseTable = leaseTable;
        this.heartbeats = heartbeats;
        this.discovery = discovery;
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
        boolean syncDue = discovery.takeSyncRequest()
                || now - lastSyncNanos >= config.shardSyncInterval().toNanos();
        ticksSinceScan++;
        if (!(membershipChanged || scanSoon || syncDue || ticksSinceScan >= QUIET_SCAN_EVERY)) {
            return;
        }
        ticksSinceScan = 0;
        List<Lease> leases = leaseTable.listLeases().join();
        if (syncDue) {
            lastSyncNanos = now;
            if (discovery.sync(leases).join() > 0) {
                leases = leaseTable.listLeases().join();
            }
        }
        reconcile(leases);
        scanSoon = assign(leases, live);
        metrics.leasesHeld(tasks.size());
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
            Lease l = byKey.get(task.shardId());
            if (l == null || !l.isOwnedBy(me)) {
                String to = l == null ? "deleted" : l.owner().map(o -> "taken by " + o).orElse("released");
                task.leaseLost(to);
            }
        }
    }

    /** Takes and steals per the planner; returns true when more work may remain (look again next tick). */
    private boolean assign(List<Lease> leases, Set<String> live) {
        List<AssignmentPlanner.LeaseState> states = new ArrayList<>();
        Map<String, Lease> byKey = new java.util.HashMap<>();
        boolean unowned = false;
        for (Lease l : leases) {
            byKey.put(l.leaseKey(), l);
            String owner = l.owner().orElse(null);
            // Our own lease without a running task (a task that failed, or a restart under the same id) is up for
            // taking again, like an expired one.
            if (me.equals(owner) && !tasks.containsKey(l.leaseKey()) && !l.isFinished()) {
                owner = null;
            }
            unowned |= owner == null && !l.isFinished();
            states.add(new AssignmentPlanner.LeaseState(l.leaseKey(), owner, l.isFinished()));
        }
        AssignmentPlanner.Plan plan = AssignmentPlanner.plan(me, states, live, config.maxLeasesPerWorker());
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (AssignmentPlanner.LeaseState s : plan.take()) {
            calls.add(take(byKey.get(s.leaseKey()), "take"));
        }
        for (AssignmentPlanner.LeaseState s : plan.steal()) {
            calls.add(take(byKey.get(s.leaseKey()), "steal"));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
        return !plan.isEmpty() || unowned;
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
            ShardTask task = taskFactory.apply(leaseTable.hold(taken.get()));
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
