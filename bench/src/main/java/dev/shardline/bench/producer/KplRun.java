package dev.shardline.bench.producer;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.services.kinesis.producer.KinesisProducer;
import com.amazonaws.services.kinesis.producer.KinesisProducerConfiguration;
import com.amazonaws.services.kinesis.producer.UserRecordResult;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The Amazon KPL side of the producer benchmark (see {@link ProducerRun}). Runs with KPL's own protobuf-java 3.25.5
 * first on the class path: KPL 0.15.12's generated classes do not link against protobuf 4.
 */
public final class KplRun extends ProducerRun {

    private KplRun(String stream, int records, int recordBytes) {
        super(stream, records, recordBytes);
    }

    public static void main(String[] args) throws Exception {
        new KplRun(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3])).run(URI.create(args[0]),
                Integer.parseInt(args[4]), Integer.parseInt(args[5]), Integer.parseInt(args[6]));
        System.exit(0);
    }

    /**
     * What the KPL needs for the local endpoint, and nothing else changed: region, static credentials, Kinesis, STS
     * and CloudWatch at the endpoint, certificate check off, metrics off, warnings only, no client-side rate limit
     * ({@code RateLimit} 10000%, as Shardline's {@code rateLimitEnabled(false)}), a temporary directory.
     */
    static KinesisProducerConfiguration localConfiguration(URI endpoint) throws java.io.IOException {
        return new KinesisProducerConfiguration()
                .setRegion("us-east-1")
                .setCredentialsProvider(new AWSStaticCredentialsProvider(new BasicAWSCredentials("local", "local")))
                .setKinesisEndpoint(endpoint.getHost()).setKinesisPort(endpoint.getPort())
                .setStsEndpoint(endpoint.getHost()).setStsPort(endpoint.getPort())
                .setCloudwatchEndpoint(endpoint.getHost()).setCloudwatchPort(endpoint.getPort())
                .setVerifyCertificate(false)
                .setMetricsLevel("none")
                .setLogLevel("warning")
                .setRateLimit(10_000)
                .setTempDirectory(Files.createTempDirectory("shardline-bench-kpl").toString());
    }

    private void run(URI endpoint, int maxOutstanding, int aggMaxBytes, int aggMaxCount) throws Exception {
        if (!"true".equals(System.getenv("AWS_EC2_METADATA_DISABLED"))) {
            throw new IllegalStateException("refusing to start the KPL without AWS_EC2_METADATA_DISABLED=true");
        }
        KinesisProducerConfiguration config = localConfiguration(endpoint)
                .setAggregationEnabled(true)
                .setAggregationMaxSize(aggMaxBytes)
                .setAggregationMaxCount(aggMaxCount)
                .setRecordMaxBufferedTime(100)
                .setRecordTtl(600_000)
                .setRequestTimeout(10_000);
        KinesisProducer kpl = new KinesisProducer(config);
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
            awaitAll();
            report("kpl", t0, cpu0, 0);
        } finally {
            kpl.destroy();
        }
    }
}
