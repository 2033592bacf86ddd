package dev.shardline.examples.demo;

import java.util.Arrays;

/** Collects latency samples (milliseconds) and reports nearest-rank percentiles. Thread-safe. */
public final class Percentiles {
    private long[] samples = new long[1024];
    private int count;

    public synchronized void record(long millis) {
        if (millis < 0) {
            throw new IllegalArgumentException("a latency cannot be negative: " + millis);
        }
        if (count == samples.length) {
            samples = Arrays.copyOf(samples, count * 2);
        }
        samples[count++] = millis;
    }

    public synchronized int count() {
        return count;
    }

    /**
     * The nearest-rank percentile: the smallest sample such that at least {@code percent}% of the samples are
     * at or below it; 0 when there are no samples.
     */
    public synchronized long percentile(double percent) {
        if (percent <= 0 || percent > 100) {
            throw new IllegalArgumentException("percent must be in (0, 100], was " + percent);
        }
        if (count == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percent / 100.0 * count);
        return sorted[Math.max(0, rank - 1)];
    }
}
