package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.services.kinesis.producer.KinesisProducer;
import com.amazonaws.services.kinesis.producer.KinesisProducerConfiguration;
import com.amazonaws.services.kinesis.producer.UserRecordResult;
import com.amazonaws.services.kinesis.producer.protobuf.Messages;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Amazon's KPL 0.15.12 (its native daemon, over the TLS port with verification off, STS at the same port) puts
 * records that read back intact. Surefire passes AWS_EC2_METADATA_DISABLED=true, which the daemon inherits.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class KplInteropTest {
    @Test
    void kplRecordsReadBackIntact() throws Exception {
        assertThat(System.getenv("AWS_EC2_METADATA_DISABLED")).isEqualTo("true");
        try (LocalKinesis kinesis = LocalKinesis.builder().build().start()) {
            kinesis.createStream("kpl", 2);
            KinesisProducerConfiguration config = new KinesisProducerConfiguration()
                    .setRegion("us-east-1")
                    .setCredentialsProvider(new AWSStaticCredentialsProvider(new BasicAWSCredentials("local", "local")))
                    .setKinesisEndpoint("127.0.0.1").setKinesisPort(kinesis.tlsPort())
                    .setStsEndpoint("127.0.0.1").setStsPort(kinesis.tlsPort())
                    .setVerifyCertificate(false)
                    .setMetricsLevel("none")
                    .setLogLevel(System.getProperty("kpl.logLevel", "warning"))
                    .setRecordMaxBufferedTime(100)
                    .setAggregationEnabled(true);
            KinesisProducer producer = new KinesisProducer(config);
            Map<String, String> sent = new HashMap<>();
            List<Future<UserRecordResult>> results = new ArrayList<>();
            try {
                for (int i = 0; i < 500; i++) {
                    String key = "pk-" + i;
                    String value = "value-" + i + "-" + "x".repeat(i % 50);
                    sent.put(key, value);
                    results.add(producer.addUserRecord("kpl", key,
                            ByteBuffer.wrap(value.getBytes(StandardCharsets.UTF_8))));
                }
                producer.flush();
                for (Future<UserRecordResult> result : results) {
                    assertThat(result.get(60, TimeUnit.SECONDS).isSuccessful()).isTrue();
                }
            } finally {
                producer.destroy();
            }
            Map<String, String> received = new HashMap<>();
            try (KinesisAsyncClient client = LocalClients.kinesis(kinesis.endpoint())) {
                for (Shard shard : client.listShards(b -> b.streamName("kpl")).get().shards()) {
                    String iterator = client.getShardIterator(b -> b.streamName("kpl").shardId(shard.shardId())
                            .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).get().shardIterator();
                    List<Record> records = client.getRecords(b -> b.shardIterator(iterator)).get().records();
                    for (Record r : records) {
                        deaggregate(r, received);
                    }
                }
            }
            assertThat(received).isEqualTo(sent);
        }
    }

    /** The KPL aggregate format: magic, protobuf AggregatedRecord (the KPL's own class), MD5 of the protobuf. */
    private static void deaggregate(Record record, Map<String, String> out) throws Exception {
        byte[] data = record.data().asByteArray();
        byte[] magic = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};
        if (data.length < 20 || !java.util.Arrays.equals(data, 0, 4, magic, 0, 4)) {
            out.put(record.partitionKey(), new String(data, StandardCharsets.UTF_8));
            return;
        }
        byte[] body = java.util.Arrays.copyOfRange(data, 4, data.length - 16);
        byte[] md5 = java.security.MessageDigest.getInstance("MD5").digest(body);
        assertThat(java.util.Arrays.copyOfRange(data, data.length - 16, data.length)).isEqualTo(md5);
        Messages.AggregatedRecord aggregate = Messages.AggregatedRecord.parseFrom(body);
        for (Messages.Record user : aggregate.getRecordsList()) {
            out.put(aggregate.getPartitionKeyTable((int) user.getPartitionKeyIndex()),
                    user.getData().toStringUtf8());
        }
    }
}
