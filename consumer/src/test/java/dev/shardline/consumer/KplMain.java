package dev.shardline.consumer;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.services.kinesis.producer.KinesisProducer;
import com.amazonaws.services.kinesis.producer.KinesisProducerConfiguration;
import com.amazonaws.services.kinesis.producer.UserRecordResult;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Puts records with Amazon's KPL (aggregation on) in its own JVM, whose classpath carries the protobuf 3.x the KPL
 * was built against. Arguments: host, TLS port, stream, keys, records per key. Data is "key-K:N" in order per key.
 * Prints "aggregated=N" (user records that shared a Kinesis record) and exits 0 when every record succeeded.
 */
public final class KplMain {
    private KplMain() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String stream = args[2];
        int keys = Integer.parseInt(args[3]);
        int perKey = Integer.parseInt(args[4]);
        KinesisProducerConfiguration config = new KinesisProducerConfiguration()
                .setRegion("us-east-1")
                .setCredentialsProvider(new AWSStaticCredentialsProvider(new BasicAWSCredentials("local", "local")))
                .setKinesisEndpoint(host).setKinesisPort(port)
                .setStsEndpoint(host).setStsPort(port)
                .setCloudwatchEndpoint(host).setCloudwatchPort(port)
                .setVerifyCertificate(false)
                .setMetricsLevel("none")
                .setLogLevel("warning")
                .setAggregationEnabled(true)
                .setRecordMaxBufferedTime(200)
                .setTempDirectory(Files.createTempDirectory("kpl").toString());
        KinesisProducer kpl = new KinesisProducer(config);
        try {
            // Aggregation starts once the KPL's shard map has loaded: a warm-up record first.
            kpl.addUserRecord(stream, "warm-up", ByteBuffer.wrap("warm-up:0".getBytes(StandardCharsets.UTF_8)))
                    .get(60, TimeUnit.SECONDS);
            Thread.sleep(1500);
            List<Future<UserRecordResult>> results = new ArrayList<>();
            for (int n = 0; n < perKey; n++) {
                for (int k = 0; k < keys; k++) {
                    String data = "key-" + k + ":" + n;
                    results.add(kpl.addUserRecord(stream, "key-" + k,
                            ByteBuffer.wrap(data.getBytes(StandardCharsets.UTF_8))));
                }
            }
            kpl.flushSync();
            Set<String> sequenceNumbers = new HashSet<>();
            for (Future<UserRecordResult> f : results) {
                UserRecordResult r = f.get(60, TimeUnit.SECONDS);
                if (!r.isSuccessful()) {
                    System.out.println("failed: " + r.getAttempts());
                    System.exit(1);
                }
                sequenceNumbers.add(r.getSequenceNumber());
            }
            System.out.println("aggregated=" + (results.size() - sequenceNumbers.size()));
        } finally {
            kpl.destroy();
        }
        System.exit(0);
    }
}
