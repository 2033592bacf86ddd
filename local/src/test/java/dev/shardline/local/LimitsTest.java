package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ExpiredIteratorException;
import software.amazon.awssdk.services.kinesis.model.ExpiredNextTokenException;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** The service's limits, with a manual clock so that a second or five minutes pass at once. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LimitsTest {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    LocalKinesis kinesis;
    KinesisAsyncClient client;

    @BeforeEach
    void start() {
        kinesis = LocalKinesis.builder().clock(clock).tls(false).build().start();
        kinesis.createStream("s", 1);
        client = SdkClients.async(kinesis.endpoint(), false);
    }

    @AfterEach
    void stop() {
        client.close();
        kinesis.close();
    }

    static Throwable cause(Runnable call) {
        try {
            call.run();
        } catch (CompletionException e) {
            return e.getCause();
        }
        throw new AssertionError("no error");
    }

    private PutRecordsResponse putMany(int n, int size) {
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            entries.add(PutRecordsRequestEntry.builder().partitionKey("k").data(SdkBytes.fromByteArray(new byte[size]))
                    .build());
        }
        return client.putRecords(b -> b.streamName("s").records(entries)).join();
    }

    @Test
    void writesAreLimitedTo1000RecordsPerSecondPerShardPerEntry() {
        assertThat(putMany(500, 10).failedRecordCount()).isZero();
        assertThat(putMany(500, 10).failedRecordCount()).isZero();
        PutRecordsResponse third = putMany(500, 10);
        assertThat(third.failedRecordCount()).isEqualTo(500);
        assertThat(third.records()).allSatisfy(r -> {
            assertThat(r.errorCode()).isEqualTo("ProvisionedThroughputExceededException");
            assertThat(r.errorMessage()).contains("shardId-000000000000").contains("1000 records/s");
            assertThat(r.sequenceNumber()).isNull();
        });
        clock.advance(Duration.ofMillis(300));
        PutRecordsResponse partial = putMany(500, 10);
        assertThat(partial.failedRecordCount()).isEqualTo(200);
        assertThat(partial.records().subList(0, 300)).allSatisfy(r -> assertThat(r.errorCode()).isNull());
        clock.advance(Duration.ofSeconds(1));
        assertThat(putMany(500, 10).failedRecordCount()).isZero();
    }

    @Test
    void writesAreLimitedTo1MiBPerSecondPerShard() {
        byte[] big = new byte[600 * 1024];
        client.putRecord(b -> b.streamName("s").partitionKey("k").data(SdkBytes.fromByteArray(big))).join();
        Throwable e = cause(() -> client.putRecord(b -> b.streamName("s").partitionKey("k")
                .data(SdkBytes.fromByteArray(big))).join());
        assertThat(e).isInstanceOf(ProvisionedThroughputExceededException.class).hasMessageContaining("1 MiB/s");
        clock.advance(Duration.ofSeconds(1));
        client.putRecord(b -> b.streamName("s").partitionKey("k").data(SdkBytes.fromByteArray(big))).join();
    }

    @Test
    void readsAreLimitedTo5CallsPerSecondPerShard() {
        String iterator = client.getShardIterator(b -> b.streamName("s").shardId("shardId-000000000000")
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).join().shardIterator();
        for (int i = 0; i < 5; i++) {
            client.getRecords(b -> b.shardIterator(iterator)).join();
        }
        assertThat(cause(() -> client.getRecords(b -> b.shardIterator(iterator)).join()))
                .isInstanceOf(ProvisionedThroughputExceededException.class).hasMessageContaining("5 GetRecords");
        clock.advance(Duration.ofMillis(200));
        client.getRecords(b -> b.shardIterator(iterator)).join();
    }

    @Test
    void readsAreLimitedTo2MiBPerSecondPerShard() {
        for (int i = 0; i < 4; i++) {
            clock.advance(Duration.ofSeconds(1));
            putMany(1, 900 * 1024);
        }
        String iterator = client.getShardIterator(b -> b.streamName("s").shardId("shardId-000000000000")
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).join().shardIterator();
        assertThat(client.getRecords(b -> b.shardIterator(iterator)).join().records()).hasSize(4);
        // 3.6 MiB read: the byte bucket is overdrawn until it has refilled.
        assertThat(cause(() -> client.getRecords(b -> b.shardIterator(iterator)).join()))
                .isInstanceOf(ProvisionedThroughputExceededException.class).hasMessageContaining("2 MiB/s");
        clock.advance(Duration.ofMillis(500));
        assertThat(cause(() -> client.getRecords(b -> b.shardIterator(iterator)).join()))
                .isInstanceOf(ProvisionedThroughputExceededException.class);
        clock.advance(Duration.ofMillis(500));
        client.getRecords(b -> b.shardIterator(iterator)).join();
    }

    @Test
    void recordSizeIsLimitedToTheStreamMaximum() {
        byte[] tooBig = new byte[1024 * 1024 + 1];
        Throwable e = cause(() -> client.putRecord(b -> b.streamName("s").partitionKey("k")
                .data(SdkBytes.fromByteArray(tooBig))).join());
        assertThat(e).isInstanceOf(KinesisException.class).hasMessageContaining("1048576");
        assertThat(((KinesisException) e).awsErrorDetails().errorCode()).isEqualTo("ValidationException");
        kinesis.maxRecordSize("s", 2048);
        clock.advance(Duration.ofSeconds(5));
        String seq = client.putRecord(b -> b.streamName("s").partitionKey("k")
                .data(SdkBytes.fromByteArray(tooBig))).join().sequenceNumber();
        assertThat(seq).hasSize(56);
    }

    @Test
    void putRecordsIsLimitedTo500EntriesAnd5MiB() {
        Throwable e = cause(() -> putMany(501, 1));
        assertThat(((KinesisException) e).awsErrorDetails().errorCode()).isEqualTo("ValidationException");
        assertThat(e).hasMessageContaining("500");
        Throwable size = cause(() -> putMany(6, 1000 * 1024));
        assertThat(size).isInstanceOf(InvalidArgumentException.class).hasMessageContaining("5 MiB");
        assertThat(kinesis.store().find("s").shard(0).nextPosition()).isZero();
    }

    @Test
    void partitionKeyIs1To256Characters() {
        Throwable e = cause(() -> client.putRecord(b -> b.streamName("s").partitionKey("x".repeat(257))
                .data(SdkBytes.fromUtf8String("d"))).join());
        assertThat(((KinesisException) e).awsErrorDetails().errorCode()).isEqualTo("ValidationException");
        assertThat(e).hasMessageContaining("partitionKey").hasMessageContaining("256");
        Throwable empty = cause(() -> client.putRecord(b -> b.streamName("s").partitionKey("")
                .data(SdkBytes.fromUtf8String("d"))).join());
        assertThat(empty).hasMessageContaining("greater than or equal to 1");
        client.putRecord(b -> b.streamName("s").partitionKey("x".repeat(256)).data(SdkBytes.fromUtf8String("d")))
                .join();
    }

    @Test
    void getRecordsLimitIsAtMost10000() {
        String iterator = client.getShardIterator(b -> b.streamName("s").shardId("shardId-000000000000")
                .shardIteratorType(ShardIteratorType.LATEST)).join().shardIterator();
        Throwable e = cause(() -> client.getRecords(b -> b.shardIterator(iterator).limit(10_001)).join());
        assertThat(((KinesisException) e).awsErrorDetails().errorCode()).isEqualTo("ValidationException");
        assertThat(e).hasMessageContaining("10000");
    }

    @Test
    void iteratorsExpireAfter5Minutes() {
        String iterator = client.getShardIterator(b -> b.streamName("s").shardId("shardId-000000000000")
                .shardIteratorType(ShardIteratorType.LATEST)).join().shardIterator();
        clock.advance(Duration.ofMinutes(5));
        client.getRecords(b -> b.shardIterator(iterator)).join();
        clock.advance(Duration.ofMillis(1));
        assertThat(cause(() -> client.getRecords(b -> b.shardIterator(iterator)).join()))
                .isInstanceOf(ExpiredIteratorException.class).hasMessageContaining("300000 milliseconds");
    }

    @Test
    void listShardsTokensExpireAfter300SecondsAndExcludeStreamName() {
        kinesis.createStream("four", 4);
        var first = client.listShards(b -> b.streamName("four").maxResults(1)).join();
        assertThat(first.shards()).hasSize(1);
        String token = first.nextToken();
        assertThat(cause(() -> client.listShards(b -> b.streamName("four").nextToken(token)).join()))
                .isInstanceOf(InvalidArgumentException.class);
        var second = client.listShards(b -> b.nextToken(token).maxResults(2)).join();
        assertThat(second.shards()).extracting(s -> s.shardId())
                .containsExactly("shardId-000000000001", "shardId-000000000002");
        clock.advance(Duration.ofSeconds(301));
        assertThat(cause(() -> client.listShards(b -> b.nextToken(second.nextToken())).join()))
                .isInstanceOf(ExpiredNextTokenException.class);
    }

    @Test
    void limitsCanBeSwitchedOff() {
        try (LocalKinesis open = LocalKinesis.builder().clock(clock).tls(false).limitsEnabled(false).build().start();
                KinesisAsyncClient c = SdkClients.async(open.endpoint(), false)) {
            open.createStream("s", 1);
            for (int round = 0; round < 6; round++) {
                List<PutRecordsRequestEntry> entries = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    entries.add(PutRecordsRequestEntry.builder().partitionKey("k")
                            .data(SdkBytes.fromByteArray(new byte[1000])).build());
                }
                assertThat(c.putRecords(b -> b.streamName("s").records(entries)).join().failedRecordCount()).isZero();
            }
            assertThat(open.store().find("s").shard(0).nextPosition()).isEqualTo(3000);
        }
    }
}
