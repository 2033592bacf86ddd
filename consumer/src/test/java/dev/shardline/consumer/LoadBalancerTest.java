package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The load-aware balancer, round by round on a simulated lease table with a fake clock: several workers, each with its
 * own {@link LoadBalancer}, plan on the same snapshot in turn and apply their plan with the table's conditional-write
 * rule (a take succeeds only if the owner is still the one observed).
 */
class LoadBalancerTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    /** A lease table in memory, the workers and their fake clock. */
    private static final class Sim {
        final Map<String, String> owner = new TreeMap<>();
        final Map<String, Double> weight = new HashMap<>();
        final Map<String, LoadBalancer> workers = new LinkedHashMap<>();
        final Map<String, List<Long>> movesAt = new HashMap<>();
        long now;
        int moves;

        Sim(List<String> names, double tolerance, long damping) {
            for (String n : names) {
                workers.put(n, new LoadBalancer(tolerance, damping, () -> now));
            }
        }

        void lease(String key, String owner, double weight) {
            this.owner.put(key, owner);
            this.weight.put(key, weight);
        }

        List<LoadBalancer.Lease> snapshot(DoubleUnaryOperator noise) {
            List<LoadBalancer.Lease> out = new ArrayList<>();
            owner.forEach((k, o) -> out.add(new LoadBalancer.Lease(k, o, noise.applyAsDouble(weight.get(k)))));
            return out;
        }

        /** One round: every worker plans on the table as it is and applies its plan. Returns the moves made. */
        int round(DoubleUnaryOperator noise) {
            int before = moves;
            for (Map.Entry<String, LoadBalancer> w : workers.entrySet()) {
                List<LoadBalancer.Lease> snap = snapshot(noise);
                LoadBalancer.Plan plan = w.getValue().plan(w.getKey(), snap, workers.keySet(), Integer.MAX_VALUE);
                List<LoadBalancer.Lease> all = new ArrayList<>(plan.take());
                all.addAll(plan.steal());
                for (LoadBalancer.Lease l : all) {
                    if (java.util.Objects.equals(owner.get(l.leaseKey()), l.owner())) {
                        owner.put(l.leaseKey(), w.getKey());
                        moves++;
                        movesAt.computeIfAbsent(l.leaseKey(), k -> new ArrayList<>()).add(now);
                    }
                }
            }
            now += SECOND;
            return moves - before;
        }

        double load(String worker) {
            double sum = 0;
            for (Map.Entry<String, String> e : owner.entrySet()) {
                if (worker.equals(e.getValue())) {
                    sum += weight.get(e.getKey());
                }
            }
            return sum;
        }

        String ownerOf(String key) {
            return owner.get(key);
        }
    }

    @Test
    void twoHotShardsAmongEightColdEndOnDifferentWorkersAndStayThere() {
        Sim sim = new Sim(List.of("a", "b"), 0.1, 30 * SECOND);
        // A count-balanced start with both hot shards on one worker: 5 / 5 leases, all the load on "a".
        for (int i = 0; i < 10; i++) {
            boolean hot = i == 0 || i == 1;
            sim.lease("shard-" + i, i < 5 ? "a" : "b", hot ? 1_000_000 : 1_000);
        }
        int rounds = 0;
        while (sim.ownerOf("shard-0").equals(sim.ownerOf("shard-1"))) {
            sim.round(w -> w);
            assertThat(++rounds).as("rounds to split the hot shards").isLessThanOrEqualTo(3);
        }
        int settled = sim.moves;
        for (int i = 0; i < 200; i++) {
            sim.round(w -> w);
        }
        assertThat(sim.moves).as("moves after the split (no flapping)").isEqualTo(settled);
        assertThat(sim.ownerOf("shard-0")).isNotEqualTo(sim.ownerOf("shard-1"));
    }

    @Test
    void twoHotShardsOnFourWorkersSplitAndSettle() {
        Sim sim = new Sim(List.of("a", "b", "c", "d"), 0.1, 30 * SECOND);
        String[] owners = {"a", "a", "a", "b", "b", "c", "c", "d", "d", "d"};
        for (int i = 0; i < 10; i++) {
            sim.lease("shard-" + i, owners[i], i < 2 ? 1_000_000 : 1_000);
        }
        for (int i = 0; i < 5; i++) {
            sim.round(w -> w);
        }
        assertThat(sim.ownerOf("shard-0")).isNotEqualTo(sim.ownerOf("shard-1"));
        // One hot shard and at most a few cold ones (off the worker left holding the other hot one) moved.
        assertThat(sim.moves).isBetween(1, 4);
        int settled = sim.moves;
        for (int i = 0; i < 100; i++) {
            sim.round(w -> w);
        }
        assertThat(sim.moves).as("moves once settled").isEqualTo(settled);
    }

    @Test
    void idleLeasesBalanceByCountAndUnevenCountsDoNotOscillate() {
        Sim sim = new Sim(List.of("a", "b", "c"), 0.1, 30 * SECOND);
        for (int i = 0; i < 13; i++) {
            sim.lease(String.format("shard-%02d", i), "a", 10 + i % 3); // far below the per-lease base cost
        }
        for (int i = 0; i < 5; i++) {
            sim.round(w -> w);
        }
        Map<String, Integer> counts = new TreeMap<>();
        sim.owner.values().forEach(o -> counts.merge(o, 1, Integer::sum));
        assertThat(counts.values()).containsExactlyInAnyOrder(5, 4, 4);
        int settled = sim.moves;
        for (int i = 0; i < 100; i++) {
            sim.round(w -> w);
        }
        assertThat(sim.moves).isEqualTo(settled);
    }

    @Test
    void skewedThroughputsConvergeWithinToleranceAndStayUnderNoise() {
        List<String> names = List.of("w1", "w2", "w3", "w4");
        Sim sim = new Sim(names, 0.1, 30 * SECOND);
        Random random = new Random(7);
        // 40 shards with Zipf-like throughputs, all starting on one worker.
        for (int i = 0; i < 40; i++) {
            sim.lease(String.format("shard-%02d", i), "w1", 2_000_000.0 / (i + 1));
        }
        for (int i = 0; i < 60; i++) {
            sim.round(w -> w);
        }
        double total = names.stream().mapToDouble(sim::load).sum();
        double mean = total / names.size();
        double heaviest = 2_000_000.0;
        for (String w : names) {
            // Balanced as far as the heaviest lease allows: within the tolerance, or a worker holding only big leases.
            assertThat(sim.load(w)).as("load of %s (mean %.0f)", w, mean)
                    .isBetween(mean * 0.75, Math.max(mean * 1.25, heaviest * 1.001));
        }
        // +-5% measurement noise every round: damping and the tolerance keep leases where they are.
        int settled = sim.moves;
        sim.movesAt.clear();
        for (int i = 0; i < 300; i++) {
            sim.round(w -> w * (0.95 + 0.1 * random.nextDouble()));
        }
        assertThat(sim.moves - settled).as("moves caused by noise over 300 rounds").isLessThanOrEqualTo(2);
        sim.movesAt.forEach((lease, at) -> {
            for (int i = 1; i < at.size(); i++) {
                assertThat(at.get(i) - at.get(i - 1)).as("time between two moves of %s", lease)
                        .isGreaterThan(30 * SECOND);
            }
        });
    }

    @Test
    void aDeadWorkersLeasesAreDealtOutByWeightInOneRound() {
        Sim sim = new Sim(List.of("a", "b", "c"), 0.1, 30 * SECOND);
        sim.lease("hot-1", "dead", 900_000);
        sim.lease("hot-2", "dead", 900_000);
        sim.lease("hot-3", "dead", 900_000);
        for (int i = 0; i < 9; i++) {
            sim.lease("cold-" + i, "dead", 1_000);
        }
        sim.round(w -> w);
        assertThat(sim.owner.values()).doesNotContain("dead");
        assertThat(Set.of(sim.ownerOf("hot-1"), sim.ownerOf("hot-2"), sim.ownerOf("hot-3")))
                .containsExactlyInAnyOrder("a", "b", "c");
        int moves = sim.moves;
        for (int i = 0; i < 50; i++) {
            sim.round(w -> w);
        }
        assertThat(sim.moves).isEqualTo(moves);
    }

    @Test
    void aJoiningWorkerGetsItsShareOfManyIdleLeasesWithinAFewRounds() {
        Sim sim = new Sim(List.of("a", "b", "c", "d"), 0.1, 30 * SECOND);
        for (int i = 0; i < 400; i++) {
            // Three workers hold everything; a little traffic on each lease, so load is known.
            sim.lease(String.format("shard-%03d", i), i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c", 100 + (i % 7));
        }
        for (int i = 0; i < 10; i++) {
            sim.round(w -> w);
        }
        double mean = sim.owner.keySet().stream().mapToDouble(sim.weight::get).sum() / 4;
        assertThat(sim.load("d")).isGreaterThan(mean * 0.85);
    }

    @Test
    void aLeaseThatJustMovedIsNotStolenAgainWithinTheDampingTime() {
        long[] now = {0};
        LoadBalancer c = new LoadBalancer(0.1, 30 * SECOND, () -> now[0]);
        Set<String> live = Set.of("b", "c");
        c.plan("c", List.of(new LoadBalancer.Lease("x", "a", 1e6), new LoadBalancer.Lease("y", "b", 1e6)), live, 10);
        // x just moved from a to b; b now holds both: c may pull one, and only y is not damped.
        now[0] += SECOND;
        List<LoadBalancer.Lease> both = List.of(new LoadBalancer.Lease("x", "b", 1e6), new LoadBalancer.Lease("y", "b", 1e6));
        assertThat(c.plan("c", both, live, 10).steal()).extracting(LoadBalancer.Lease::leaseKey).containsExactly("y");
        now[0] += 10 * SECOND;
        assertThat(c.plan("c", both, live, 10).steal()).extracting(LoadBalancer.Lease::leaseKey).containsExactly("y");
        // Once the damping time has passed, either may move.
        now[0] += 30 * SECOND;
        assertThat(c.plan("c", both, live, 10).steal()).hasSize(1);
        // y damped too once it moves: nothing left to pull.
        now[0] += SECOND;
        c.plan("c", List.of(new LoadBalancer.Lease("x", "b", 1e6), new LoadBalancer.Lease("y", "a", 1e6)), live, 10);
        now[0] += SECOND;
        assertThat(c.plan("c", both, live, 10).steal()).extracting(LoadBalancer.Lease::leaseKey).containsExactly("x");
    }

    @Test
    void withoutMeasuredLoadTheCallerBalancesByCount() {
        assertThat(LoadBalancer.knowsLoad(List.of(new LoadBalancer.Lease("a", "x", null),
                new LoadBalancer.Lease("b", "x", 0.0)))).isFalse();
        assertThat(LoadBalancer.knowsLoad(List.of(new LoadBalancer.Lease("a", "x", null),
                new LoadBalancer.Lease("b", "x", 12.0)))).isTrue();
        assertThat(LoadBalancer.weight(null, null, 256)).isNull();
        assertThat(LoadBalancer.weight(2.0, 10.0, 256)).isEqualTo(2048 + 2560);
    }

    @Test
    void theMeterSmoothsAndDecaysOnItsOwnClock() {
        ThroughputMeter m = new ThroughputMeter(10 * SECOND, 0, 0, 0);
        long t = 0;
        for (int i = 0; i < 100; i++) { // 1 MB/s, 100 records/s for 100 s
            m.record(100, 1_000_000);
            t += SECOND;
            m.bytesPerSecond(t);
        }
        assertThat(m.bytesPerSecond(t)).isCloseTo(1_000_000, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(m.recordsPerSecond(t)).isCloseTo(100, org.assertj.core.data.Percentage.withPercentage(1));
        assertThat(m.bytesPerSecond(t + 60 * SECOND)).isLessThan(10_000);
        ThroughputMeter seeded = new ThroughputMeter(10 * SECOND, 500_000, 50, 0);
        assertThat(seeded.bytesPerSecond(SECOND / 10)).isGreaterThan(490_000);
    }
}
