package dev.shardline.bench.producer;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.services.kinesis.producer.KinesisProducerConfiguration;
import com.amazonaws.services.kinesis.producer.UserRecordResult;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.shardline.local.LocalClients;
import dev.shardline.producer.KinesisProducer;
import dev.shardline.producer.ProducerConfig;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * One side of the producer benchmark, run in its own JVM so that its CPU and memory are its own: sends the records
 * through Shardline's producer or Amazon's KPL and prints one {@code RESULT} line for {@link ProducerCommand}.
 *
 * <p>Arguments: peer (shardline|kpl), TLS endpoint, stream, records, record bytes, max outstanding records,
 * aggregation max bytes, aggregation max count, strict ordering (true|false).
 */
public final class ProducerRun {
    private final String stream;
    private final int records;
    private final int recordBytes;
    private final long[] sentAt;
    private final AtomicLongArray latencyNanos;
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private volatile long lastAckNanos;

    private ProducerRun(String stream, int records, int recordBytes) {
        this.stream = stream;
        this.records = records;
        this.recordBytes = recordBytes;
        this.sentAt = new long[records];
        this.latencyNanos = new AtomicLongArray(records);
    }

    public static void main(String[] args) throws Exception {
        String peer = args[0];
        URI endpoint = URI.create(args[1]);
        ProducerRun run = new ProducerRun(args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        int maxOutstanding = Integer.parseInt(args[5]);
        int aggMaxBytes = Integer.parseInt(args[6]);
        int aggMaxCount = Integer.parseInt(args[7]);
        boolean strict = Boolean.parseBoolean(args[8]);
        if ("kpl".equals(peer)) {
            run.kpl(endpoint, maxOutstanding, aggMaxBytes, aggMaxCount);
        } else {
            run.shardline(endpoint, maxOutstanding, aggMaxBytes, aggMaxCount, strict);
        }
        System.exit(0);
    }

    private String key(SplittableRandom random) {
        return Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }

    private byte[] data(SplittableRandom random, int i) {
        byte[] data = new byte[recordBytes];
        random.nextBytes(data);
        data[0] = (byte) i;
        return data;
    }

    private void acked(int i, boolean ok) {
        long now = System.nanoTime();
        latencyNanos.set(i, now - sentAt[i]);
        if (!ok) {
            failed.incrementAndGet();
        }
        lastAckNanos = now;
        done.incrementAndGet();
    }

    private void shardline(URI endpoint, int maxOutstanding, int aggMaxBytes, int aggMaxCount, boolean strict)
            throws Exception {
        KinesisAsyncClient client = LocalClients.kinesisBuilder(endpoint)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        long maxBuffered = Math.max(1024L * 1024, (long) maxOutstanding * (recordBytes + 32));
        ProducerConfig config = ProducerConfig.builder().client(client).rateLimitEnabled(false)
                .aggregationMaxBytes(aggMaxBytes).aggregationMaxCount(aggMaxCount).strictOrdering(strict)
                .maxBufferedBytes(maxBuffered).recordTtl(Duration.ofMinutes(10)).build();
        try (KinesisProducer producer = new KinesisProducer(config)) {
            producer.send(stream, "warm-up", new byte[] {1}).get(60, TimeUnit.SECONDS);
            SplittableRandom random = new SplittableRandom(42);
            double cpu0 = ProcStats.cpuSecondsWithChildren();
            long t0 = System.nanoTime();
            for (int i = 0; i < records; i++) {
                String key = key(random);
                byte[] data = data(random, i);
                int index = i;
                sentAt[i] = System.nanoTime();
                producer.send(stream, key, data).whenComplete((r, e) -> acked(index, e == null));
            }
            producer.flush().get(10, TimeUnit.MINUTES);
            while (done.get() < records) {
                Thread.sleep(1);
            }
            report("shardline", t0, cpu0, maxBuffered);
        } finally {
            client.close();
        }
    }

    private void kpl(URI endpoint, int maxOutstanding, int aggMaxBytes, int aggMaxCount) throws Exception {
        if (!"true".equals(System.getenv("AWS_EC2_METADATA_DISABLED"))) {
            throw new IllegalStateException("refusing to start the KPL without AWS_EC2_METADATA_DISABLED=true");
        }
        Path temp = Files.createTempDirectory("shardline-bench-kpl");
        KinesisProducerConfiguration config = new KinesisProducerConfiguration()
                .setRegion("us-east-1")
                .setCredentialsProvider(new AWSStaticCredentialsProvider(new BasicAWSCredentials("local", "local")))
                .setKinesisEndpoint(endpoint.getHost()).setKinesisPort(endpoint.getPort())
                .setStsEndpoint(endpoint.getHost()).setStsPort(endpoint.getPort())
                .setCloudwatchEndpoint(endpoint.getHost()).setCloudwatchPort(endpoint.getPort())
                .setVerifyCertificate(false)
                .setMetricsLevel("none")
                .setLogLevel("warning")
                .setAggregationEnabled(true)
                .setAggregationMaxSize(aggMaxBytes)
                .setAggregationMaxCount(aggMaxCount)
                .setRecordMaxBufferedTime(100)
                .setRateLimit(10_000)
                .setRecordTtl(600_000)
                .setRequestTimeout(10_000)
                .setTempDirectory(temp.toString());
        com.amazonaws.services.kinesis.producer.KinesisProducer kpl =
                new com.amazonaws.services.kinesis.producer.KinesisProducer(config);
        try {
            // aggregation starts once the KPL's shard map has loaded
            kpl.addUserRecord(stream, "warm-up", ByteBuffer.wrap(new byte[] {1})).get(60, TimeUnit.SECONDS);
            Thread.sleep(1500);
            SplittableRandom random = new SplittableRandom(42);
            double cpu0 = ProcStats.cpuSecondsWithChildren();
            long t0 = System.nanoTime();
            for (int i = 0; i < records; i++) {
                // each completion scans KPL's in-flight list: cap what is outstanding
                while (kpl.getOutstandingRecordsCount() > maxOutstanding) {
                    Thread.sleep(1);
                }
                String key = key(random);
                byte[] data = data(random, i);
                int index = i;
                sentAt[i] = System.nanoTime();
                ListenableFuture<UserRecordResult> f = kpl.addUserRecord(stream, key, ByteBuffer.wrap(data));
                Futures.addCallback(f, new FutureCallback<>() {
                    @Override
                    public void onSuccess(UserRecordResult result) {
                        acked(index, result.isSuccessful());
                    }

                    @Override
                    public void onFailure(Throwable t) {
                        acked(index, false);
                    }
                }, MoreExecutors.directExecutor());
            }
            kpl.flush();
            while (done.get() < records) {
                Thread.sleep(1);
            }
            report("kpl", t0, cpu0, 0);
        } finally {
            kpl.destroy();
        }
    }

    private void report(String peer, long t0, double cpu0, long maxBuffered) {
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
        System.out.printf(java.util.Locale.ROOT,
                "RESULT peer=%s records=%d failed=%d seconds=%.3f cpu=%.3f rss=%d p50ms=%.1f p99ms=%.1f maxBuffered=%d%n",
                peer, records, failed.get(), seconds, cpu, rss, p50, p99, maxBuffered);
    }
}
