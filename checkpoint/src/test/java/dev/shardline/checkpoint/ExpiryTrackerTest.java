package dev.shardline.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ExpiryTrackerTest {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final ExpiryTracker tracker = new ExpiryTracker(Duration.ofSeconds(3), nanos::get);

    private void advance(long millis) {
        nanos.addAndGet(Duration.ofMillis(millis).toNanos());
    }

    @Test
    void expiresOnlyAfterTheCounterStaysUnchangedForTheFailoverTime() {
        assertThat(tracker.isExpired("w1")).as("never observed").isFalse();
        tracker.observe("w1", 5);
        advance(2999);
        tracker.observe("w1", 5);
        assertThat(tracker.isExpired("w1")).isFalse();
        advance(1);
        assertThat(tracker.isExpired("w1")).isTrue();
        tracker.observe("w1", 6); // it moved: the timer restarts
        assertThat(tracker.isExpired("w1")).isFalse();
        assertThat(tracker.sinceChange("w1")).isEqualTo(Duration.ZERO);
        advance(3000);
        assertThat(tracker.isExpired("w1")).isTrue();
    }

    @Test
    void aCounterGoingAnywhereElseAlsoCountsAsChange() {
        tracker.observe("lease", 10);
        advance(3500);
        tracker.observe("lease", 1); // item deleted and recreated
        assertThat(tracker.isExpired("lease")).isFalse();
    }

    @Test
    void forgetsKeys() {
        tracker.observe("a", 1);
        tracker.observe("b", 1);
        advance(4000);
        tracker.retainOnly(List.of("b"));
        assertThat(tracker.isExpired("a")).isFalse();
        assertThat(tracker.sinceChange("a")).isNull();
        assertThat(tracker.isExpired("b")).isTrue();
        tracker.forget("b");
        assertThat(tracker.isExpired("b")).isFalse();
    }

    @Test
    void rejectsNonPositiveFailover() {
        assertThatThrownBy(() -> new ExpiryTracker(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("failoverTime");
    }
}
