package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** When a dead worker's heartbeat item may be deleted ({@link Liveness#sweepable}), on a fake monotonic clock. */
@Timeout(10)
class DeadWorkerSweepTest {
    private static final long FAILOVER = 3_000;
    private static final long KEEP = Liveness.KEEP_DEAD_FOR_FAILOVERS * FAILOVER;

    /** Observed at 0, suspected at FAILOVER, confirmed dead by a consistent read of the same value then. */
    private static Liveness deadAtFailover(String worker, long value) {
        Liveness l = new Liveness(FAILOVER);
        l.observe(worker, value, 0);
        assertThat(l.suspects(FAILOVER)).containsExactly(worker);
        l.confirm(worker, value, FAILOVER);
        assertThat(l.isAlive(worker, FAILOVER)).isFalse();
        return l;
    }

    @Test
    void aConfirmedDeadWorkerHoldingNothingIsSweptOnlyOnceUnchangedForTheWholeKeepTime() {
        Liveness l = deadAtFailover("w1", 41L);
        assertThat(l.sweepable(KEEP - 1, Set.of())).isEmpty();
        assertThat(l.sweepable(KEEP, Set.of())).isEqualTo(Map.of("w1", 41L));
        assertThat(l.sweepable(KEEP * 5, Set.of())).isEqualTo(Map.of("w1", 41L));
    }

    @Test
    void theKeepTimeIsAGenerousMultipleOfTheFailoverTime() {
        assertThat(Liveness.KEEP_DEAD_FOR_FAILOVERS).isGreaterThanOrEqualTo(5);
    }

    @Test
    void aWorkerAnyLeaseStillNamesIsKept() {
        Liveness l = deadAtFailover("w1", 41L);
        assertThat(l.sweepable(KEEP * 2, Set.of("w1", "w2"))).isEmpty();
        assertThat(l.sweepable(KEEP * 2, Set.of("w2"))).containsOnlyKeys("w1");
    }

    @Test
    void aSuspectNotYetConfirmedByAConsistentReadIsNeverSwept() {
        Liveness l = new Liveness(FAILOVER);
        l.observe("w1", 7L, 0);
        // only eventually consistent Scans, all showing the same value, for a long time
        for (long t = 0; t <= KEEP * 3; t += 500) {
            l.observe("w1", 7L, t);
        }
        assertThat(l.suspects(KEEP * 3)).containsExactly("w1");
        assertThat(l.sweepable(KEEP * 3, Set.of())).isEmpty();
    }

    @Test
    void aBeatSeenAfterDeathRestartsTheWholeWait() {
        Liveness l = deadAtFailover("w1", 41L);
        long back = KEEP - 10;
        l.observe("w1", 42L, back); // it beat again (a partition healed, or a restart under the same id)
        assertThat(l.isAlive("w1", back)).isTrue();
        assertThat(l.sweepable(KEEP * 2, Set.of())).isEmpty(); // alive again: not confirmed dead
        l.confirm("w1", 42L, back + FAILOVER);
        assertThat(l.sweepable(back + KEEP - 1, Set.of())).isEmpty();
        assertThat(l.sweepable(back + KEEP, Set.of())).isEqualTo(Map.of("w1", 42L));
    }

    @Test
    void theWaitCountsFromThisObserversFirstSightingNotFromAnythingTheItemSays() {
        // An observer that starts late sees a long-dead item as just changed: it waits the whole keep time itself.
        Liveness late = new Liveness(FAILOVER);
        long start = 1_000_000;
        late.observe("w1", 41L, start);
        late.confirm("w1", 41L, start + FAILOVER);
        assertThat(late.sweepable(start + KEEP - 1, Set.of())).isEmpty();
        assertThat(late.sweepable(start + KEEP, Set.of())).containsOnlyKeys("w1");
    }

    @Test
    void onlyTheDeadAreSwept() {
        Liveness l = deadAtFailover("dead", 1L);
        l.observe("live", 1L, 0);
        for (long t = 500; t <= KEEP * 2; t += 500) {
            l.observe("live", t, t); // beats every 500 ms
        }
        assertThat(l.sweepable(KEEP * 2, Set.of())).containsOnlyKeys("dead");
    }
}
