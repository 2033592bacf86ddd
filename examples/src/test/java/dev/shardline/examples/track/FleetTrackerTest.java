package dev.shardline.examples.track;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.examples.trucks.Fleet;
import dev.shardline.examples.trucks.TruckPosition;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FleetTrackerTest {
    private static UserRecord record(byte[] data) {
        return UserRecord.kinesisRecord("1", "k", data, Instant.EPOCH);
    }

    @Test
    void keepsTheNewestPositionAndChecksOrderPerRun() {
        List<TruckPosition> heard = new ArrayList<>();
        FleetTracker tracker = new FleetTracker((p, t) -> heard.add(p));
        Fleet fleet = new Fleet(3, "run1", 1);
        List<TruckPosition> first = fleet.tick(3, 1000);
        List<TruckPosition> second = fleet.tick(3, 4000);
        for (TruckPosition p : second) {
            tracker.accept("s0", record(p.toJson()));
        }
        tracker.accept("s0", record(first.get(0).toJson())); // late: out of order, does not replace the newest
        tracker.accept("s0", record(second.get(1).toJson())); // again: a duplicate
        tracker.accept("s0", record("not json".getBytes(StandardCharsets.UTF_8)));
        // A second run restarts its numbers at 1: not a reordering.
        tracker.accept("s1", record(new Fleet(1, "run2", 5).tick(3, 9000).get(0).toJson()));

        assertThat(tracker.records()).isEqualTo(7);
        assertThat(tracker.unreadable()).isEqualTo(1);
        assertThat(tracker.order().outOfOrder()).isEqualTo(1);
        assertThat(tracker.order().duplicates()).isEqualTo(1);
        assertThat(tracker.trucks()).isEqualTo(3);
        assertThat(tracker.latest().get(1)).isEqualTo(second.get(1));
        assertThat(tracker.latest().get(0).run()).isEqualTo("run2");
        assertThat(heard).hasSize(6);

        tracker.lag("s0", 1500);
        tracker.lag("s1", 20);
        assertThat(tracker.maxLag()).isEqualTo(1500);
        tracker.shardClosed("s0");
        assertThat(tracker.maxLag()).isEqualTo(20);

        String table = FleetTable.render(tracker, 2, 10_000);
        assertThat(table).contains("out_of_order=1").contains("duplicates=1").contains("s1 lag=20ms")
                .contains("truck-0001").contains("truck-0002").doesNotContain("truck-0003")
                .contains("... and 1 more trucks");
    }
}
