package dev.shardline.consumer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Decides which leases this worker takes and which it asks to be handed to it, as a pure function of a lease
 * snapshot and the workers' states (liveness itself comes from {@link Liveness}, which owns the clock).
 *
 * <p>Rules, in the order {@link #plan} applies them:
 * <ol>
 *   <li><b>Readiness</b> (Flink's SplitTracker shape): a lease is offered only when it is {@link LeaseState#ready()}
 *       (every parent shard finished); finished leases and waiting ones are nobody's work and do not count toward
 *       anyone's share. No thread waits on parents.</li>
 *   <li><b>Holders</b> ({@link #holder}): the owner, or during a handoff ({@code checkpointOwner} set) the receiver
 *       while it is live, else the handing-off worker while it is live. A lease whose holder is not live (or that has
 *       none) is expired and is <em>taken</em>, first.</li>
 *   <li><b>Share</b>: receivers are the live workers that are not draining (closing); each aims at
 *       {@code ceil(active / receivers)} (capped by {@code maxLeases}).</li>
 *   <li><b>Handoffs</b>: a worker below its share asks live owners for leases: every lease of a draining worker first,
 *       then from workers above the share, several at once, most loaded first; a worker two or more below the share
 *       also asks one lease of a worker exactly at the share, which lets uneven counts settle (13 leases on three
 *       workers end at 5/4/4, never oscillating). A lease already in handoff is left alone.</li>
 * </ol>
 * Each worker orders candidates by a hash of its own id so that workers planning at the same moment mostly pick
 * different leases. The share arithmetic is in {@link #share}, apart from the choice of leases, so a weighing of
 * leases other than one each can replace it.
 */
final class AssignmentPlanner {
    private AssignmentPlanner() {
    }

    /**
     * The part of a lease the planner needs.
     *
     * @param checkpointOwner the handing-off previous owner during a graceful handoff, else null
     * @param ready           every parent shard is finished (or has no lease), so the shard may be processed
     */
    record LeaseState(String leaseKey, String owner, String checkpointOwner, boolean finished, boolean ready) {
        LeaseState {
            Objects.requireNonNull(leaseKey, "leaseKey");
        }

        /** A ready lease with no handoff in progress. */
        LeaseState(String leaseKey, String owner, boolean finished) {
            this(leaseKey, owner, null, finished, true);
        }

        boolean inHandoff() {
            return checkpointOwner != null;
        }
    }

    /** What to do: leases to take because they are expired, and leases to ask their live owners to hand over. */
    record Plan(List<LeaseState> take, List<LeaseState> handoff) {
        static final Plan NOTHING = new Plan(List.of(), List.of());

        boolean isEmpty() {
            return take.isEmpty() && handoff.isEmpty();
        }
    }

    /** Who holds {@code lease} for balancing: see the class comment; null when expired. */
    static String holder(LeaseState lease, Set<String> live) {
        if (lease.owner() != null && live.contains(lease.owner())) {
            return lease.owner();
        }
        if (lease.inHandoff() && live.contains(lease.checkpointOwner())) {
            return lease.checkpointOwner();
        }
        return null;
    }

    /** The share of each receiver: ceil(active / receivers), capped by maxLeases. */
    static int share(int active, int receivers, int maxLeases) {
        return Math.min(maxLeases, (active + receivers - 1) / Math.max(1, receivers));
    }

    static Plan plan(String me, Collection<LeaseState> leases, Set<String> liveWorkers, int maxLeases) {
        return plan(me, leases, liveWorkers, Set.of(), maxLeases);
    }

    static Plan plan(String me, Collection<LeaseState> leases, Set<String> liveWorkers, Set<String> draining,
                     int maxLeases) {
        if (draining.contains(me)) {
            return Plan.NOTHING;
        }
        Snapshot s = new Snapshot(me, leases, liveWorkers, draining, maxLeases);
        int need = s.target - s.count(me);
        if (need <= 0) {
            return Plan.NOTHING;
        }
        Comparator<LeaseState> order = Comparator.comparingInt((LeaseState l) -> mix(me, l.leaseKey()))
                .thenComparing(LeaseState::leaseKey);
        s.expired.sort(order);
        List<LeaseState> take = new ArrayList<>(s.expired.subList(0, Math.min(need, s.expired.size())));
        need -= take.size();
        List<LeaseState> handoff = new ArrayList<>();
        if (need > 0) {
            // Draining workers first (all they hold is surplus), then the most loaded; ties by id so every worker
            // sees the same order.
            List<Map.Entry<String, List<LeaseState>>> owners = new ArrayList<>(s.movable.entrySet());
            owners.removeIf(e -> e.getKey().equals(me));
            owners.sort(Comparator.comparing((Map.Entry<String, List<LeaseState>> e) -> !draining.contains(e.getKey()))
                    .thenComparingInt(e -> -s.count(e.getKey()))
                    .thenComparing(Map.Entry::getKey));
            for (Map.Entry<String, List<LeaseState>> owner : owners) {
                int surplus = draining.contains(owner.getKey()) ? owner.getValue().size()
                        : Math.min(owner.getValue().size(), s.count(owner.getKey()) - s.target);
                if (surplus <= 0) {
                    continue;
                }
                List<LeaseState> theirs = new ArrayList<>(owner.getValue());
                theirs.sort(order);
                int n = Math.min(surplus, need);
                handoff.addAll(theirs.subList(0, n));
                need -= n;
                if (need == 0) {
                    break;
                }
            }
            if (need >= 2 && handoff.isEmpty()) {
                owners.stream().filter(e -> !draining.contains(e.getKey()) && s.count(e.getKey()) == s.target
                                && !e.getValue().isEmpty())
                        .findFirst().ifPresent(e -> {
                            List<LeaseState> theirs = new ArrayList<>(e.getValue());
                            theirs.sort(order);
                            handoff.add(theirs.get(0));
                        });
            }
        }
        return new Plan(List.copyOf(take), List.copyOf(handoff));
    }

    /**
     * True when nobody needs to act: no handoff in progress, no draining worker holding leases, and every receiver
     * holds its share or one less (or there is nothing it could take). While this is false every worker reads the
     * lease table each round, so owners see handoff requests within one lease interval.
     */
    static boolean isSettled(Collection<LeaseState> leases, Set<String> liveWorkers, Set<String> draining,
                             int maxLeases) {
        Snapshot s = new Snapshot(null, leases, liveWorkers, draining, maxLeases);
        if (s.inHandoff > 0) {
            return false;
        }
        for (String w : draining) {
            if (s.count(w) > 0) {
                return false;
            }
        }
        for (String w : s.receivers) {
            int c = s.count(w);
            if (c > s.target || (c < s.target - 1) || (c < s.target && !s.expired.isEmpty())) {
                return false;
            }
        }
        return true;
    }

    /** The snapshot classified: active leases, expired ones, movable ones by holder, counts by holder. */
    private static final class Snapshot {
        final Set<String> receivers = new TreeSet<>();
        final List<LeaseState> expired = new ArrayList<>();
        final Map<String, List<LeaseState>> movable = new HashMap<>();
        final Map<String, Integer> counts = new HashMap<>();
        final int target;
        int inHandoff;

        Snapshot(String me, Collection<LeaseState> leases, Set<String> liveWorkers, Set<String> draining,
                 int maxLeases) {
            Set<String> live = new TreeSet<>(liveWorkers);
            if (me != null) {
                live.add(me);
            }
            receivers.addAll(live);
            receivers.removeAll(draining);
            int active = 0;
            for (LeaseState lease : leases) {
                if (lease.finished() || !lease.ready()) {
                    continue;
                }
                active++;
                String holder = holder(lease, live);
                if (holder == null) {
                    expired.add(lease);
                    continue;
                }
                counts.merge(holder, 1, Integer::sum);
                if (lease.inHandoff()) {
                    inHandoff++;
                } else {
                    movable.computeIfAbsent(holder, k -> new ArrayList<>()).add(lease);
                }
            }
            target = share(active, receivers.size(), maxLeases);
        }

        int count(String worker) {
            return counts.getOrDefault(worker, 0);
        }
    }

    private static int mix(String worker, String leaseKey) {
        int h = worker.hashCode() * 31 + leaseKey.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h;
    }
}
