package dev.shardline.examples.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DeliveryLedgerTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    @Test
    void countsEveryOutcome() {
        DeliveryLedger ledger = new DeliveryLedger();
        for (long seq = 1; seq <= 4; seq++) {
            ledger.sent("t1", seq, seq * 100 * MS);
        }
        ledger.acknowledged("t1", 1);
        ledger.acknowledged("t1", 2);
        ledger.acknowledged("t1", 3);
        ledger.failed("t1", 4, new IllegalStateException("throttled past the TTL"));
        ledger.received("t1", 1, 110 * MS);  // 10 ms
        ledger.received("t1", 3, 330 * MS);  // 30 ms, a gap
        ledger.received("t1", 3, 400 * MS);  // duplicate: neither received again nor timed
        assertThat(ledger.lost()).isEqualTo(1); // 2 acknowledged, not received
        assertThat(ledger.success()).isFalse();
        ledger.received("t1", 2, 220 * MS);  // 20 ms, late: out of order
        assertThat(ledger.lost()).isZero();

        assertThat(ledger.summaryLine()).isEqualTo("summary: sent=4 acknowledged=3 received=3 lost=0 duplicates=1"
                + " out_of_order=1 p50_ms=20 p99_ms=30");
        assertThat(ledger.tally().failed()).isEqualTo(1);
        assertThat(ledger.tally().firstFailure()).isEqualTo("throttled past the TTL");
        assertThat(ledger.success()).isFalse();
    }

    @Test
    void successWhenEverythingArrivesInOrder() {
        DeliveryLedger ledger = new DeliveryLedger();
        for (String truck : new String[] {"a", "b"}) {
            for (long seq = 1; seq <= 50; seq++) {
                ledger.sent(truck, seq, 0);
                ledger.acknowledged(truck, seq);
            }
        }
        for (long seq = 1; seq <= 50; seq++) {
            ledger.received("b", seq, seq * MS);
            ledger.received("a", seq, seq * MS);
        }
        assertThat(ledger.success()).isTrue();
        // Latencies 1..50 ms, twice: half are at most 25 ms, 99% at most 50 ms.
        assertThat(ledger.summaryLine()).isEqualTo("summary: sent=100 acknowledged=100 received=100 lost=0"
                + " duplicates=0 out_of_order=0 p50_ms=25 p99_ms=50");
    }

    @Test
    void percentilesAreNearestRank() {
        Percentiles p = new Percentiles();
        assertThat(p.percentile(50)).isZero();
        for (int i = 2000; i >= 1; i--) {
            p.record(i);
        }
        assertThat(p.count()).isEqualTo(2000);
        assertThat(p.percentile(50)).isEqualTo(1000);
        assertThat(p.percentile(99)).isEqualTo(1980);
        assertThat(p.percentile(100)).isEqualTo(2000);
        assertThatThrownBy(() -> p.record(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> p.percentile(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
