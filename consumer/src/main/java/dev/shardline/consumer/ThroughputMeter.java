package dev.shardline.consumer;

/**
 * Smoothed throughput of one lease: bytes/s and records/s as exponentially weighted moving averages over time, with
 * time constant {@code tauNanos} (a sample's weight is {@code 1 - exp(-elapsed / tau)}, so irregular delivery
 * intervals average correctly). Idle time counts: {@link #bytesPerSecond(long)} decays towards zero when nothing is
 * delivered. Seeded from the value stored on the lease, so a lease that just moved keeps its weight while its new
 * owner measures. Thread-safe; the clock is passed in (monotonic nanoseconds).
 */
final class ThroughputMeter {
    private final long tauNanos;
    private double bytesRate;
    private double recordsRate;
    private long pendingBytes;
    private long pendingRecords;
    private long lastNanos;

    ThroughputMeter(long tauNanos, double initialBytesPerSecond, double initialRecordsPerSecond, long nowNanos) {
        if (tauNanos <= 0) {
            throw new IllegalArgumentException("tau must be > 0, got " + tauNanos);
        }
        this.tauNanos = tauNanos;
        this.bytesRate = Math.max(0, initialBytesPerSecond);
        this.recordsRate = Math.max(0, initialRecordsPerSecond);
        this.lastNanos = nowNanos;
    }

    /** Counts a delivery. */
    synchronized void record(long records, long bytes) {
        pendingRecords += records;
        pendingBytes += bytes;
    }

    private void fold(long nowNanos) {
        long elapsed = nowNanos - lastNanos;
        if (elapsed <= 0) {
            return;
        }
        double seconds = elapsed / 1e9;
        double alpha = 1 - Math.exp(-(double) elapsed / tauNanos);
        bytesRate += alpha * (pendingBytes / seconds - bytesRate);
        recordsRate += alpha * (pendingRecords / seconds - recordsRate);
        pendingBytes = 0;
        pendingRecords = 0;
        lastNanos = nowNanos;
    }

    synchronized double bytesPerSecond(long nowNanos) {
        fold(nowNanos);
        return bytesRate;
    }

    synchronized double recordsPerSecond(long nowNanos) {
        fold(nowNanos);
        return recordsRate;
    }
}
