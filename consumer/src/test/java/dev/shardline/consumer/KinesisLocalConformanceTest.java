package dev.shardline.consumer;

import dev.shardline.local.KinesisMockPeer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalDynamoDb;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/** The polling consumer against the independent npm kinesis-local emulator: 2,000 records, in order per shard. */
@Timeout(120)
class KinesisLocalConformanceTest {

    @Test
    void readsTwoThousandRecordsInOrderPerShard() throws Exception {
        try (KinesisMockPeer emulator = KinesisMockPeer.start();
             LocalDynamoDb dynamo = new LocalDynamoDb().start();
             KinesisAsyncClient kinesis = LocalClients.kinesis(emulator.endpoint());
             DynamoDbAsyncClient dynamoClient = LocalClients.dynamoDb(dynamo.endpoint())) {
            String stream = "conformance";
            kinesis.createStream(b -> b.streamName(stream).shardCount(2)).join();
            Cluster.await("stream ACTIVE", Duration.ofSeconds(30), () -> "ACTIVE".equals(kinesis
                    .describeStreamSummary(b -> b.streamName(stream)).join().streamDescriptionSummary()
                    .streamStatusAsString()));
            // Sequence numbers as put, per shard, in put order.
            Map<String, List<String>> put = new HashMap<>();
            for (int batch = 0; batch < 4; batch++) {
                List<PutRecordsRequestEntry> entries = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    int n = batch * 500 + i;
                    entries.add(PutRecordsRequestEntry.builder().partitionKey("k" + (n % 37))
                            .data(SdkBytes.fromUtf8String("r" + n)).build());
                }
                PutRecordsResponse r = kinesis.putRecords(b -> b.streamName(stream).records(entries)).join();
                assertThat(r.failedRecordCount()).isZero();
                r.records().forEach(e -> put.computeIfAbsent(e.shardId(), k -> new ArrayList<>())
                        .add(e.sequenceNumber()));
            }
            Recorder recorder = new Recorder();
            ConsumerConfig config = ConsumerConfig.builder()
                    .applicationName("conformance-app")
                    .streamName(stream)
                    .workerId("w1")
                    .processorFactory(recorder.factory("w1"))
                    .initialPosition(InitialPosition.trimHorizon())
                    .failoverTime(Duration.ofSeconds(1))
                    .leaseInterval(Duration.ofMillis(200))
                    .idleTimeBetweenReads(Duration.ofMillis(100))
                    .meterRegistry(new SimpleMeterRegistry())
                    .kinesisClient(kinesis)
                    .dynamoDbClient(dynamoClient)
                    .build();
            try (KinesisConsumer consumer = new KinesisConsumer(config)) {
                consumer.start();
                Cluster.await("2,000 records", Duration.ofSeconds(60), () -> recorder.count() >= 2000);
            }
            assertThat(recorder.count()).isEqualTo(2000);
            Map<String, List<String>> got = new HashMap<>();
            recorder.seen.forEach(s -> got.computeIfAbsent(s.shardId(), k -> new ArrayList<>()).add(s.sequenceNumber()));
            assertThat(got.keySet()).isEqualTo(put.keySet());
            got.forEach((shard, seqs) -> {
                assertThat(seqs).as("shard %s in put order", shard).isEqualTo(put.get(shard));
                for (int i = 1; i < seqs.size(); i++) {
                    assertThat(new BigInteger(seqs.get(i))).isGreaterThan(new BigInteger(seqs.get(i - 1)));
                }
            });
        }
    }
}
