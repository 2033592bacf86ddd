package dev.shardline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardline.examples.trucks.TruckPosition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** trucks, produce and replay against LocalKinesis through the real command line. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProducingVerbsTest {
    private static final LocalEndpoints local = LocalEndpoints.shared();

    @TempDir
    Path dir;

    @Test
    void trucksThenReplayFromTheTrimHorizonGetsEveryMessageInOrder() {
        local.kinesis.createStream("fleet", 3);
        assertThat(local.run("trucks", "--stream", "fleet", "--trucks", "12", "--interval", "100ms", "--count", "4"))
                .isZero();
        Path out = dir.resolve("replay.jsonl");
        assertThat(local.run("replay", "--stream", "fleet", "--trim-horizon", "--until-now", "--out", out.toString()))
                .isZero();
        List<JsonNode> lines = LocalEndpoints.readJsonLines(out);
        assertThat(lines).hasSize(12 * 4);
        Map<String, List<Long>> seqByTruck = new HashMap<>();
        for (JsonNode line : lines) {
            TruckPosition position = TruckPosition.parse(Base64.getDecoder().decode(line.get("data").asText()));
            assertThat(line.get("partitionKey").asText()).isEqualTo(position.truckId());
            assertThat(line.get("shardId").asText()).startsWith("shardId-");
            assertThat(line.has("approximateArrivalTimestamp")).isTrue();
            seqByTruck.computeIfAbsent(position.truckId(), k -> new ArrayList<>()).add(position.seq());
        }
        assertThat(seqByTruck).hasSize(12);
        assertThat(seqByTruck.values()).allSatisfy(seqs -> assertThat(seqs).containsExactly(1L, 2L, 3L, 4L));
    }

    @Test
    void produceKeysByFieldAndReplayFollowsASplitInOrder() throws Exception {
        local.kinesis.createStream("lines", 1);
        Path input = dir.resolve("in.jsonl");
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            first.add("{\"id\":\"k" + (i % 8) + "\",\"n\":" + i + "}");
            second.add("{\"id\":\"k" + (i % 8) + "\",\"n\":" + (100 + i) + "}");
        }
        Files.write(input, first);
        assertThat(local.run("produce", "--stream", "lines", "--key-field", "id", "--input", input.toString()))
                .isZero();
        local.splitFirstShard("lines");
        Files.write(input, second);
        assertThat(local.run("produce", "--stream", "lines", "--key-field", "id", "--input", input.toString(),
                "--ordering", "strict")).isZero();

        Path out = dir.resolve("out.txt");
        assertThat(local.run("replay", "--stream", "lines", "--trim-horizon", "--until-now", "--format", "text",
                "--out", out.toString())).isZero();
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        // The parent is read to its end before either child: every first-batch line precedes every second-batch one.
        assertThat(lines).hasSize(80);
        assertThat(lines.subList(0, 40)).containsExactlyInAnyOrderElementsOf(first);
        assertThat(lines.subList(40, 80)).containsExactlyInAnyOrderElementsOf(second);
        // And per key, in the order sent.
        for (int k = 0; k < 8; k++) {
            String key = "\"k" + k + "\"";
            List<String> mine = lines.stream().filter(l -> l.contains(key)).toList();
            List<String> expected = new ArrayList<>(first.stream().filter(l -> l.contains(key)).toList());
            expected.addAll(second.stream().filter(l -> l.contains(key)).toList());
            assertThat(mine).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void produceFailsTheLinesWithoutAKeyAndSaysSo() throws Exception {
        local.kinesis.createStream("partial", 1);
        Path input = dir.resolve("in.txt");
        Files.write(input, List.of("{\"id\":\"a\"}", "not json", "{\"other\":1}", "{\"id\":7}"));
        assertThat(local.run("produce", "--stream", "partial", "--key-field", "id", "--input", input.toString()))
                .isEqualTo(1);
        Path out = dir.resolve("out.jsonl");
        assertThat(local.run("replay", "--stream", "partial", "--trim-horizon", "--until-now", "--out",
                out.toString())).isZero();
        List<JsonNode> lines = LocalEndpoints.readJsonLines(out);
        assertThat(lines).extracting(l -> l.get("partitionKey").asText()).containsExactly("a", "7");
    }

    @Test
    void replayAfterSequenceAndAtTimestamp() throws Exception {
        local.kinesis.createStream("positions", 2);
        Path input = dir.resolve("in.txt");
        // Two runs, so two Kinesis records at least (one run's lines may share one aggregate).
        Files.write(input, List.of("one", "two"));
        assertThat(local.run("produce", "--stream", "positions", "--key", "same", "--input", input.toString()))
                .isZero();
        Files.write(input, List.of("three", "four"));
        assertThat(local.run("produce", "--stream", "positions", "--key", "same", "--input", input.toString()))
                .isZero();
        Path all = dir.resolve("all.jsonl");
        assertThat(local.run("replay", "--stream", "positions", "--trim-horizon", "--until-now", "--out",
                all.toString())).isZero();
        List<JsonNode> records = LocalEndpoints.readJsonLines(all);
        assertThat(records).hasSize(4);
        String shard = records.get(1).get("shardId").asText();
        String second = records.get(1).get("sequenceNumber").asText();
        assertThat(records.get(2).get("sequenceNumber").asText()).isNotEqualTo(second);

        Path after = dir.resolve("after.txt");
        assertThat(local.run("replay", "--stream", "positions", "--after-sequence", shard + "=" + second,
                "--until-now", "--format", "text", "--out", after.toString())).isZero();
        assertThat(Files.readAllLines(after)).containsExactly("three", "four");

        Thread.sleep(20);
        String timestamp = java.time.Instant.now().toString();
        Thread.sleep(20);
        Files.write(input, List.of("five"));
        assertThat(local.run("produce", "--stream", "positions", "--key", "same", "--input", input.toString()))
                .isZero();
        Path since = dir.resolve("since.txt");
        assertThat(local.run("replay", "--stream", "positions", "--at-timestamp", timestamp, "--until-now",
                "--format", "text", "--out", since.toString())).isZero();
        assertThat(Files.readAllLines(since)).containsExactly("five");
    }

    @Test
    void replayRepublishesToAnotherStream() throws Exception {
        local.kinesis.createStream("source", 2);
        local.kinesis.createStream("copy", 1);
        Path input = dir.resolve("in.txt");
        List<String> data = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            data.add("{\"k\":\"t" + (i % 3) + "\",\"i\":" + i + "}");
        }
        Files.write(input, data);
        assertThat(local.run("produce", "--stream", "source", "--key-field", "k", "--input", input.toString()))
                .isZero();
        assertThat(local.run("replay", "--stream", "source", "--trim-horizon", "--until-now", "--to-stream", "copy"))
                .isZero();
        Path out = dir.resolve("copy.jsonl");
        assertThat(local.run("replay", "--stream", "copy", "--trim-horizon", "--until-now", "--out", out.toString()))
                .isZero();
        List<JsonNode> copied = LocalEndpoints.readJsonLines(out);
        assertThat(copied).hasSize(30);
        for (int k = 0; k < 3; k++) {
            String key = "t" + k;
            List<String> inCopy = copied.stream().filter(l -> l.get("partitionKey").asText().equals(key))
                    .map(l -> new String(Base64.getDecoder().decode(l.get("data").asText()), StandardCharsets.UTF_8))
                    .toList();
            assertThat(inCopy).containsExactlyElementsOf(data.stream().filter(d -> d.contains("\"" + key + "\""))
                    .toList());
        }
    }
}
