package dev.shardline.examples.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shardline.aggregation.Aggregator;
import dev.shardline.aggregation.Deaggregator;
import dev.shardline.aggregation.KinesisRecord;
import dev.shardline.aggregation.UserRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RecordFormatTest {
    private static final Instant ARRIVAL = Instant.parse("2026-11-23T18:00:01.250Z");

    @Test
    void jsonlHasTheContractFields() throws Exception {
        UserRecord plain = UserRecord.kinesisRecord("4960", "truck-0001", "héllo\n".getBytes(StandardCharsets.UTF_8),
                ARRIVAL);
        JsonNode json = new ObjectMapper().readTree(RecordFormat.JSONL.format("shardId-000000000001", plain));
        assertThat(json.fieldNames()).toIterable().containsExactly("shardId", "sequenceNumber", "subSequenceNumber",
                "partitionKey", "approximateArrivalTimestamp", "data");
        assertThat(json.get("shardId").asText()).isEqualTo("shardId-000000000001");
        assertThat(json.get("sequenceNumber").asText()).isEqualTo("4960");
        assertThat(json.get("subSequenceNumber").asLong()).isZero();
        assertThat(json.get("partitionKey").asText()).isEqualTo("truck-0001");
        assertThat(json.get("approximateArrivalTimestamp").asText()).isEqualTo("2026-11-23T18:00:01.250Z");
        assertThat(Base64.getDecoder().decode(json.get("data").asText()))
                .isEqualTo("héllo\n".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void jsonlCarriesTheExplicitHashKeyOfAnAggregatedRecord() throws Exception {
        Aggregator aggregator = new Aggregator(1024 * 1024, 100);
        aggregator.add("a-key", "12345", new byte[] {1});
        aggregator.add("b-key", null, new byte[] {2, 3});
        KinesisRecord aggregate = aggregator.build();
        List<UserRecord> users = Deaggregator.deaggregate(List.of(UserRecord.kinesisRecord("77",
                aggregate.partitionKey(), aggregate.data(), ARRIVAL)));
        ObjectMapper mapper = new ObjectMapper();
        JsonNode first = mapper.readTree(RecordFormat.JSONL.format("s", users.get(0)));
        JsonNode second = mapper.readTree(RecordFormat.JSONL.format("s", users.get(1)));
        assertThat(first.get("explicitHashKey").asText()).isEqualTo("12345");
        assertThat(first.get("partitionKey").asText()).isEqualTo("a-key");
        assertThat(second.get("subSequenceNumber").asLong()).isEqualTo(1);
        assertThat(second.get("sequenceNumber").asText()).isEqualTo("77");
        assertThat(Base64.getDecoder().decode(second.get("data").asText())).containsExactly(2, 3);
    }

    @Test
    void textIsTheDataOnOneLine() throws Exception {
        UserRecord record = UserRecord.kinesisRecord("1", "k", "{\"a\":1}".getBytes(StandardCharsets.UTF_8), ARRIVAL);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RecordFormat.TEXT.write("s", record, out);
        RecordFormat.JSONL.write("s", record, out);
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n", -1);
        assertThat(lines).hasSize(3);
        assertThat(lines[0]).isEqualTo("{\"a\":1}");
        assertThat(lines[1]).startsWith("{\"shardId\":\"s\"");
        assertThat(lines[2]).isEmpty();
    }

    @Test
    void parsesNames() {
        assertThat(RecordFormat.parse("JSONL")).isEqualTo(RecordFormat.JSONL);
        assertThat(RecordFormat.parse("text")).isEqualTo(RecordFormat.TEXT);
        assertThatThrownBy(() -> RecordFormat.parse("csv")).hasMessageContaining("jsonl or text");
    }
}
