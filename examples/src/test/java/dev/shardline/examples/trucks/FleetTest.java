package dev.shardline.examples.trucks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class FleetTest {
    @Test
    void everyTruckReportsOncePerTickWithConsecutiveSequenceNumbers() {
        Fleet fleet = new Fleet(5, "r1", 42);
        for (int tick = 1; tick <= 4; tick++) {
            List<TruckPosition> positions = fleet.tick(3, 1000L * tick);
            assertThat(positions).hasSize(5);
            for (int i = 0; i < 5; i++) {
                assertThat(positions.get(i).truckId()).isEqualTo(Fleet.truckId(i));
                assertThat(positions.get(i).seq()).isEqualTo(tick);
                assertThat(positions.get(i).run()).isEqualTo("r1");
                assertThat(positions.get(i).timestampMillis()).isEqualTo(1000L * tick);
            }
        }
    }

    @Test
    void movementIsPlausible() {
        Fleet fleet = new Fleet(20, "r", 7);
        List<TruckPosition> previous = fleet.tick(3, 0);
        for (int tick = 0; tick < 400; tick++) {
            List<TruckPosition> now = fleet.tick(3, 0);
            for (int i = 0; i < now.size(); i++) {
                TruckPosition a = previous.get(i);
                TruckPosition b = now.get(i);
                double moved = Fleet.distanceKm(a.lat(), a.lon(), b.lat(), b.lon());
                // 3 s at no more than 90 km/h is at most 75 m (plus rounding of the coordinates).
                assertThat(moved).isLessThanOrEqualTo(0.0751);
                assertThat(b.odometerKm()).isGreaterThanOrEqualTo(a.odometerKm());
                assertThat(b.odometerKm() - a.odometerKm()).isGreaterThanOrEqualTo(moved - 0.002); // rounding
                assertThat(b.speedKmh()).isBetween(0.0, 90.0);
                assertThat(b.headingDeg()).isGreaterThanOrEqualTo(0.0).isLessThan(360.0);
                assertThat(Fleet.distanceKm(Fleet.CENTRE_LAT, Fleet.CENTRE_LON, b.lat(), b.lon())).isLessThan(25);
            }
            previous = now;
        }
        // Twenty minutes of driving: every truck has covered real ground.
        assertThat(previous).allSatisfy(p -> assertThat(p.odometerKm()).isGreaterThan(1));
    }

    @Test
    void sameSeedSameDrive() {
        assertThat(new Fleet(3, "r", 9).tick(60, 5)).isEqualTo(new Fleet(3, "r", 9).tick(60, 5));
        assertThat(new Fleet(3, "r", 9).tick(60, 5)).isNotEqualTo(new Fleet(3, "r", 10).tick(60, 5));
    }

    @Test
    void geometry() {
        // One degree of latitude is about 111.2 km; due east is 90 degrees.
        assertThat(Fleet.distanceKm(47, -122, 48, -122)).isCloseTo(111.19, within(0.05));
        assertThat(Fleet.bearingDeg(0, 0, 0, 1)).isCloseTo(90, within(1e-9));
        assertThat(Fleet.bearingDeg(0, 0, -1, 0)).isCloseTo(180, within(1e-9));
    }

    @Test
    void rejectsAnEmptyFleet() {
        assertThatThrownBy(() -> new Fleet(0, "r", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("trucks");
    }

    @Test
    void jsonRoundTrip() {
        TruckPosition p = new Fleet(1, "run-x", 3).tick(10, 1234).get(0);
        String json = new String(p.toJson(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(json).startsWith("{").contains("\"truckId\":\"truck-0001\"").contains("\"seq\":1")
                .doesNotContain("\n");
        assertThat(TruckPosition.parse(p.toJson())).isEqualTo(p);
        assertThatThrownBy(() -> TruckPosition.parse("hello".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a truck position");
        assertThatThrownBy(() -> TruckPosition.parse("{\"seq\":1}".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
