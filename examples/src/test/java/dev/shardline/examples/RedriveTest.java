package dev.shardline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardline.producer.DeadLetter;
import dev.shardline.producer.DeadLetterSink;
import dev.shardline.producer.KinesisProducer;
import dev.shardline.producer.ProducerConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** Redrive: replay --unwrap-dead-letters shows dead letters and puts their records back with the original keys. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedriveTest {
    private static final LocalEndpoints local = LocalEndpoints.shared();

    @TempDir
    Path dir;

    private static DeadLetter letter(String key, String data, String seq) {
        Instant t = Instant.parse("2026-05-06T07:08:09Z");
        return DeadLetter.fromConsumer("orders", "shardId-000000000000", seq, 0, key, null,
                data.getBytes(StandardCharsets.UTF_8), new IllegalStateException("poison " + data), 4, t, t);
    }

    @Test
    void deadLettersAreShownAndRedrivenWithTheirOriginalKeys() throws Exception {
        local.kinesis.createStream("orders-dlq", 1);
        local.kinesis.createStream("orders-again", 2);
        try (KinesisAsyncClient client = local.client();
             KinesisProducer producer = new KinesisProducer(ProducerConfig.builder().client(client)
                     .meterRegistry(new SimpleMeterRegistry()).build())) {
            DeadLetterSink sink = DeadLetterSink.toStream(producer, "orders-dlq");
            sink.write(letter("truck-1", "{\"id\":1}", "100")).get(10, TimeUnit.SECONDS);
            sink.write(letter("truck-2", "{\"id\":2}", "200")).get(10, TimeUnit.SECONDS);
        }

        Path shown = dir.resolve("letters.jsonl");
        assertThat(local.run("replay", "--stream", "orders-dlq", "--trim-horizon", "--until-now",
                "--unwrap-dead-letters", "--format", "jsonl", "--out", shown.toString())).isZero();
        List<JsonNode> letters = LocalEndpoints.readJsonLines(shown);
        assertThat(letters).extracting(l -> l.get("partitionKey").asText()).containsExactly("truck-1", "truck-2");
        assertThat(letters.get(0).get("error").get("message").asText()).isEqualTo("poison {\"id\":1}");
        assertThat(letters.get(0).get("source").asText()).isEqualTo("consumer");
        assertThat(letters.get(1).get("sequenceNumber").asText()).isEqualTo("200");

        assertThat(local.run("replay", "--stream", "orders-dlq", "--trim-horizon", "--until-now",
                "--unwrap-dead-letters", "--to-stream", "orders-again")).isZero();
        Path again = dir.resolve("again.jsonl");
        assertThat(local.run("replay", "--stream", "orders-again", "--trim-horizon", "--until-now",
                "--out", again.toString())).isZero();
        List<JsonNode> redriven = LocalEndpoints.readJsonLines(again);
        assertThat(redriven).hasSize(2);
        assertThat(redriven).extracting(r -> r.get("partitionKey").asText() + "=" + new String(
                Base64.getDecoder().decode(r.get("data").asText()), StandardCharsets.UTF_8))
                .containsExactlyInAnyOrder("truck-1={\"id\":1}", "truck-2={\"id\":2}");

        // A record that is not a dead letter is skipped, reported, and fails the run.
        try (KinesisAsyncClient client = local.client()) {
            client.putRecord(b -> b.streamName("orders-dlq").partitionKey("x")
                    .data(SdkBytes.fromUtf8String("not a letter"))).join();
        }
        Path mixed = dir.resolve("mixed.txt");
        assertThat(local.run("replay", "--stream", "orders-dlq", "--trim-horizon", "--until-now",
                "--unwrap-dead-letters", "--format", "text", "--out", mixed.toString())).isEqualTo(1);
        assertThat(java.nio.file.Files.readAllLines(mixed)).containsExactly("{\"id\":1}", "{\"id\":2}");
    }
}
