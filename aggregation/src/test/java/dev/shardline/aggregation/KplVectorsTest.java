package dev.shardline.aggregation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * Shardline reads what Amazon's KPL 0.15.12 writes. The vectors in {@code src/test/resources/kpl/} were captured
 * once from the real KPL (its native daemon, aggregation on, at most 50 records / 8 KiB per aggregate) by
 * {@link dev.shardline.aggregation.kpl.CaptureKplAggregates}, which points the KPL at a minimal HTTPS endpoint on
 * 127.0.0.1 and records every PutRecords entry verbatim: {@code inputs.jsonl} holds the 401 user records handed to
 * {@code addUserRecord} in order, {@code put-records.jsonl} the 23 Kinesis records the KPL put (one plain warm-up
 * record, then aggregates).
 */
@Timeout(30)
class KplVectorsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant ARRIVAL = Instant.parse("2026-11-23T18:17:00Z");

    record Put(String partitionKey, String explicitHashKey, byte[] data) {
    }

    private static List<Oracle.Input> inputs;
    private static List<Put> puts;

    @BeforeAll
    static void load() throws IOException {
        inputs = new ArrayList<>();
        for (JsonNode line : read("/kpl/inputs.jsonl")) {
            inputs.add(new Oracle.Input(line.get("partitionKey").asText(),
                    line.hasNonNull("explicitHashKey") ? line.get("explicitHashKey").asText() : null,
                    Base64.getDecoder().decode(line.get("data").asText())));
        }
        puts = new ArrayList<>();
        for (JsonNode line : read("/kpl/put-records.jsonl")) {
            puts.add(new Put(line.get("partitionKey").asText(),
                    line.hasNonNull("explicitHashKey") ? line.get("explicitHashKey").asText() : null,
                    Base64.getDecoder().decode(line.get("data").asText())));
        }
        assertThat(inputs).hasSize(401);
        assertThat(puts).hasSize(23);
    }

    private static List<JsonNode> read(String resource) throws IOException {
        List<JsonNode> lines = new ArrayList<>();
        try (InputStream in = KplVectorsTest.class.getResourceAsStream(resource);
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                lines.add(JSON.readTree(line));
            }
        }
        return lines;
    }

    private static List<UserRecord> received() {
        List<UserRecord> records = new ArrayList<>();
        for (int i = 0; i < puts.size(); i++) {
            records.add(UserRecord.kinesisRecord(String.valueOf(49_000 + i), puts.get(i).partitionKey(),
                    puts.get(i).data().clone(), ARRIVAL));
        }
        return records;
    }

    @Test
    void deaggregatesKplOutputIntoExactlyTheRecordsThatWentIn() {
        List<UserRecord> out = Deaggregator.deaggregate(received(), HashKeyRange.ALL);

        assertThat(out).hasSize(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Oracle.Input in = inputs.get(i);
            UserRecord user = out.get(i);
            assertThat(user.partitionKey()).as("record %d", i).isEqualTo(in.partitionKey());
            assertThat(user.dataBytes()).as("record %d", i).isEqualTo(in.data());
            if (user.aggregated()) {
                assertThat(user.explicitHashKey()).as("record %d", i).isEqualTo(in.explicitHashKey());
            }
        }
        assertThat(out.stream().filter(UserRecord::aggregated).count()).isEqualTo(400);
        assertThat(out.get(0).aggregated()).isFalse(); // the warm-up record went out plain
    }

    @Test
    void subSequenceNumbersAndCarrierMetadata() {
        List<UserRecord> out = Deaggregator.deaggregate(received());
        String previous = null;
        long expectedSub = 0;
        for (UserRecord user : out) {
            expectedSub = user.sequenceNumber().equals(previous) ? expectedSub + 1 : 0;
            assertThat(user.subSequenceNumber()).isEqualTo(expectedSub);
            assertThat(user.approximateArrivalTimestamp()).isEqualTo(ARRIVAL);
            previous = user.sequenceNumber();
        }
        assertThat(out.stream().map(UserRecord::sequenceNumber).distinct().count()).isEqualTo(puts.size());
    }

    /**
     * The strongest form of compatibility: given the user records of each KPL aggregate, Shardline's aggregator
     * produces the same bytes, the same outer partition key and explicit hash key, and announces its size exactly.
     */
    @Test
    void shardlineReaggregatesKplAggregatesByteForByte() {
        int aggregates = 0;
        for (UserRecord carrier : received()) {
            List<UserRecord> users = Deaggregator.deaggregate(carrier);
            if (users.size() == 1 && !users.get(0).aggregated()) {
                continue;
            }
            aggregates++;
            Put put = puts.get(Integer.parseInt(carrier.sequenceNumber()) - 49_000);
            Aggregator aggregator = new Aggregator();
            for (UserRecord user : users) {
                assertThat(aggregator.add(user.partitionKey(), user.explicitHashKey(), user.dataBytes())).isTrue();
            }
            assertThat(aggregator.sizeBytes()).isEqualTo(put.data().length + Oracle.utf8Length(put.partitionKey()));
            KinesisRecord ours = aggregator.build();
            assertThat(ours.partitionKey()).isEqualTo(put.partitionKey()).isEqualTo("a");
            assertThat(ours.explicitHashKey()).isEqualTo(put.explicitHashKey());
            assertThat(ours.data()).isEqualTo(put.data());
        }
        assertThat(aggregates).isEqualTo(22);
    }

    @Test
    void kclReadsTheVectorsTheSameWay() {
        List<KinesisClientRecord> kclIn = new ArrayList<>();
        for (UserRecord record : received()) {
            kclIn.add(KinesisClientRecord.builder().partitionKey(record.partitionKey())
                    .sequenceNumber(record.sequenceNumber()).data(ByteBuffer.wrap(record.dataBytes())).build());
        }
        List<KinesisClientRecord> kcl = new AggregatorUtil().deaggregate(kclIn);
        List<UserRecord> ours = Deaggregator.deaggregate(received());

        assertThat(kcl).hasSameSizeAs(ours);
        for (int i = 0; i < ours.size(); i++) {
            assertThat(ours.get(i).partitionKey()).isEqualTo(kcl.get(i).partitionKey());
            assertThat(ours.get(i).dataBytes()).isEqualTo(Oracle.bytes(kcl.get(i).data()));
            assertThat(ours.get(i).subSequenceNumber()).isEqualTo(kcl.get(i).subSequenceNumber());
        }
    }
}
