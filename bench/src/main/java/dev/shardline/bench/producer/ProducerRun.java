package dev.shardline.bench.producer;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One side of the producer benchmark, run in its own JVM so that its CPU and memory are its own: sends the records
 * and prints one {@code RESULT} line for {@link ProducerCommand}. Both sides generate the same keys and data from the
 * same seed.
 *
 * <p>Arguments of the subclasses' main: TLS endpoint, stream, records, record bytes, max outstanding records,
 * aggregation max bytes, aggregation max count, strict ordering (true|false).
 */
abstract class ProducerRun {
    final String stream;
    final int records;
    final int recordBytes;
    final long[] sentAt;
    private final AtomicLongArray latencyNanos;
    private final AtomicLong failed = new AtomicLong();
    final AtomicLong done = new AtomicLong();
    private volatile long lastAckNanos;

    ProducerRun(String stream, int records, int recordBytes) {
        this.stream = stream;
        this.records = records;
        this.recordBytes = recordBytes;
        this.sentAt = new long[records];
        this.latencyNanos = new AtomicLongArray(records);
    }

    static String key(SplittableRandom random) {
        return Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }

    byte[] data(SplittableRandom random, int i) {
        byte[] data = new byte[recordBytes];
        random.nextBytes(data);
        data[0] = (byte) i;
        return data;
    }

    void acked(int i, boolean ok) {
        long now = System.nanoTime();
        latencyNanos.set(i, now - sentAt[i]);
        if (!ok) {
            failed.incrementAndGet();
        }
        lastAckNanos = now;
        done.incrementAndGet();
    }

    void awaitAll() throws InterruptedException {
        while (done.get() < records) {
            Thread.sleep(1);
        }
    }

    void report(String peer, long t0, double cpu0, long maxBuffered) {
        double seconds = (lastAckNanos - t0) / 1e9;
        double cpu = ProcStats.cpuSecondsWithChildren() - cpu0;
        long rss = ProcStats.peakRssWithChildren();
        long[] lat = new long[records];
        for (int i = 0; i < records; i++) {
            lat[i] = latencyNanos.get(i);
        }
        Arrays.sort(lat);
        double p50 = lat[(int) (records * 0.50)] / 1e6;
        double p99 = lat[Math.min(records - 1, (int) (records * 0.99))] / 1e6;
        System.out.printf(Locale.ROOT,
                "RESULT peer=%s records=%d failed=%d seconds=%.3f cpu=%.3f rss=%d p50ms=%.1f p99ms=%.1f maxBuffered=%d%n",
                peer, records, failed.get(), seconds, cpu, rss, p50, p99, maxBuffered);
    }
}
