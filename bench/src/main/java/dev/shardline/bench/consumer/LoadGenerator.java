package dev.shardline.bench.consumer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/** Puts benchmark records: data = an 8-byte System.nanoTime() stamp taken just before the put, then padding. */
final class LoadGenerator {
    private final KinesisAsyncClient kinesis;
    private final int recordSize;
    private final SplittableRandom random = new SplittableRandom(7);

    LoadGenerator(KinesisAsyncClient kinesis, int recordSize) {
        this.kinesis = kinesis;
        this.recordSize = Math.max(8, recordSize);
    }

    private List<PutRecordsRequestEntry> batch(int n) {
        return batch(n, 100_000);
    }

    private List<PutRecordsRequestEntry> batch(int n, int keys) {
        List<PutRecordsRequestEntry> entries = new ArrayList<>(n);
        long stamp = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ByteBuffer b = ByteBuffer.allocate(recordSize);
            b.putLong(0, stamp);
            entries.add(PutRecordsRequestEntry.builder().partitionKey("k" + random.nextInt(keys))
                    .data(SdkBytes.fromByteBuffer(b)).build());
        }
        return entries;
    }

    /** Puts {@code total} records as fast as the endpoint takes them (4 calls of 500 in flight); returns how many failed. */
    long fill(String stream, long total) {
        return fill(stream, total, 100_000);
    }

    /** {@link #fill(String, long)} over {@code keys} random partition keys. */
    long fill(String stream, long total, int keys) {
        long failed = 0;
        long sent = 0;
        while (sent < total) {
            List<CompletableFuture<PutRecordsResponse>> inFlight = new ArrayList<>();
            for (int i = 0; i < 4 && sent < total; i++) {
                int n = (int) Math.min(500, total - sent);
                inFlight.add(kinesis.putRecords(r -> r.streamName(stream).records(batch(n, keys))));
                sent += n;
            }
            for (CompletableFuture<PutRecordsResponse> f : inFlight) {
                failed += f.join().failedRecordCount();
            }
        }
        return failed;
    }

    /**
     * {@link #fill(String, long)} against an endpoint that enforces the write limits (1 MiB/s and 1,000 records/s per
     * shard): re-puts the records refused as throttled until all are in or {@code deadline} passes.
     *
     * @return records still not put at the deadline
     */
    long fillThrottled(String stream, long total, java.time.Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        long sent = 0;
        List<software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry> pending = new ArrayList<>();
        while ((sent < total || !pending.isEmpty()) && System.nanoTime() < end) {
            if (pending.size() < 500 && sent < total) {
                int n = (int) Math.min(500 - pending.size(), total - sent);
                pending.addAll(batch(n));
                sent += n;
            }
            List<software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry> batch = pending;
            PutRecordsResponse resp = kinesis.putRecords(r -> r.streamName(stream).records(batch)).join();
            pending = new ArrayList<>();
            for (int i = 0; i < batch.size(); i++) {
                if (resp.records().get(i).errorCode() != null) {
                    pending.add(batch.get(i));
                }
            }
            if (!pending.isEmpty()) {
                Thread.sleep(50); // over the shard's write budget: let it refill
            }
        }
        return total - sent + pending.size();
    }

    /** Puts {@code perSecond} records a second in 20 ms ticks for {@code seconds}. */
    void live(String stream, int perSecond, double seconds) throws InterruptedException {
        long tick = 20_000_000L;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        double perTick = perSecond * (tick / 1e9);
        double owed = 0;
        long next = System.nanoTime();
        while (System.nanoTime() < end) {
            owed += perTick;
            int n = (int) owed;
            owed -= n;
            if (n > 0) {
                kinesis.putRecords(r -> r.streamName(stream).records(batch(n))).join();
            }
            next += tick;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
            }
        }
    }
}
