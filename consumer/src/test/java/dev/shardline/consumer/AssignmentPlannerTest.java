package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.consumer.AssignmentPlanner.LeaseState;
import dev.shardline.consumer.AssignmentPlanner.Plan;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AssignmentPlannerTest {

    private static List<LeaseState> leases(Map<String, String> owners) {
        List<LeaseState> out = new ArrayList<>();
        owners.forEach((k, o) -> out.add(new LeaseState(k, o, false)));
        return out;
    }

    private static Map<String, String> unowned(int n) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            m.put(String.format("shardId-%012d", i), null);
        }
        return m;
    }

    /** One round: each worker in turn plans on the current snapshot and its take/steal succeed. */
    private static void round(Map<String, String> owners, List<String> workers, int max) {
        for (String w : workers) {
            Plan p = AssignmentPlanner.plan(w, leases(owners), Set.copyOf(workers), max);
            p.take().forEach(l -> owners.put(l.leaseKey(), w));
            p.steal().forEach(l -> owners.put(l.leaseKey(), w));
        }
    }

    private static Map<String, Long> counts(Map<String, String> owners) {
        return owners.values().stream().collect(Collectors.groupingBy(o -> String.valueOf(o), TreeMap::new,
                Collectors.counting()));
    }

    @Test
    void threeWorkersOnTwelveShardsSettleAtFourEachWithinThreeRoundsAndStay() {
        Map<String, String> owners = unowned(12);
        // The first worker starts alone and takes everything.
        round(owners, List.of("a"), Integer.MAX_VALUE);
        assertThat(counts(owners)).containsEntry("a", 12L);
        List<String> all = List.of("a", "b", "c");
        for (int i = 0; i < 3; i++) {
            round(owners, all, Integer.MAX_VALUE);
        }
        assertThat(counts(owners)).containsOnly(Map.entry("a", 4L), Map.entry("b", 4L), Map.entry("c", 4L));
        Map<String, String> settled = new HashMap<>(owners);
        for (int i = 0; i < 5; i++) {
            round(owners, all, Integer.MAX_VALUE);
        }
        assertThat(owners).isEqualTo(settled);
    }

    @Test
    void newWorkerStealsSeveralAtOnce() {
        Map<String, String> owners = unowned(12);
        owners.replaceAll((k, v) -> "a");
        Plan p = AssignmentPlanner.plan("b", leases(owners), Set.of("a", "b"), Integer.MAX_VALUE);
        assertThat(p.take()).isEmpty();
        assertThat(p.steal()).hasSize(6).allMatch(l -> l.owner().equals("a"));
    }

    @Test
    void unevenCountsSettleWithoutOscillating() {
        Map<String, String> owners = unowned(13);
        List<String> all = List.of("a", "b", "c");
        round(owners, List.of("a"), Integer.MAX_VALUE);
        for (int i = 0; i < 4; i++) {
            round(owners, all, Integer.MAX_VALUE);
        }
        assertThat(counts(owners).values()).containsExactlyInAnyOrder(5L, 4L, 4L);
        Map<String, String> settled = new HashMap<>(owners);
        for (int i = 0; i < 5; i++) {
            round(owners, all, Integer.MAX_VALUE);
        }
        assertThat(owners).isEqualTo(settled);
    }

    @Test
    void leasesOfDeadWorkersAreTakenBeforeStealing() {
        Map<String, String> owners = unowned(6);
        int i = 0;
        for (String k : owners.keySet()) {
            owners.put(k, i++ < 3 ? "dead" : "b");
        }
        Plan p = AssignmentPlanner.plan("a", leases(owners), Set.of("a", "b"), Integer.MAX_VALUE);
        assertThat(p.take()).hasSize(3).allMatch(l -> l.owner().equals("dead"));
        assertThat(p.steal()).isEmpty();
    }

    @Test
    void finishedLeasesAreIgnoredAndMaxLeasesCaps() {
        List<LeaseState> ls = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            ls.add(new LeaseState("s" + i, null, i < 4));
        }
        Plan p = AssignmentPlanner.plan("a", ls, Set.of("a"), 5);
        assertThat(p.take()).hasSize(5).noneMatch(LeaseState::finished);
        Plan unlimited = AssignmentPlanner.plan("a", ls, Set.of("a"), Integer.MAX_VALUE);
        assertThat(unlimited.take()).hasSize(6);
    }

    @Test
    void balancedWorkerDoesNothing() {
        Map<String, String> owners = unowned(4);
        int i = 0;
        for (String k : owners.keySet()) {
            owners.put(k, i++ % 2 == 0 ? "a" : "b");
        }
        assertThat(AssignmentPlanner.plan("a", leases(owners), Set.of("a", "b"), 10).isEmpty()).isTrue();
    }

    @Test
    void workersPickDifferentExpiredLeasesFirst() {
        Map<String, String> owners = unowned(12);
        Plan a = AssignmentPlanner.plan("worker-a", leases(owners), Set.of("worker-a", "worker-b", "worker-c"), 99);
        Plan b = AssignmentPlanner.plan("worker-b", leases(owners), Set.of("worker-a", "worker-b", "worker-c"), 99);
        assertThat(a.take()).hasSize(4);
        assertThat(b.take()).hasSize(4);
        assertThat(a.take()).isNotEqualTo(b.take());
    }

    @Test
    void livenessExpiresOnlyWhenHeartbeatStopsChanging() {
        Liveness l = new Liveness(1_000);
        l.observe("a", 1L, 0);
        l.observe("b", 1L, 0);
        l.observe("a", 2L, 900);
        l.observe("b", 1L, 900);
        assertThat(l.alive(1_500)).containsExactly("a");
        assertThat(l.isAlive("b", 999)).isTrue();
        assertThat(l.isAlive("b", 1_000)).isFalse();
        l.forget("a");
        assertThat(l.alive(1_500)).isEmpty();
    }
}
