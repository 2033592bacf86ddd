package dev.shardline.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalKinesis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** The dead-letter envelope (the JSON CONTRACT.md fixes) and the file and stream sinks. */
@Timeout(60)
class DeadLetterSinkTest {
    private static final Instant T1 = Instant.parse("2026-01-02T03:04:05.123Z");
    private static final Instant T2 = Instant.parse("2026-01-02T03:04:07Z");

    private static DeadLetter consumerLetter(String key, String data) {
        return DeadLetter.fromConsumer("orders", "shardId-000000000001", "4959000000000000001", 3, key, null,
                data.getBytes(StandardCharsets.UTF_8), new IllegalStateException("bad \"price\"\n"), 4, T1, T2);
    }

    @Test
    void jsonHasTheContractFieldsAndReadsBack() {
        DeadLetter letter = consumerLetter("truck-7", "{\"x\":1}");
        String json = new String(letter.toJson(), StandardCharsets.UTF_8);
        assertThat(json).doesNotContain("\n")
                .startsWith("{\"stream\":\"orders\",\"shardId\":\"shardId-000000000001\","
                        + "\"sequenceNumber\":\"4959000000000000001\",\"subSequenceNumber\":3,"
                        + "\"partitionKey\":\"truck-7\",\"data\":\"eyJ4IjoxfQ==\","
                        + "\"error\":{\"class\":\"java.lang.IllegalStateException\",\"message\":\"bad \\\"price\\\"\\n\"},"
                        + "\"attempts\":4,\"firstFailure\":\"2026-01-02T03:04:05.123Z\","
                        + "\"lastFailure\":\"2026-01-02T03:04:07Z\",\"source\":\"consumer\"}");
        assertThat(DeadLetter.fromJson(letter.toJson())).isEqualTo(letter);

        DeadLetter produced = DeadLetter.fromProducer("orders", "k", "170141183460469231731687303715884105728",
                new byte[] {0, (byte) 255}, new RecordExpiredException("expired", List.of()), 7, T1, T2);
        String p = new String(produced.toJson(), StandardCharsets.UTF_8);
        assertThat(p).contains("\"shardId\":null", "\"sequenceNumber\":null", "\"source\":\"producer\"",
                "\"explicitHashKey\":\"170141183460469231731687303715884105728\"", "\"data\":\"AP8=\"");
        DeadLetter back = DeadLetter.fromJson(produced.toJson());
        assertThat(back).isEqualTo(produced);
        assertThat(back.data()).containsExactly(0, 255);
    }

    @Test
    void badJsonIsRefusedNamingTheField() {
        assertThatThrownBy(() -> DeadLetter.fromJson("{\"partitionKey\":\"k\"}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'data'");
        assertThatThrownBy(() -> DeadLetter.fromJson("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON object");
        String wrongSource = new String(consumerLetter("k", "d").toJson(), StandardCharsets.UTF_8)
                .replace("\"consumer\"", "\"elsewhere\"");
        assertThatThrownBy(() -> DeadLetter.fromJson(wrongSource.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'source'");
    }

    @Test
    void fileSinkAppendsOneForcedLinePerLetter(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("dlq.jsonl");
        DeadLetterSink sink = DeadLetterSink.toFile(file);
        sink.write(consumerLetter("a", "1")).get(10, TimeUnit.SECONDS);
        // Complete means on disk: the line is there before the next write.
        assertThat(Files.readAllLines(file)).hasSize(1);
        sink.write(consumerLetter("b", "2")).get(10, TimeUnit.SECONDS);
        DeadLetterSink.toFile(file).write(consumerLetter("c", "3")).get(10, TimeUnit.SECONDS);
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).extracting(l -> DeadLetter.fromJson(l.getBytes(StandardCharsets.UTF_8)).partitionKey())
                .containsExactly("a", "b", "c");
    }

    @Test
    void fileSinkFailsItsFutureWhenItCannotWrite(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> DeadLetterSink.toFile(dir.resolve("missing/dlq.jsonl")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
        Path asDirectory = Files.createDirectory(dir.resolve("taken"));
        assertThatThrownBy(() -> DeadLetterSink.toFile(asDirectory).write(consumerLetter("k", "d"))
                .get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasMessageContaining("taken");
    }

    @Test
    void streamSinkSendsTheEnvelopeUnderTheOriginalKey() throws Exception {
        try (LocalKinesis kinesis = LocalKinesis.builder().port(0).tlsPort(0).build().start();
             KinesisAsyncClient client = LocalClients.kinesis(kinesis.endpoint())) {
            kinesis.createStream("dlq", 2);
            try (KinesisProducer producer = new KinesisProducer(ProducerConfig.builder().client(client)
                    .meterRegistry(new SimpleMeterRegistry()).maxBufferedTime(Duration.ofMillis(20)).build())) {
                DeadLetterSink sink = DeadLetterSink.toStream(producer, "dlq");
                sink.write(consumerLetter("truck-1", "one")).get(10, TimeUnit.SECONDS);
                sink.write(consumerLetter("truck-2", "two")).get(10, TimeUnit.SECONDS);
                assertThatThrownBy(() -> sink.write(consumerLetter("k", "x".repeat(900_000))).get(10, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class);
            }
            List<StreamReader.Read> read = StreamReader.readAll(client, "dlq");
            assertThat(read).hasSize(2);
            for (StreamReader.Read r : read) {
                DeadLetter letter = DeadLetter.fromJson(r.data().getBytes(StandardCharsets.UTF_8));
                assertThat(r.partitionKey()).isEqualTo(letter.partitionKey());
                assertThat(letter.source()).isEqualTo(DeadLetter.Source.CONSUMER);
            }
            assertThat(read).extracting(StreamReader.Read::partitionKey).containsExactlyInAnyOrder("truck-1", "truck-2");
        }
    }
}
