package dev.shardline.examples.track;

import dev.shardline.examples.trucks.TruckPosition;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Renders the tracker's state as a text table for a terminal. */
public final class FleetTable {
    private FleetTable() {
    }

    /** The summary, the lag of each shard, and the newest position of up to {@code rows} trucks. */
    public static String render(FleetTracker tracker, int rows, long nowMillis) {
        StringBuilder out = new StringBuilder();
        out.append("track: ").append(tracker.summary()).append('\n');
        Map<String, Long> lag = new TreeMap<>(tracker.shardLag());
        out.append("shards:");
        if (lag.isEmpty()) {
            out.append(" (none leased yet)");
        }
        lag.forEach((shard, millis) -> out.append(' ').append(shard).append(" lag=").append(millis).append("ms"));
        out.append('\n');
        out.append(String.format("%-12s %8s %11s %12s %7s %7s %11s %7s%n", "truck", "seq", "lat", "lon", "km/h",
                "heading", "odometer_km", "age_s"));
        List<TruckPosition> latest = tracker.latest();
        for (TruckPosition p : latest.subList(0, Math.min(rows, latest.size()))) {
            out.append(String.format("%-12s %8d %11.6f %12.6f %7.1f %7.1f %11.3f %7.1f%n", p.truckId(), p.seq(),
                    p.lat(), p.lon(), p.speedKmh(), p.headingDeg(), p.odometerKm(),
                    Math.max(0, nowMillis - p.timestampMillis()) / 1000.0));
        }
        if (latest.size() > rows) {
            out.append("... and ").append(latest.size() - rows).append(" more trucks\n");
        }
        return out.toString();
    }
}
