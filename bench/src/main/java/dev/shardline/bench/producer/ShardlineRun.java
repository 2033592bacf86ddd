package dev.shardline.bench.producer;

import dev.shardline.local.LocalClients;
import dev.shardline.producer.KinesisProducer;
import dev.shardline.producer.ProducerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** The Shardline side of the producer benchmark (see {@link ProducerRun}). */
public final class ShardlineRun extends ProducerRun {

    private ShardlineRun(String stream, int records, int recordBytes) {
        super(stream, records, recordBytes);
    }

    public static void main(String[] args) throws Exception {
        new ShardlineRun(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3])).run(URI.create(args[0]),
                Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]),
                Boolean.parseBoolean(args[7]));
        System.exit(0);
    }

    private void run(URI endpoint, int maxOutstanding, int aggMaxBytes, int aggMaxCount, boolean strict)
            throws Exception {
        KinesisAsyncClient client = LocalClients.kinesisBuilder(endpoint)
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
        // the same bound as the KPL's outstanding-records cap, in bytes
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
            awaitAll();
            report("shardline", t0, cpu0, maxBuffered);
        } finally {
            client.close();
        }
    }
}
