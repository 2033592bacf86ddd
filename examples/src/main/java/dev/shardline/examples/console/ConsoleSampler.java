package dev.shardline.examples.console;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.shardline.examples.cli.CliErrors;
import dev.shardline.examples.status.ApplicationStatus;
import dev.shardline.examples.status.LeaseStatus;
import dev.shardline.examples.status.StatusJson;
import dev.shardline.examples.status.StatusReader;
import dev.shardline.examples.status.Throughput;
import dev.shardline.examples.status.WorkerStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the application on every {@link #sample()} (the caller's schedule, one read at a time) and keeps what the
 * page shows: the latest status JSON and, per lease, a few minutes of lag and records in/out per second; per worker,
 * its heartbeat age. Browsers only get these copies, so open pages add no load on the application's tables and
 * shards. Thread-safe: one thread samples, HTTP threads read.
 */
final class ConsoleSampler {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleSampler.class);
    private static final JsonNodeFactory NODES = new ObjectMapper().getNodeFactory();

    private final StatusReader reader;
    private final ShardTraffic traffic;
    private final int keep;
    private final Map<String, ArrayDeque<Object[]>> shards = new LinkedHashMap<>();
    private final Map<String, ArrayDeque<Object[]>> heartbeats = new LinkedHashMap<>();
    private final TrafficRates rates = new TrafficRates();
    private volatile String statusJson;
    private volatile String error;

    /**
     * @param traffic what this process measures itself (single-stream: keyed by shard id), or null
     * @param keep    how many points to keep per series
     */
    ConsoleSampler(StatusReader reader, ShardTraffic traffic, int keep) {
        this.reader = reader;
        this.traffic = traffic;
        this.keep = keep;
    }

    /** How many points a history of {@code history} at one point per {@code refresh} needs. */
    static int points(Duration history, Duration refresh) {
        return (int) Math.max(2, history.toMillis() / Math.max(1, refresh.toMillis()));
    }

    /** Reads once and records a point per lease and worker; a failed read is kept as the error the page shows. */
    synchronized void sample() {
        Map<String, TrafficRates.Rates> rates = traffic == null ? Map.of()
                : this.rates.next(System.nanoTime(), traffic.written(), traffic.processed());
        Map<String, Throughput> measured = new HashMap<>();
        rates.forEach((shard, r) -> {
            if (r.recordsOut() != null) {
                measured.put(shard, new Throughput(r.recordsOut(), r.bytesOut()));
            }
        });
        ApplicationStatus status;
        try {
            status = reader.read(measured);
        } catch (RuntimeException e) {
            error = CliErrors.oneLine(e);
            LOG.debug("status read failed", e);
            return;
        }
        error = null;
        statusJson = StatusJson.write(status);
        long t = status.time().toEpochMilli();
        for (LeaseStatus lease : status.leases()) {
            TrafficRates.Rates r = rates.get(lease.leaseKey());
            add(shards, lease.leaseKey(), new Object[] {t, lease.millisBehindLatest(), r == null ? null : r.recordsIn(),
                    round(lease.recordsPerSecond()), round(lease.bytesPerSecond())});
        }
        for (WorkerStatus w : status.workers()) {
            add(heartbeats, w.workerId(), new Object[] {t, w.heartbeatAgeMillis()});
        }
    }

    private void add(Map<String, ArrayDeque<Object[]>> series, String key, Object[] point) {
        ArrayDeque<Object[]> points = series.computeIfAbsent(key, k -> new ArrayDeque<>());
        points.addLast(point);
        while (points.size() > keep) {
            points.removeFirst();
        }
    }

    private static Double round(Double v) {
        return v == null ? null : Math.round(v * 10) / 10.0;
    }

    /** The latest status JSON, or null before the first good read. */
    String statusJson() {
        return statusJson;
    }

    /** Why the last read failed, or null after a good one. */
    String error() {
        return error;
    }

    /**
     * The history: {@code {"shards": {leaseKey: [[timeMillis, lagMillis, recordsInPerSecond, recordsOutPerSecond,
     * bytesOutPerSecond]...]}, "workers": {workerId: [[timeMillis, heartbeatAgeMillis]...]}}}, nulls where unknown.
     */
    synchronized String historyJson() {
        ObjectNode root = NODES.objectNode();
        write(root.putObject("shards"), shards);
        write(root.putObject("workers"), heartbeats);
        return root.toString();
    }

    private static void write(ObjectNode into, Map<String, ArrayDeque<Object[]>> series) {
        series.forEach((key, points) -> {
            ArrayNode array = into.putArray(key);
            for (Object[] point : points) {
                ArrayNode row = array.addArray();
                for (Object v : point) {
                    if (v == null) {
                        row.addNull();
                    } else if (v instanceof Long l) {
                        row.add(l);
                    } else {
                        row.add((Double) v);
                    }
                }
            }
        });
    }
}
