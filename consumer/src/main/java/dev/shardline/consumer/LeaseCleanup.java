package dev.shardline.consumer;

import dev.shardline.checkpoint.Lease;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which leases may be deleted, as a pure function of the lease snapshot (and, when just listed, the stream's shard
 * ids). A finished lease goes once every child shard has a lease checkpointed past its start (a sequence number or
 * SHARD_END), so its children no longer need it for ordering; children are those recorded on it
 * ({@code childShardIds}) and those naming it as parent; a child whose lease is gone was deleted after moving on. A lease whose shard is no longer in the stream (past the
 * retention period, or a stream re-created under the same name) goes too. The table then holds only live shards and
 * the parents still needed for ordering.
 */
final class LeaseCleanup {
    private LeaseCleanup() {
    }

    /** A lease to delete, and why. */
    record Deletion(Lease lease, boolean finished) {
    }

    /**
     * @param shardIds every shard id the stream listed just now, or null when not listed this round (then only
     *                 finished leases are considered)
     */
    static List<Deletion> deletable(List<Lease> leases, Set<String> shardIds) {
        Map<String, Lease> byKey = new HashMap<>();
        Map<String, Set<String>> children = new HashMap<>();
        for (Lease l : leases) {
            byKey.put(l.leaseKey(), l);
            children.computeIfAbsent(l.leaseKey(), k -> new LinkedHashSet<>()).addAll(l.childShardIds());
            for (String parent : l.parentShardIds()) {
                children.computeIfAbsent(parent, k -> new LinkedHashSet<>()).add(l.leaseKey());
            }
        }
        List<Deletion> out = new ArrayList<>();
        for (Lease l : leases) {
            if (shardIds != null && !shardIds.isEmpty() && !shardIds.contains(l.leaseKey())) {
                out.add(new Deletion(l, l.isFinished()));
                continue;
            }
            if (!l.isFinished()) {
                continue;
            }
            Set<String> kids = children.getOrDefault(l.leaseKey(), Set.of());
            if (kids.isEmpty()) {
                continue; // children not known yet: keep it, they need it for ordering when they appear
            }
            // A child lease is created before it is recorded on its parent, so an absent child was deleted itself,
            // after moving on.
            boolean allMovedOn = kids.stream().allMatch(k -> {
                Lease child = byKey.get(k);
                return child == null || !child.checkpoint().isSentinel() || child.isFinished();
            });
            if (allMovedOn) {
                out.add(new Deletion(l, true));
            }
        }
        return out;
    }
}
