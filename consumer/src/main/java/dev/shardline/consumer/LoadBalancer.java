package dev.shardline.consumer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Load-aware lease balancing, pure and decentralised: each worker runs one instance on its lease snapshots and decides
 * only what it takes for itself; other workers reach the same view from the same table. A lease's weight is its
 * measured throughput (bytes/s plus a per-record cost, from the lease table) plus a base cost every lease has (2 KiB/s,
 * or 5% of the mean lease weight if more), so leases far below the base weigh alike and idle fleets balance by count;
 * a lease with nothing measured yet weighs the mean of the measured ones.
 *
 * <p>Rules, in order:
 * <ol>
 *   <li><b>Expired leases</b> (no owner, or an owner that is not live) are dealt out heaviest first, each to the live
 *       worker with the least load at that point (ties by worker id). Every worker computes the same deal from the
 *       same snapshot and takes its own part, so a dead worker's leases are spread in one round.</li>
 *   <li><b>Pulling.</b> A worker below the mean by more than {@code tolerance} × mean (or below the mean while another
 *       is above it by more than that) pulls from the workers above the mean, most loaded first, about
 *       {@code min(gap / 2, mean - mine, theirs - mean)} from each: leases heaviest first, each only if it brings the
 *       transfer closer to that amount and strictly narrows the gap between the two ({@code weight < gap}). Every
 *       accepted move lowers the sum of squared loads, so moves cannot cycle on a fixed set of weights.</li>
 *   <li><b>Damping.</b> A lease whose owner changed within {@code damping} (on this worker's clock) is not stolen
 *       again, so measurement noise and snapshots taken mid-move cannot make leases flap.</li>
 * </ol>
 * When no lease has a measured throughput above zero, {@link #knowsLoad} is false and the caller balances by count
 * ({@link AssignmentPlanner}). Not thread-safe: one instance per worker, used by its lease loop.
 */
final class LoadBalancer {
    /** Every lease costs at least this fraction of the mean lease weight (idle shards are not free to hold). */
    static final double BASE_FRACTION = 0.05;
    /** ... and at least this many bytes/s: leases far below it weigh alike, so idle fleets balance by count. */
    static final double BASE_BYTES_PER_SECOND = 2048;

    /** One lease as the balancer sees it; {@code weight} is bytes/s-equivalent, null when never measured. */
    record Lease(String leaseKey, String owner, Double weight) {
        Lease {
            Objects.requireNonNull(leaseKey, "leaseKey");
        }
    }

    /** Leases to take (expired) and to steal (from live owners). */
    record Plan(List<Lease> take, List<Lease> steal) {
        boolean isEmpty() {
            return take.isEmpty() && steal.isEmpty();
        }
    }

    private record Seen(String owner, long changedAtNanos) {
    }

    private final double tolerance;
    private final long dampingNanos;
    private final LongSupplier clock;
    private final Map<String, Seen> owners = new HashMap<>();

    /**
     * @param tolerance    fraction of the mean load within which workers count as balanced (e.g. 0.1)
     * @param dampingNanos a lease that moved within this long is not moved again
     * @param clock        monotonic nanoseconds (System::nanoTime, or a fake clock in tests)
     */
    LoadBalancer(double tolerance, long dampingNanos, LongSupplier clock) {
        if (!(tolerance > 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance must be in (0, 1), got " + tolerance);
        }
        if (dampingNanos < 0) {
            throw new IllegalArgumentException("damping must be >= 0, got " + dampingNanos);
        }
        this.tolerance = tolerance;
        this.dampingNanos = dampingNanos;
        this.clock = clock;
    }

    /** True when at least one lease has a measured weight above zero: balance by load, else by count. */
    static boolean knowsLoad(Collection<Lease> leases) {
        for (Lease l : leases) {
            if (l.weight() != null && l.weight() > 0) {
                return true;
            }
        }
        return false;
    }

    /** Bytes/s-equivalent weight of a lease measured at {@code kiloBytesPerSecond} and {@code recordsPerSecond}. */
    static Double weight(Double kiloBytesPerSecond, Double recordsPerSecond, int recordCostBytes) {
        if (kiloBytesPerSecond == null && recordsPerSecond == null) {
            return null;
        }
        double kb = kiloBytesPerSecond == null ? 0 : kiloBytesPerSecond;
        double rps = recordsPerSecond == null ? 0 : recordsPerSecond;
        return kb * 1024 + rps * recordCostBytes;
    }

    /**
     * What {@code me} should take and steal now. Also records owner changes for damping, so call it on every
     * snapshot (the caller applies the plan; races with other workers are settled by conditional writes).
     */
    Plan plan(String me, Collection<Lease> leases, Set<String> liveWorkers, int maxLeases) {
        long now = clock.getAsLong();
        observe(leases, now);
        Set<String> live = new TreeSet<>(liveWorkers);
        live.add(me);
        Map<String, Double> effective = effectiveWeights(leases);
        Map<String, Double> load = new TreeMap<>();
        Map<String, List<Lease>> byOwner = new HashMap<>();
        live.forEach(w -> load.put(w, 0.0));
        List<Lease> expired = new ArrayList<>();
        for (Lease l : leases) {
            if (l.owner() == null || !live.contains(l.owner())) {
                expired.add(l);
            } else {
                load.merge(l.owner(), effective.get(l.leaseKey()), Double::sum);
                byOwner.computeIfAbsent(l.owner(), k -> new ArrayList<>()).add(l);
            }
        }
        int room = maxLeases - byOwner.getOrDefault(me, List.of()).size();
        List<Lease> take = new ArrayList<>();
        // 1. Deal the expired leases heaviest first to the least loaded worker; keep my part.
        expired.sort(Comparator.comparingDouble((Lease l) -> -effective.get(l.leaseKey())).thenComparing(Lease::leaseKey));
        for (Lease l : expired) {
            String to = leastLoaded(load);
            load.merge(to, effective.get(l.leaseKey()), Double::sum);
            if (to.equals(me) && take.size() < room) {
                take.add(l);
            }
        }
        room -= take.size();
        if (!expired.isEmpty() || room <= 0) {
            return new Plan(List.copyOf(take), List.of());
        }
        // 2. Pull from workers above the mean, if I am clearly below it (or one of them is clearly above it).
        double total = 0;
        for (double v : load.values()) {
            total += v;
        }
        double mean = total / live.size();
        double mine = load.get(me);
        List<String> donors = new ArrayList<>(load.keySet());
        donors.sort(Comparator.comparingDouble((String w) -> -load.get(w)).thenComparing(w -> w));
        List<Lease> steal = new ArrayList<>();
        for (String donor : donors) {
            double theirs = load.get(donor);
            boolean clear = mine < mean * (1 - tolerance) || (theirs > mean * (1 + tolerance) && mine < mean);
            if (donor.equals(me) || theirs <= mean || !clear || steal.size() >= room) {
                continue;
            }
            // Move about min(half the gap, what I lack, what they have too much): never past the mean either way.
            double target = Math.min((theirs - mine) / 2, Math.min(mean - mine, theirs - mean));
            List<Lease> candidates = new ArrayList<>(byOwner.getOrDefault(donor, List.of()));
            candidates.removeIf(l -> recentlyMoved(l.leaseKey(), now));
            candidates.sort(Comparator.comparingDouble((Lease l) -> -effective.get(l.leaseKey()))
                    .thenComparingInt(l -> mix(me, l.leaseKey())));
            double out = 0;
            for (Lease l : candidates) {
                double w = effective.get(l.leaseKey());
                if (steal.size() >= room) {
                    break;
                }
                // Closer to the target than without it, and strictly narrowing the pair's gap (so the sum of
                // squared loads falls and moves cannot cycle).
                if (out + w / 2 <= target && w < (theirs - out) - (mine + out)) {
                    steal.add(l);
                    out += w;
                }
            }
            mine += out;
        }
        return new Plan(List.copyOf(take), List.copyOf(steal));
    }

    private void observe(Collection<Lease> leases, long now) {
        Map<String, Seen> next = new HashMap<>();
        for (Lease l : leases) {
            Seen s = owners.get(l.leaseKey());
            if (s == null) {
                // First sight: no history, so not damped.
                next.put(l.leaseKey(), new Seen(l.owner(), now - dampingNanos - 1));
            } else if (!Objects.equals(s.owner(), l.owner())) {
                next.put(l.leaseKey(), new Seen(l.owner(), now));
            } else {
                next.put(l.leaseKey(), s);
            }
        }
        owners.clear();
        owners.putAll(next);
    }

    private boolean recentlyMoved(String leaseKey, long now) {
        Seen s = owners.get(leaseKey);
        return s != null && now - s.changedAtNanos() <= dampingNanos;
    }

    private static Map<String, Double> effectiveWeights(Collection<Lease> leases) {
        double sum = 0;
        int known = 0;
        for (Lease l : leases) {
            if (l.weight() != null) {
                sum += Math.max(0, l.weight());
                known++;
            }
        }
        double meanKnown = known == 0 ? 0 : sum / known;
        double base = Math.max(BASE_BYTES_PER_SECOND, meanKnown * BASE_FRACTION);
        Map<String, Double> out = new HashMap<>();
        for (Lease l : leases) {
            double w = l.weight() == null ? meanKnown : Math.max(0, l.weight());
            out.put(l.leaseKey(), w + base);
        }
        return out;
    }

    private static String leastLoaded(Map<String, Double> load) {
        String best = null;
        for (Map.Entry<String, Double> e : load.entrySet()) { // TreeMap: ties go to the smallest id
            if (best == null || e.getValue() < load.get(best)) {
                best = e.getKey();
            }
        }
        return best;
    }

    private static int mix(String worker, String leaseKey) {
        int h = worker.hashCode() * 31 + leaseKey.hashCode();
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        return h;
    }
}
