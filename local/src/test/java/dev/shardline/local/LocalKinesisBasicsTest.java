package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/** The first-milestone operations through the real SDK: async (HTTP/1.1, h2c, TLS h2) and sync, CBOR. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalKinesisBasicsTest {
    static LocalKinesis kinesis;

    @BeforeAll
    static void start() {
        kinesis = LocalKinesis.builder().build().start();
    }

    @AfterAll
    static void stop() {
        kinesis.close();
    }

    @Test
    void startsOnLoopbackWithFreePorts() {
        assertThat(kinesis.endpoint().getHost()).isEqualTo("127.0.0.1");
        assertThat(kinesis.tlsEndpoint().getScheme()).isEqualTo("https");
        assertThat(kinesis.port()).isPositive().isNotEqualTo(kinesis.tlsPort());
    }

    @Test
    void asyncHttp1RoundTrip() throws Exception {
        try (KinesisAsyncClient client = SdkClients.async(kinesis.endpoint(), false)) {
            roundTrip(client, "async-http1");
        }
    }

    @Test
    void asyncH2cRoundTrip() throws Exception {
        long before = kinesis.http2Connections();
        try (KinesisAsyncClient client = SdkClients.async(kinesis.endpoint(), true)) {
            roundTrip(client, "async-h2c");
        }
        assertThat(kinesis.http2Connections()).isGreaterThan(before);
    }

    @Test
    void asyncTlsH2RoundTrip() throws Exception {
        try (KinesisAsyncClient client = LocalClients.kinesis(kinesis.tlsEndpoint())) {
            roundTrip(client, "async-tls");
        }
    }

    private void roundTrip(KinesisAsyncClient client, String stream) throws Exception {
        client.createStream(b -> b.streamName(stream).shardCount(3)).get();
        var description = client.describeStream(b -> b.streamName(stream)).get().streamDescription();
        assertThat(description.streamStatus()).isEqualTo(StreamStatus.ACTIVE);
        assertThat(description.streamARN()).isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/" + stream);
        assertThat(description.shards()).extracting(Shard::shardId)
                .containsExactly("shardId-000000000000", "shardId-000000000001", "shardId-000000000002");
        assertThat(description.shards().get(0).hashKeyRange().endingHashKey())
                .isEqualTo("113427455640312821154458202477256070484");
        assertThat(description.shards().get(2).hashKeyRange().endingHashKey())
                .isEqualTo("340282366920938463463374607431768211455");
        assertThat(description.streamCreationTimestamp()).isBetween(Instant.now().minusSeconds(10), Instant.now());

        PutRecordResponse one = client.putRecord(b -> b.streamName(stream).partitionKey("k1")
                .data(SdkBytes.fromString("first", StandardCharsets.UTF_8))).get();
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            entries.add(PutRecordsRequestEntry.builder().partitionKey("k" + i)
                    .data(SdkBytes.fromByteArray(new byte[] {(byte) i, 0, (byte) 255})).build());
        }
        PutRecordsResponse many = client.putRecords(b -> b.streamName(stream).records(entries)).get();
        assertThat(many.failedRecordCount()).isZero();
        assertThat(many.records()).hasSize(30).allSatisfy(r -> assertThat(r.sequenceNumber()).hasSize(56));

        int total = 0;
        for (Shard shard : description.shards()) {
            String iterator = client.getShardIterator(b -> b.streamName(stream).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).get().shardIterator();
            GetRecordsResponse records = client.getRecords(b -> b.shardIterator(iterator)).get();
            total += records.records().size();
            for (var record : records.records()) {
                assertThat(record.approximateArrivalTimestamp()).isBetween(Instant.now().minusSeconds(10),
                        Instant.now().plusSeconds(1));
                if (record.sequenceNumber().equals(one.sequenceNumber())) {
                    assertThat(record.data().asUtf8String()).isEqualTo("first");
                    assertThat(shard.shardId()).isEqualTo(one.shardId());
                } else {
                    assertThat(record.data().asByteArray()).hasSize(3).endsWith(0, (byte) 255);
                }
            }
            assertThat(records.nextShardIterator()).isNotNull();
            assertThat(records.millisBehindLatest()).isZero();
        }
        assertThat(total).isEqualTo(31);

        String after = client.getShardIterator(b -> b.streamName(stream).shardId(one.shardId())
                .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)
                .startingSequenceNumber(one.sequenceNumber())).get().shardIterator();
        assertThat(client.getRecords(b -> b.shardIterator(after)).get().records().get(0).sequenceNumber())
                .isEqualTo(one.sequenceNumber());
        assertThat(client.listStreams().get().streamNames()).contains(stream);
        assertThat(client.listShards(b -> b.streamName(stream)).get().shards()).hasSize(3);
        assertThat(client.describeStreamSummary(b -> b.streamName(stream)).get().streamDescriptionSummary()
                .openShardCount()).isEqualTo(3);
    }

    @Test
    void jsonWhenCborIsOff() throws Exception {
        long jsonBefore = kinesis.calls(WireFormat.JSON);
        System.setProperty("aws.cborEnabled", "false");
        try (KinesisAsyncClient client = SdkClients.async(kinesis.endpoint(), false)) {
            roundTrip(client, "async-json");
        } finally {
            System.clearProperty("aws.cborEnabled");
        }
        assertThat(kinesis.calls(WireFormat.JSON) - jsonBefore).isGreaterThan(10);
    }

    @Test
    void syncClientRoundTripAndErrors() {
        try (KinesisClient client = SdkClients.sync(kinesis.endpoint())) {
            client.createStream(b -> b.streamName("sync").shardCount(1));
            assertThatThrownBy(() -> client.createStream(b -> b.streamName("sync").shardCount(1)))
                    .isInstanceOf(ResourceInUseException.class).hasMessageContaining("already exists");
            assertThatThrownBy(() -> client.describeStream(b -> b.streamName("missing")))
                    .isInstanceOf(ResourceNotFoundException.class)
                    .hasMessageContaining("Stream missing under account 000000000000 not found")
                    .satisfies(e -> assertThat(((ResourceNotFoundException) e).statusCode()).isEqualTo(400));
            PutRecordResponse put = client.putRecord(b -> b.streamName("sync").partitionKey("p")
                    .data(SdkBytes.fromUtf8String("hello")));
            String iterator = client.getShardIterator(b -> b.streamName("sync").shardId(put.shardId())
                    .shardIteratorType(ShardIteratorType.LATEST)).shardIterator();
            assertThat(client.getRecords(b -> b.shardIterator(iterator)).records()).isEmpty();
            client.putRecord(b -> b.streamName("sync").partitionKey("p").data(SdkBytes.fromUtf8String("later")));
            assertThat(client.getRecords(b -> b.shardIterator(iterator)).records())
                    .extracting(r -> r.data().asUtf8String()).containsExactly("later");
            assertThatThrownBy(() -> client.getShardIterator(b -> b.streamName("sync").shardId(put.shardId())
                    .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)))
                    .isInstanceOf(InvalidArgumentException.class);
        }
    }
}
