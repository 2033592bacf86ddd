package dev.shardline.examples.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficRatesTest {
    private static final long SECOND = 1_000_000_000L;

    private static ShardTraffic.Totals t(long records, long bytes) {
        return new ShardTraffic.Totals(records, bytes);
    }

    @Test
    void ratesAreTheGrowthOfEachTotalPerSecondSinceThePreviousSample() {
        TrafficRates rates = new TrafficRates();
        assertThat(rates.next(10 * SECOND, Map.of("s0", t(100, 0)), Map.of("s0", t(90, 9000)))).isEmpty();

        Map<String, TrafficRates.Rates> r = rates.next(12 * SECOND, Map.of("s0", t(300, 0), "s1", t(40, 0)),
                Map.of("s0", t(250, 25000)));
        assertThat(r.get("s0")).isEqualTo(new TrafficRates.Rates(100.0, 80.0, 8000.0));
        assertThat(r.get("s1").recordsIn()).as("a new shard counts from zero").isEqualTo(20.0);
        assertThat(r.get("s1").recordsOut()).as("not processed here: unknown, not zero").isNull();

        assertThat(rates.next(12 * SECOND, Map.of(), Map.of())).as("no time passed").isEmpty();
    }
}
