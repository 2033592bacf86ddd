package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Fence timing on a fake clock, and the inequality of docs/consumer.md ("Exclusivity") played out step by step. */
@Timeout(10)
class SelfFenceTest {
    private static final long MS = 1_000_000;
    private final AtomicLong clock = new AtomicLong(1_000 * MS);

    @Test
    void fencedUntilTheFirstBeatIsAcknowledgedAndOnceTheLastOneStartedFenceTimeAgo() {
        SelfFence fence = new SelfFence(2_500 * MS, clock::get);
        assertThat(fence.isFenced()).as("no beat acknowledged yet").isTrue();
        long sent = fence.beatStarting();
        clock.addAndGet(40 * MS); // the write takes 40 ms
        fence.beatAcknowledged(sent);
        assertThat(fence.isFenced()).isFalse();
        assertThat(fence.sinceConfirmedNanos()).isEqualTo(40 * MS);
        clock.addAndGet(2_459 * MS);
        assertThat(fence.isFenced()).as("2499 ms after the beat started").isFalse();
        clock.addAndGet(MS);
        assertThat(fence.isFenced()).as("counted from the start of the write, not its acknowledgement").isTrue();
        // an older beat acknowledged late never moves the confirmed instant back
        long next = fence.beatStarting();
        fence.beatAcknowledged(next);
        fence.beatAcknowledged(sent);
        assertThat(fence.sinceConfirmedNanos()).isZero();
        assertThat(fence.isFenced()).as("rejoins once a beat is acknowledged again").isFalse();
    }

    @Test
    void aHealthyWorkerAtTheDefaultsNeverFencesEvenWithSlowWrites() {
        ConsumerConfig c = ConsumerConfig.builder().applicationName("app").streamName("s")
                .processorFactory(() -> input -> { }).build();
        SelfFence fence = new SelfFence(c.fenceTime().toNanos(), clock::get);
        long beat = c.heartbeatInterval().toNanos();
        for (int i = 0; i < 50; i++) {
            long sent = fence.beatStarting();
            clock.addAndGet(300 * MS); // slow write
            fence.beatAcknowledged(sent);
            clock.addAndGet(beat - 300 * MS + 100 * MS); // the next beat 100 ms late
            assertThat(fence.isFenced()).as("beat %d", i).isFalse();
        }
    }

    /**
     * A worker cut off from DynamoDB, and an observer: the observer declares it dead no earlier than failoverTime after
     * it first saw its last beat (a consistent read after the deadline), and that beat started no later than the
     * worker's last acknowledged one; the worker fences fenceTime after that start. So the worker stops first, by
     * at least failoverTime − fenceTime, whatever the write and read latencies.
     */
    @Test
    void theCutOffWorkerFencesBeforeAnyObserverCanDeclareItDead() {
        ConsumerConfig c = ConsumerConfig.builder().applicationName("app").streamName("s")
                .processorFactory(() -> input -> { }).build();
        long failover = c.failoverTime().toNanos();
        for (long writeLatency : new long[] {1 * MS, 200 * MS, 900 * MS}) {
            for (long readLag : new long[] {0, 500 * MS, 999 * MS}) {
                clock.set(0);
                SelfFence fence = new SelfFence(c.fenceTime().toNanos(), clock::get);
                Liveness observer = new Liveness(failover);
                long sent = fence.beatStarting();               // the last beat that gets through
                long applied = sent + writeLatency / 2;          // DynamoDB applies it ...
                long acked = sent + writeLatency;                // ... and answers
                long firstSeen = applied + readLag;              // the observer's round after that
                observer.observe("w", 7L, firstSeen);
                clock.set(acked);
                fence.beatAcknowledged(sent);
                // From here on every beat of "w" fails. Find when each side acts, on a 1 ms grid.
                long fencedAt = -1;
                long declaredAt = -1;
                for (long t = acked; t < acked + 10 * failover && (fencedAt < 0 || declaredAt < 0); t += MS) {
                    clock.set(t);
                    if (fencedAt < 0 && fence.isFenced()) {
                        fencedAt = t;
                    }
                    if (declaredAt < 0 && observer.suspects(t).contains("w")) {
                        observer.confirm("w", 7L, t); // consistent read: still the same beat
                        if (!observer.isAlive("w", t)) {
                            declaredAt = t;
                        }
                    }
                }
                assertThat(fencedAt).as("latency %d ms, lag %d ms", writeLatency / MS, readLag / MS)
                        .isLessThanOrEqualTo(declaredAt - (failover - c.fenceTime().toNanos()));
            }
        }
        assertThat(c.fenceTime()).isEqualTo(Duration.ofMillis(2_750));
    }
}
