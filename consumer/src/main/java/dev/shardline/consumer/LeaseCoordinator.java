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
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
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

    private Set<String> lastLive = Set.of();
    private Set<String> lastDraining = Set.of();
    private volatile Set<String> liveView = Set.of();
    private int ticksSinceScan = Integer.MAX_VALUE / 2;
    private boolean scanSoon = true;
    private boolean cleanupSoon;
    private long lastSyncNanos;
    private volatile long lastBeatStart;
    private volatile long lastBeatLatency;
    private volatile boolean lastBeatFailed = true;
    private volatile boolean draining;
    private volatile boolean wasFenced;

    LeaseCoordinator(ConsumerConfig config, LeaseTable leaseTable, WorkerHeartbeats heartbeats,
                     ShardDiscovery discovery, Function<LeaseHolding, ShardTask> taskFactory,
                     ConsumerMetrics metrics, ThreadFactory threads, SelfFence fence) {
        this.config = config;
        this.leaseTable = leaseTable;
        this.heartbeats = heartbeats;
        this.discovery = discovery;
        this.taskFactory = taskFactory;
        this.metrics = metrics;
        this.threads = threads;
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
        Map<String, WorkerHeartbeats.Beat> beats = heartbeats.beats().join();
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
        if (fence.isFenced()) {
            scanSoon = true; // take nothing while fenced; look at everything again once a beat is acknowledged
            return;
        }
        boolean syncDue = discovery.takeSyncRequest()
                || now - lastSyncNanos >= config.shardSyncInterval().toNanos();
        ticksSinceScan++;
        if (!(membershipChanged || scanSoon || syncDue || ticksSinceScan >= QUIET_SCAN_EVERY)) {
            return;
        }
        ticksSinceScan = 0;
        List<Lease> leases = leaseTable.listLeases().join();
        Set<String> shardIds = null;
        if (syncDue) {
            lastSyncNanos = now;
            ShardDiscovery.Synced synced = discovery.sync(leases).join();
            shardIds = synced.shardIds();
            if (synced.created() > 0) {
                leases = leaseTable.listLeases().join();
            }
        }
        reconcile(leases);
        if (syncDue || cleanupSoon) {
            cleanupSoon = false;
            cleanup(leases, shardIds);
        }
        scanSoon = assign(leases, live, drainingNow);
        metrics.leasesHeld(tasks.size());
    }

    private boolean noteEnded(ShardTask t) {
        // A finished shard has children to pick up and a parent to clean up; a failed one may be retried.
        scanSoon = true;
        cleanupSoon = true;
        return true;
    }

    /** Stops tasks whose lease is gone or moved on, and starts the handoffs asked of this worker. */
    private void reconcile(List<Lease> leases) {
        Map<String, Lease> byKey = new HashMap<>();
        leases.forEach(l -> byKey.put(l.leaseKey(), l));
        for (ShardTask task : tasks.values()) {
            if (task.done().isDone()) {
                continue;
            }
            Lease l = byKey.get(task.shardId());
            if (l != null && l.isOwnedBy(me) && !l.isInHandoff()) {
                continue;
            }
            if (l != null && l.checkpointOwner().filter(me::equals).isPresent()
                    && l.counter() == task.checkpointer().lease().counter()) {
                if (!task.handingOff()) {
                    log.info("shard {}: handing off to {}", task.shardId(), l.owner().orElse("?"));
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

    /** Deletes what {@link LeaseCleanup} allows (conditionally: a lease that changed meanwhile stays). */
    private void cleanup(List<Lease> leases, Set<String> shardIds) {
        List<CompletableFuture<Boolean>> calls = new ArrayList<>();
        for (LeaseCleanup.Deletion d : LeaseCleanup.deletable(leases, shardIds)) {
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

    /** Takes and asks for leases per the planner; returns true when more work may remain (look again next tick). */
    private boolean assign(List<Lease> leases, Set<String> live, Set<String> drainingNow) {
        Map<String, Lease> byKey = new HashMap<>();
        leases.forEach(l -> byKey.put(l.leaseKey(), l));
        List<AssignmentPlanner.LeaseState> states = new ArrayList<>();
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
                owner = null;
            }
            states.add(new AssignmentPlanner.LeaseState(l.leaseKey(), owner, co, l.isFinished(), ready(l, byKey)));
        }
        AssignmentPlanner.Plan plan = AssignmentPlanner.plan(me, states, live, drainingNow,
                config.maxLeasesPerWorker());
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (AssignmentPlanner.LeaseState s : plan.take()) {
            calls.add(take(byKey.get(s.leaseKey()), "take"));
        }
        for (AssignmentPlanner.LeaseState s : plan.handoff()) {
            calls.add(askHandoff(byKey.get(s.leaseKey())));
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
        return !plan.isEmpty() || !pendingHandoffs.isEmpty()
                || !AssignmentPlanner.isSettled(states, live, drainingNow, config.maxLeasesPerWorker());
    }

    /** Ready: every parent shard's lease is finished, or gone (deleted once its children moved on, or never made). */
    static boolean ready(Lease lease, Map<String, Lease> byKey) {
        for (String parent : lease.parentShardIds()) {
            Lease p = byKey.get(parent);
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
            ShardTask task = taskFactory.apply(leaseTable.hold(taken.get()));
            ShardTask previous = tasks.put(observed.leaseKey(), task);
            if (previous != null) {
                previous.leaseLost("taken again by this worker");
            }
            threads.newThread(task).start();
            return null;
        });
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
            List<CompletableFuture<Void>> takes = new ArrayList<>();
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
                    takes.add(take(l, op).whenComplete((x, e) -> pendingHandoffs.remove(key)));
                }
            }
            return CompletableFuture.allOf(takes.toArray(CompletableFuture[]::new));
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
                List<Lease> leases = leaseTable.getLeases(open.stream().map(ShardTask::shardId).toList()).join();
                for (Lease l : leases) {
                    ShardTask t = tasks.get(l.leaseKey());
                    if (t != null && !t.handingOff() && l.checkpointOwner().filter(me::equals).isPresent()
                            && l.counter() == t.checkpointer().lease().counter()) {
                        log.info("shard {}: handing off to {}", t.shardId(), l.owner().orElse("?"));
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
