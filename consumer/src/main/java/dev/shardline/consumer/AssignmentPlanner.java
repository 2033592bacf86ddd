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
 * Decides which leases this worker takes and steals, as a pure function of a lease snapshot and the set of live
 * workers (liveness itself comes from {@link Liveness}, which owns the clock).
 *
 * <p>Rules: finished leases (checkpointed at SHARD_END) are nobody's work and are ignored. Leases with no owner or
 * with an owner that is not live are expired and are taken first. Each live worker's fair share is
 * {@code ceil(active / liveWorkers)} (capped by {@code maxLeases}); a worker below its share takes expired leases up
 * to it, then steals, several at once, from workers above the share. A worker two or more below the share also
 * steals one lease from a worker exactly at the share, which is what lets uneven counts settle (13 leases on three
 * workers end at 5/4/4, never oscillating). Each worker orders candidates by a hash of its own id so that workers
 * planning at the same moment mostly pick different leases.
 */
final class AssignmentPlanner {
    private AssignmentPlanner() {
    }

    /** The part of a lease the planner needs. */
    record LeaseState(String leaseKey, String owner, boolean finished) {
        LeaseState {
            Objects.requireNonNull(leaseKey, "leaseKey");
        }
    }

    /** What to do: leases to take because they are expired, and leases to steal from live owners. */
    record Plan(List<LeaseState> take, List<LeaseState> steal) {
        static final Plan NOTHING = new Plan(List.of(), List.of());

        boolean isEmpty() {
            return take.isEmpty() && steal.isEmpty();
        }
    }

    static Plan plan(String me, Collection<LeaseState> leases, Set<String> liveWorkers, int maxLeases) {
        Set<String> live = new TreeSet<>(liveWorkers);
        live.add(me);
        List<LeaseState> expired = new ArrayList<>();
        Map<String, List<LeaseState>> byOwner = new HashMap<>();
        int active = 0;
        for (LeaseState lease : leases) {
            if (lease.finished()) {
                continue;
            }
            active++;
            if (lease.owner() == null || !live.contains(lease.owner())) {
                expired.add(lease);
            } else {
                byOwner.computeIfAbsent(lease.owner(), k -> new ArrayList<>()).add(lease);
            }
        }
        int mine = byOwner.getOrDefault(me, List.of()).size();
        int target = Math.min(maxLeases, (active + live.size() - 1) / live.size());
        int need = target - mine;
        if (need <= 0) {
            return Plan.NOTHING;
        }
        Comparator<LeaseState> order = Comparator.comparingInt((LeaseState l) -> mix(me, l.leaseKey()))
                .thenComparing(LeaseState::leaseKey);
        expired.sort(order);
        List<LeaseState> take = new ArrayList<>(expired.subList(0, Math.min(need, expired.size())));
        need -= take.size();
        List<LeaseState> steal = new ArrayList<>();
        if (need > 0) {
            // Most loaded first; ties by id so every worker sees the same order.
            List<Map.Entry<String, List<LeaseState>>> owners = new ArrayList<>(byOwner.entrySet());
            owners.removeIf(e -> e.getKey().equals(me));
            owners.sort(Comparator.comparingInt((Map.Entry<String, List<LeaseState>> e) -> -e.getValue().size())
                    .thenComparing(Map.Entry::getKey));
            for (Map.Entry<String, List<LeaseState>> owner : owners) {
                int surplus = owner.getValue().size() - target;
                if (surplus <= 0) {
                    break;
                }
                List<LeaseState> theirs = new ArrayList<>(owner.getValue());
                theirs.sort(order);
                int n = Math.min(surplus, need);
                steal.addAll(theirs.subList(0, n));
                need -= n;
                if (need == 0) {
                    break;
                }
            }
            if (need >= 2 && steal.isEmpty() && !owners.isEmpty() && owners.get(0).getValue().size() == target) {
                List<LeaseState> theirs = new ArrayList<>(owners.get(0).getValue());
                theirs.sort(order);
                steal.add(theirs.get(0));
            }
        }
        return new Plan(List.copyOf(take), List.copyOf(steal));
    }

    private static int mix(String worker, String leaseKey) {
        int h = worker.hashCode() * 31 + leaseKey.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h;
    }
}
