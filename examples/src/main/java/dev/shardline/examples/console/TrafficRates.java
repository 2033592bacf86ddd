package dev.shardline.examples.console;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Turns running totals per shard into per-second rates between two samples. Pure (the caller gives the time), not
 * thread-safe: the console's sampler thread owns it.
 */
final class TrafficRates {
    private static final ShardTraffic.Totals NONE = new ShardTraffic.Totals(0, 0);

    /** Per-second rates of one shard since the previous sample; null when not measured. */
    record Rates(Double recordsIn, Double recordsOut, Double bytesOut) {
    }

    private Map<String, ShardTraffic.Totals> lastWritten = Map.of();
    private Map<String, ShardTraffic.Totals> lastProcessed = Map.of();
    private long lastNanos;
    private boolean first = true;

    /** Rates since the previous call (none on the first call: there is nothing to compare with). */
    Map<String, Rates> next(long nowNanos, Map<String, ShardTraffic.Totals> written,
            Map<String, ShardTraffic.Totals> processed) {
        Map<String, Rates> rates = new HashMap<>();
        double seconds = (nowNanos - lastNanos) / 1e9;
        if (!first && seconds > 0) {
            Set<String> shards = new HashSet<>(written.keySet());
            shards.addAll(processed.keySet());
            for (String shard : shards) {
                ShardTraffic.Totals in = written.get(shard);
                ShardTraffic.Totals out = processed.get(shard);
                ShardTraffic.Totals outBefore = lastProcessed.getOrDefault(shard, NONE);
                rates.put(shard, new Rates(
                        in == null ? null : (in.records() - lastWritten.getOrDefault(shard, NONE).records()) / seconds,
                        out == null ? null : (out.records() - outBefore.records()) / seconds,
                        out == null ? null : (out.bytes() - outBefore.bytes()) / seconds));
            }
        }
        lastWritten = Map.copyOf(written);
        lastProcessed = Map.copyOf(processed);
        lastNanos = nowNanos;
        first = false;
        return rates;
    }
}
