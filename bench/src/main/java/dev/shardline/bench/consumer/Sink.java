package dev.shardline.bench.consumer;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where both contenders' processors report records: counts, the first record's time, the last, and put-to-process
 * latency from an 8-byte System.nanoTime() stamp at the start of each record's data (put and consumed in this JVM).
 */
final class Sink {
    private final AtomicLong count = new AtomicLong();
    private final AtomicLong firstNanos = new AtomicLong();
    private final AtomicLong lastNanos = new AtomicLong();
    private final Set<String> shardsSeen = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, Long> lastByShard = new ConcurrentHashMap<>();
    private long[] latencies = new long[1 << 16];
    private int latencyCount;
    private volatile boolean recordLatency;
    private final ConcurrentHashMap<String, Long> maxGapByShard = new ConcurrentHashMap<>();
    private volatile boolean trackGaps;

    void record(String shardId, ByteBuffer data) {
        long now = System.nanoTime();
        if (count.getAndIncrement() == 0) {
            firstNanos.set(now);
        }
        lastNanos.set(now);
        shardsSeen.add(shardId);
        Long previous = lastByShard.put(shardId, now);
        if (trackGaps && previous != null) {
            maxGapByShard.merge(shardId, now - previous, Math::max);
        }
        if (recordLatency && data.remaining() >= 8) {
            long stamp = data.getLong(data.position());
            synchronized (this) {
                if (latencyCount == latencies.length) {
                    latencies = Arrays.copyOf(latencies, latencies.length * 2);
                }
                latencies[latencyCount++] = now - stamp;
            }
        }
    }

    /** Starts (clearing earlier values) or stops tracking, per shard, the longest time between two records. */
    void gaps(boolean on) {
        if (on) {
            maxGapByShard.clear();
        }
        trackGaps = on;
    }

    /** The longest time between two consecutive records of {@code shardId} while tracking, in ms, or 0. */
    double maxGapMillis(String shardId) {
        return maxGapByShard.getOrDefault(shardId, 0L) / 1e6;
    }

    void latency(boolean on) {
        recordLatency = on;
    }

    long count() {
        return count.get();
    }

    long firstNanos() {
        return firstNanos.get();
    }

    long lastNanos() {
        return lastNanos.get();
    }

    /** When a record of {@code shardId} was last processed (System.nanoTime()), or Long.MIN_VALUE. */
    long lastSeen(String shardId) {
        return lastByShard.getOrDefault(shardId, Long.MIN_VALUE);
    }

    Set<String> shardsSeen() {
        return shardsSeen;
    }

    /** The p-th percentile (0..100) of recorded latencies in milliseconds, or NaN when none. */
    synchronized double percentileMillis(double p) {
        if (latencyCount == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(sorted);
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100.0 * sorted.length) - 1));
        return sorted[i] / 1e6;
    }

    synchronized int latencySamples() {
        return latencyCount;
    }
}
