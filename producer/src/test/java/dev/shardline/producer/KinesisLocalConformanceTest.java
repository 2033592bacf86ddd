package dev.shardline.producer;

import dev.shardline.local.KinesisMockPeer;
import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.local.LocalClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/** 2,000 records through the producer into the independent npm kinesis-local emulator, all read back by KCL's code. */
@Timeout(120)
class KinesisLocalConformanceTest {

    @Test
    void twoThousandRecordsAllReadBack() throws Exception {
        try (KinesisMockPeer server = KinesisMockPeer.start();
                KinesisAsyncClient client = LocalClients.kinesis(server.endpoint())) {
            String stream = "conformance";
            client.createStream(b -> b.streamName(stream).shardCount(3)).get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (client.describeStreamSummary(b -> b.streamName(stream)).get(10, TimeUnit.SECONDS)
                    .streamDescriptionSummary().streamStatus() != StreamStatus.ACTIVE) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(50);
            }
            Map<String, String> sent = new HashMap<>();
            List<CompletableFuture<SendResult>> futures = new ArrayList<>();
            List<String> keys = new ArrayList<>();
            try (KinesisProducer producer = new KinesisProducer(ProducerConfig.builder().client(client)
                    .meterRegistry(new SimpleMeterRegistry()).maxBufferedTime(Duration.ofMillis(50)).build())) {
                for (int i = 0; i < 2000; i++) {
                    String key = "key-" + (i % 97) + "-" + i;
                    String data = "{\"i\":" + i + ",\"pad\":\"" + "x".repeat(i % 300) + "\"}";
                    sent.put(key, data);
                    keys.add(key);
                    futures.add(producer.send(stream, key, data.getBytes(StandardCharsets.UTF_8)));
                }
                producer.flush().get(60, TimeUnit.SECONDS);
            }
            Map<String, SendResult> results = new HashMap<>();
            for (int i = 0; i < futures.size(); i++) {
                results.put(keys.get(i), futures.get(i).get(1, TimeUnit.SECONDS));
            }
            List<StreamReader.Read> read = StreamReader.readAll(client, stream);
            Map<String, StreamReader.Read> byKey = new HashMap<>();
            read.forEach(r -> byKey.put(r.partitionKey(), r));
            assertThat(read).hasSize(2000);
            assertThat(byKey).hasSize(2000);
            for (Map.Entry<String, String> e : sent.entrySet()) {
                StreamReader.Read r = byKey.get(e.getKey());
                assertThat(r).as(e.getKey()).isNotNull();
                assertThat(r.data()).isEqualTo(e.getValue());
                SendResult result = results.get(e.getKey());
                assertThat(result.shardId()).isEqualTo(r.shardId());
                assertThat(result.sequenceNumber()).isEqualTo(r.sequenceNumber());
                assertThat(result.subSequenceNumber()).isEqualTo(r.subSequenceNumber());
            }
            // aggregation happened: fewer Kinesis records than user records
            assertThat(read.stream().map(StreamReader.Read::sequenceNumber).distinct().count()).isLessThan(500);
        }
    }
}
