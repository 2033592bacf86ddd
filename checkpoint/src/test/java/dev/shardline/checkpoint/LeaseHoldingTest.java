package dev.shardline.checkpoint;

import static dev.shardline.checkpoint.ExtendedSequenceNumber.of;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardline.aggregation.UserRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LeaseHoldingTest {
    private LeaseTable w1;
    private LeaseTable w2;

    @BeforeEach
    void setUp() {
        String app = TestDynamo.uniqueApp("cp");
        w1 = TestDynamo.table(app, "worker-1");
        w2 = TestDynamo.table(app, "worker-2");
        w1.createIfMissing().join();
    }

    private LeaseHolding hold(LeaseTable t, String key) {
        w1.createLeaseIfAbsent(Lease.builder(key).build()).join();
        Lease observed = t.getLease(key).join().orElseThrow();
        return t.hold(t.take(observed).join().orElseThrow());
    }

    private ExtendedSequenceNumber stored(String key) {
        return w1.getLease(key).join().orElseThrow().checkpoint();
    }

    private static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    @Test
    void checkpointsTheLastDeliveredRecordAndExplicitPositions() {
        LeaseHolding cp = hold(w1, "s1");
        assertThat(cp.shardId()).isEqualTo("s1");
        cp.checkpoint().join(); // nothing delivered: nothing written
        assertThat(stored("s1")).isEqualTo(ExtendedSequenceNumber.TRIM_HORIZON);

        cp.recordDelivered(of("100", 0));
        cp.recordDelivered(of("100", 4));
        cp.checkpoint("100", 2).join();
        assertThat(stored("s1")).isEqualTo(of("100", 2));
        cp.checkpoint().join();
        assertThat(stored("s1")).isEqualTo(of("100", 4));
        assertThat(cp.lastCheckpoint()).isEqualTo(of("100", 4));
        cp.checkpoint(of("100", 4)).join(); // the same position again is fine

        UserRecord record = UserRecord.kinesisRecord("250", "pk", "x".getBytes(StandardCharsets.UTF_8), Instant.now());
        cp.recordDelivered(record);
        cp.checkpoint(record).join();
        assertThat(stored("s1")).isEqualTo(of("250", 0));
        cp.recordDelivered(of("300"));
        cp.checkpoint("300").join();
        assertThat(stored("s1")).isEqualTo(of("300"));
    }

    @Test
    void refusesPositionsBehindTheLastCheckpointOrAheadOfTheLastDelivered() {
        LeaseHolding cp = hold(w1, "s1");
        assertThatThrownBy(() -> cp.checkpoint("5", 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ahead of the last record delivered (none)");
        cp.recordDelivered(of("900"));
        cp.checkpoint("800").join();
        assertThatThrownBy(() -> cp.checkpoint("901")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ahead");
        assertThatThrownBy(() -> cp.checkpoint("900", 1)).as("sub-sequence ahead").hasMessageContaining("ahead");
        // numerically behind although lexicographically ahead
        assertThatThrownBy(() -> cp.checkpoint("9")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("behind");
        assertThatThrownBy(() -> cp.checkpoint("799", 5)).hasMessageContaining("behind");
        assertThatThrownBy(() -> cp.checkpoint(ExtendedSequenceNumber.TRIM_HORIZON)).hasMessageContaining("SHARD_END");
        assertThatThrownBy(() -> cp.checkpointShardEnd()).hasMessageContaining("has not been reached");
        assertThatThrownBy(() -> cp.checkpoint("abc")).hasMessageContaining("sequenceNumber");
        assertThatThrownBy(() -> cp.recordDelivered(of("10"))).as("delivery going backwards")
                .hasMessageContaining("behind the last delivered");
        assertThat(stored("s1")).as("nothing refused was written").isEqualTo(of("800"));
    }

    @Test
    void shardEndIsCheckpointedOnlyAtTheEndAndFinishesTheLease() {
        LeaseHolding cp = hold(w1, "s1");
        cp.recordDelivered(of("10"));
        cp.shardEndReached();
        cp.checkpoint().join(); // at the end, checkpoint() means SHARD_END, as in KCL
        assertThat(stored("s1")).isEqualTo(ExtendedSequenceNumber.SHARD_END);
        assertThat(w1.getLease("s1").join().orElseThrow().isFinished()).isTrue();
        assertThatThrownBy(() -> cp.checkpoint("10")).hasMessageContaining("behind");

        LeaseHolding cp2 = hold(w1, "s2");
        cp2.shardEndReached();
        cp2.checkpointShardEnd().join();
        assertThat(stored("s2")).isEqualTo(ExtendedSequenceNumber.SHARD_END);
    }

    @Test
    void aResumedHoldingMayCheckpointFromTheStoredCheckpoint() {
        LeaseHolding first = hold(w1, "s1");
        first.recordDelivered(of("50"));
        first.checkpoint().join();
        first.release().join();
        LeaseHolding second = w2.hold(w2.take(w2.getLease("s1").join().orElseThrow()).join().orElseThrow());
        assertThat(second.lastCheckpoint()).isEqualTo(of("50"));
        assertThat(second.lastDelivered()).contains(of("50"));
        assertThatThrownBy(() -> second.checkpoint("49")).hasMessageContaining("behind");
        second.checkpoint("50").join();
    }

    @Test
    void checkpointAfterTheLeaseWasTakenIsRefusedWithLeaseLost() {
        LeaseHolding cp = hold(w1, "s1");
        cp.recordDelivered(of("10"));
        cp.checkpoint().join();
        Lease stolen = w2.take(w2.getLease("s1").join().orElseThrow()).join().orElseThrow();
        cp.recordDelivered(of("20"));
        assertThatThrownBy(() -> cp.checkpoint().join()).satisfies(e -> assertThat(cause(e))
                .isInstanceOf(LeaseLostException.class).hasMessageContaining("s1"));
        assertThat(cp.isLost()).isTrue();
        assertThatThrownBy(() -> cp.prepareCheckpoint().join()).satisfies(e -> assertThat(cause(e))
                .isInstanceOf(LeaseLostException.class));
        assertThat(w1.getLease("s1").join()).contains(stolen);
    }

    @Test
    void aCheckpointerOfAnEarlierHoldingIsRefusedAfterTheLeaseWasLostAndRegained() {
        LeaseHolding old = hold(w1, "s1");
        old.recordDelivered(of("10"));
        Lease stolen = w2.take(old.lease()).join().orElseThrow();
        Lease regained = w1.take(stolen).join().orElseThrow(); // worker-1 owns it again, in a new holding
        LeaseHolding fresh = w1.hold(regained);
        assertThat(fresh.concurrencyToken()).isNotEqualTo(old.concurrencyToken());
        assertThatThrownBy(() -> old.checkpoint().join()).satisfies(e -> assertThat(cause(e))
                .isInstanceOf(LeaseLostException.class));
        assertThat(stored("s1")).isEqualTo(ExtendedSequenceNumber.TRIM_HORIZON);
        fresh.recordDelivered(of("5"));
        fresh.checkpoint().join();
        assertThat(stored("s1")).isEqualTo(of("5"));
        assertThatThrownBy(() -> w1.hold(stolen)).hasMessageContaining("owned by worker-2");
    }

    @Test
    void renewalsAndCheckpointsInterleavedNeverFailSpuriously() {
        LeaseHolding cp = hold(w1, "s1");
        long start = cp.lease().counter();
        List<CompletableFuture<?>> fs = new ArrayList<>();
        for (int i = 1; i <= 40; i++) {
            cp.recordDelivered(of(Integer.toString(i * 10)));
            fs.add(cp.checkpoint());
            fs.add(cp.renew());
        }
        fs.forEach(CompletableFuture::join);
        assertThat(stored("s1")).isEqualTo(of("400"));
        assertThat(w1.getLease("s1").join().orElseThrow().counter()).isEqualTo(start + 40);
        assertThat(cp.lease().counter()).isEqualTo(start + 40);
    }

    @Test
    void pendingCheckpointWithStateSurvivesATakeoverAndCommitsLater() {
        LeaseHolding cp = hold(w1, "s1");
        cp.recordDelivered(of("70", 1));
        PreparedCheckpoint prepared = cp.prepareCheckpoint("70", 1, "state-1".getBytes(StandardCharsets.UTF_8)).join();
        assertThat(prepared.pendingCheckpoint()).isEqualTo(of("70", 1));
        assertThat(stored("s1")).as("not committed yet").isEqualTo(ExtendedSequenceNumber.TRIM_HORIZON);

        // worker-1 dies; worker-2 takes over and sees the pending checkpoint and its state
        Lease taken = w2.take(w2.getLease("s1").join().orElseThrow()).join().orElseThrow();
        assertThat(taken.pendingCheckpoint()).contains(of("70", 1));
        assertThat(taken.pendingCheckpointState()).hasValueSatisfying(s ->
                assertThat(new String(s, StandardCharsets.UTF_8)).isEqualTo("state-1"));
        assertThatThrownBy(() -> prepared.checkpoint().join()).as("the old holder cannot commit")
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(LeaseLostException.class));

        LeaseHolding next = w2.hold(taken);
        next.recordDelivered(of("70", 1));
        PreparedCheckpoint again = next.prepareCheckpoint("state-2".getBytes(StandardCharsets.UTF_8)).join();
        assertThat(again.applicationState()).hasValueSatisfying(s -> assertThat(s).hasSize(7));
        again.checkpoint().join();
        Lease after = w1.getLease("s1").join().orElseThrow();
        assertThat(after.checkpoint()).isEqualTo(of("70", 1));
        assertThat(after.pendingCheckpoint()).isEmpty();
        assertThat(after.pendingCheckpointState()).isEmpty();
    }

    @Test
    void aPreparedCheckpointOvertakenByALaterCheckpointIsRefused() {
        LeaseHolding cp = hold(w1, "s1");
        cp.recordDelivered(of("30"));
        PreparedCheckpoint prepared = cp.prepareCheckpoint("20", 0, null).join();
        cp.checkpoint("30").join();
        assertThatThrownBy(prepared::checkpoint).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("behind");
        assertThat(stored("s1")).isEqualTo(of("30"));
    }

    @Test
    void handoffThroughTheCheckpointer() {
        LeaseHolding cp = hold(w1, "s1");
        cp.recordDelivered(of("10"));
        Lease handed = w2.requestHandoff(cp.lease()).join().orElseThrow();
        assertThat(handed.checkpointOwner()).contains("worker-1");
        cp.handoffRequested(handed);
        cp.checkpoint().join(); // the processor's final checkpoint during the handoff
        Lease finished = cp.finishHandoff().join();
        assertThat(finished.checkpoint()).isEqualTo(of("10"));
        assertThat(finished.checkpointOwner()).isEmpty();
        assertThat(cp.isLost()).isTrue();
        assertThat(w2.take(finished).join()).isPresent();
    }

    @Test
    void theProcessorsCheckpointerReachesNothingOfTheLeaseLifecycle() {
        LeaseHolding cp = hold(w1, "s1");
        Checkpointer view = cp.checkpointer();
        assertThat(view).isNotInstanceOf(LeaseHolding.class);
        assertThat(java.util.Arrays.stream(view.getClass().getMethods()).map(java.lang.reflect.Method::getName))
                .doesNotContain("markLost", "release", "renew", "finishHandoff", "recordDelivered");
        cp.recordDelivered(of("7"));
        view.checkpoint().join();
        assertThat(stored("s1")).isEqualTo(of("7"));
        assertThat(view.lastCheckpoint()).isEqualTo(of("7"));
    }

    @Test
    void releaseEndsTheHolding() {
        LeaseHolding cp = hold(w1, "s1");
        cp.recordDelivered(of("10"));
        cp.checkpoint().join();
        Lease released = cp.release().join();
        assertThat(released.owner()).isEmpty();
        cp.recordDelivered(of("11"));
        assertThatThrownBy(() -> cp.checkpoint().join()).satisfies(e -> assertThat(cause(e))
                .isInstanceOf(LeaseLostException.class));
        assertThat(stored("s1")).isEqualTo(of("10"));
    }
}
