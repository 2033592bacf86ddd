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
            p.handoff().forEach(l -> owners.put(l.leaseKey(), w));
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
        assertThat(p.handoff()).hasSize(6).allMatch(l -> l.owner().equals("a"));
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
        assertThat(p.handoff()).isEmpty();
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
    void livenessDeclaresDeathOnlyAfterAConsistentReadPastTheDeadline() {
        Liveness l = new Liveness(1_000);
        l.observe("a", 1L, 0);
        l.observe("b", 1L, 0);
        l.observe("a", 2L, 900);
        l.observe("b", 1L, 900);
        assertThat(l.suspects(999)).isEmpty();
        assertThat(l.suspects(1_500)).containsExactly("b");
        assertThat(l.alive(1_500)).as("a suspect is still alive").containsExactlyInAnyOrder("a", "b");
        l.confirm("b", 2L, 1_500); // the consistent read shows a beat the Scan missed
        assertThat(l.alive(2_400)).containsExactlyInAnyOrder("a", "b");
        l.confirm("b", 2L, 2_600);
        assertThat(l.alive(2_600)).containsExactly("a");
        assertThat(l.isAlive("b", 2_600)).isFalse();
        l.observe("b", 3L, 2_700); // it came back
        assertThat(l.isAlive("b", 2_700)).isTrue();
        l.forget("a");
        assertThat(l.alive(2_700)).containsExactly("b");
    }

    @Test
    void onlyReadyLeasesAreOfferedAndWaitingOnesDoNotCountTowardTheShare() {
        List<LeaseState> ls = new ArrayList<>();
        ls.add(new LeaseState("parent", "a", null, false, true));
        ls.add(new LeaseState("child-1", null, null, false, false));
        ls.add(new LeaseState("child-2", null, null, false, false));
        ls.add(new LeaseState("other", null, null, false, true));
        Plan b = AssignmentPlanner.plan("b", ls, Set.of("a", "b"), Integer.MAX_VALUE);
        assertThat(b.take()).extracting(LeaseState::leaseKey).containsExactly("other");
        assertThat(b.handoff()).isEmpty();
        // a holds one of two ready leases: its share; the waiting children do not make it ask for more
        assertThat(AssignmentPlanner.plan("a", ls, Set.of("a", "b"), Integer.MAX_VALUE).isEmpty()).isTrue();
        // once the parent is finished the children are ready and offered
        List<LeaseState> later = List.of(new LeaseState("parent", "a", null, true, true),
                new LeaseState("child-1", null, null, false, true), new LeaseState("child-2", null, null, false, true),
                new LeaseState("other", "b", null, false, true));
        assertThat(AssignmentPlanner.plan("a", later, Set.of("a", "b"), Integer.MAX_VALUE).take())
                .extracting(LeaseState::leaseKey).containsExactlyInAnyOrder("child-1", "child-2");
    }

    @Test
    void aJoiningWorkerAsksForHandoffsAndLeasesInHandoffAreLeftAlone() {
        Map<String, String> owners = unowned(8);
        owners.replaceAll((k, v) -> "a");
        Plan b = AssignmentPlanner.plan("b", leases(owners), Set.of("a", "b"), Integer.MAX_VALUE);
        assertThat(b.take()).isEmpty();
        assertThat(b.handoff()).hasSize(4).allMatch(l -> l.owner().equals("a"));
        // after b asked: the four leases name b as owner and a as checkpointOwner
        List<LeaseState> asked = new ArrayList<>();
        owners.forEach((k, o) -> asked.add(b.handoff().stream().anyMatch(h -> h.leaseKey().equals(k))
                ? new LeaseState(k, "b", "a", false, true) : new LeaseState(k, "a", null, false, true)));
        assertThat(AssignmentPlanner.plan("b", asked, Set.of("a", "b"), Integer.MAX_VALUE).isEmpty())
                .as("b counts the leases coming to it").isTrue();
        assertThat(AssignmentPlanner.plan("c", asked, Set.of("a", "b", "c"), Integer.MAX_VALUE).handoff())
                .as("c never asks for a lease in handoff").noneMatch(LeaseState::inHandoff);
        assertThat(AssignmentPlanner.isSettled(asked, Set.of("a", "b"), Set.of(), Integer.MAX_VALUE)).isFalse();
        // the receiver died during the handoff: the handing-off worker still holds it; nobody takes it from under it
        assertThat(AssignmentPlanner.plan("c", asked, Set.of("a", "c"), Integer.MAX_VALUE).take()).isEmpty();
        // both dead: expired, taken
        assertThat(AssignmentPlanner.plan("c", asked, Set.of("c"), Integer.MAX_VALUE).take()).hasSize(8);
    }

    @Test
    void aDrainingWorkersLeasesAreAskedForFirstAndItIsNoReceiver() {
        Map<String, String> owners = unowned(6);
        int i = 0;
        for (String k : owners.keySet()) {
            owners.put(k, i++ < 4 ? "closing" : "b");
        }
        Set<String> live = Set.of("closing", "a", "b");
        Set<String> draining = Set.of("closing");
        Plan a = AssignmentPlanner.plan("a", leases(owners), live, draining, Integer.MAX_VALUE);
        assertThat(a.handoff()).hasSize(3).allMatch(l -> l.owner().equals("closing"));
        Plan b = AssignmentPlanner.plan("b", leases(owners), live, draining, Integer.MAX_VALUE);
        assertThat(b.handoff()).hasSize(1).allMatch(l -> l.owner().equals("closing"));
        assertThat(AssignmentPlanner.plan("closing", leases(owners), live, draining, Integer.MAX_VALUE).isEmpty()).isTrue();
        assertThat(AssignmentPlanner.isSettled(leases(owners), live, draining, Integer.MAX_VALUE)).isFalse();
    }

    @Test
    void settledMeansNobodyNeedsToLookAgain() {
        Map<String, String> owners = unowned(13);
        List<String> all = List.of("a", "b", "c");
        round(owners, List.of("a"), Integer.MAX_VALUE);
        assertThat(AssignmentPlanner.isSettled(leases(owners), Set.copyOf(all), Set.of(), Integer.MAX_VALUE)).isFalse();
        for (int i = 0; i < 4; i++) {
            round(owners, all, Integer.MAX_VALUE);
        }
        assertThat(AssignmentPlanner.isSettled(leases(owners), Set.copyOf(all), Set.of(), Integer.MAX_VALUE)).isTrue();
        // capped: 13 leases, 3 workers at most 2 each: the 7 left over never unsettle anyone
        Map<String, String> capped = unowned(13);
        round(capped, all, 2);
        assertThat(counts(capped)).containsEntry("a", 2L).containsEntry("b", 2L).containsEntry("c", 2L);
        assertThat(AssignmentPlanner.isSettled(leases(capped), Set.copyOf(all), Set.of(), 2)).isTrue();
    }
}
