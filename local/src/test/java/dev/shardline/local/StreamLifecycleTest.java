package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardFilterType;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamMode;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/** Resharding, shard filters, retention, tags, ARNs, deletion and status changes through the SDK. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamLifecycleTest {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    LocalKinesis kinesis;
    KinesisAsyncClient client;

    @BeforeEach
    void start() {
        kinesis = LocalKinesis.builder().clock(clock).tls(false).build().start();
        client = SdkClients.async(kinesis.endpoint(), true);
    }

    @AfterEach
    void stop() {
        client.close();
        kinesis.close();
    }

    static Throwable cause(Runnable call) {
        return LimitsTest.cause(call);
    }

    private String put(String stream, String key, String data) {
        return client.putRecord(b -> b.streamName(stream).partitionKey(key).data(SdkBytes.fromUtf8String(data)))
                .join().sequenceNumber();
    }

    private List<String> readAll(String stream, String shardId, List<ChildShard> childrenOut) {
        String iterator = client.getShardIterator(b -> b.streamName(stream).shardId(shardId)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).join().shardIterator();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 10 && iterator != null; i++) {
            String it = iterator;
            GetRecordsResponse response = client.getRecords(b -> b.shardIterator(it)).join();
            response.records().forEach(r -> out.add(r.data().asUtf8String()));
            iterator = response.nextShardIterator();
            if (iterator == null) {
                childrenOut.addAll(response.childShards());
            }
            clock.advance(Duration.ofMillis(250));
        }
        return out;
    }

    @Test
    void splitClosesTheParentAndReportsChildrenAtItsEnd() {
        kinesis.createStream("s", 1);
        put("s", "a", "before");
        BigInteger middle = BigInteger.ONE.shiftLeft(127);
        client.splitShard(b -> b.streamName("s").shardToSplit("shardId-000000000000")
                .newStartingHashKey(middle.toString())).join();
        List<Shard> shards = client.listShards(b -> b.streamName("s")).join().shards();
        assertThat(shards).extracting(Shard::shardId)
                .containsExactly("shardId-000000000000", "shardId-000000000001", "shardId-000000000002");
        assertThat(shards.get(0).sequenceNumberRange().endingSequenceNumber()).isNotNull();
        assertThat(shards.get(1).parentShardId()).isEqualTo("shardId-000000000000");
        assertThat(shards.get(1).hashKeyRange().endingHashKey()).isEqualTo(middle.subtract(BigInteger.ONE).toString());
        assertThat(shards.get(2).hashKeyRange().startingHashKey()).isEqualTo(middle.toString());
        assertThat(new BigInteger(shards.get(1).sequenceNumberRange().startingSequenceNumber()))
                .isGreaterThan(new BigInteger(shards.get(0).sequenceNumberRange().endingSequenceNumber()));
        put("s", "a", "after");
        List<ChildShard> children = new ArrayList<>();
        assertThat(readAll("s", "shardId-000000000000", children)).containsExactly("before");
        assertThat(children).extracting(ChildShard::shardId)
                .containsExactly("shardId-000000000001", "shardId-000000000002");
        assertThat(children.get(0).parentShards()).containsExactly("shardId-000000000000");
        assertThat(cause(() -> client.splitShard(b -> b.streamName("s").shardToSplit("shardId-000000000000")
                .newStartingHashKey("5")).join())).isInstanceOf(ResourceNotFoundException.class);
        assertThat(cause(() -> client.splitShard(b -> b.streamName("s").shardToSplit("shardId-000000000001")
                .newStartingHashKey("0")).join())).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void mergeMakesOneChildWithTwoParents() {
        kinesis.createStream("m", 2);
        client.mergeShards(b -> b.streamName("m").shardToMerge("shardId-000000000000")
                .adjacentShardToMerge("shardId-000000000001")).join();
        List<Shard> shards = client.listShards(b -> b.streamName("m")
                .shardFilter(f -> f.type(ShardFilterType.AT_LATEST))).join().shards();
        assertThat(shards).hasSize(1);
        assertThat(shards.get(0).parentShardId()).isEqualTo("shardId-000000000000");
        assertThat(shards.get(0).adjacentParentShardId()).isEqualTo("shardId-000000000001");
        assertThat(shards.get(0).hashKeyRange().startingHashKey()).isEqualTo("0");
        assertThat(shards.get(0).hashKeyRange().endingHashKey()).isEqualTo(LocalStream.MAX_HASH_KEY.toString());
    }

    @Test
    void updateShardCountScalesUniformlyWithinLimits() {
        kinesis.createStream("u", 3);
        var response = client.updateShardCount(b -> b.streamName("u").targetShardCount(5)
                .scalingType(ScalingType.UNIFORM_SCALING)).join();
        assertThat(response.currentShardCount()).isEqualTo(3);
        assertThat(response.targetShardCount()).isEqualTo(5);
        List<Shard> open = client.listShards(b -> b.streamName("u")
                .shardFilter(f -> f.type(ShardFilterType.AT_LATEST))).join().shards().stream()
                .sorted(java.util.Comparator.comparing(s -> new BigInteger(s.hashKeyRange().startingHashKey())))
                .toList();
        assertThat(open).hasSize(5);
        BigInteger step = BigInteger.ONE.shiftLeft(128).divide(BigInteger.valueOf(5));
        for (int i = 0; i < 5; i++) {
            assertThat(open.get(i).hashKeyRange().startingHashKey()).isEqualTo(step.multiply(BigInteger.valueOf(i))
                    .toString());
            assertThat(open.get(i).parentShardId()).isNotNull();
        }
        // Every record still routes and lands in an open shard.
        for (int i = 0; i < 50; i++) {
            put("u", "key" + i, "v" + i);
        }
        assertThat(cause(() -> client.updateShardCount(b -> b.streamName("u").targetShardCount(11)
                .scalingType(ScalingType.UNIFORM_SCALING)).join())).isInstanceOf(LimitExceededException.class);
        assertThat(cause(() -> client.updateShardCount(b -> b.streamName("u").targetShardCount(2)
                .scalingType(ScalingType.UNIFORM_SCALING)).join())).isInstanceOf(LimitExceededException.class);
        client.updateShardCount(b -> b.streamName("u").targetShardCount(3)
                .scalingType(ScalingType.UNIFORM_SCALING)).join();
        assertThat(kinesis.store().find("u").openShards()).hasSize(3);
    }

    @Test
    void shardFiltersSelectByTime() {
        kinesis.createStream("f", 2);
        Instant beforeSplit = clock.instant();
        clock.advance(Duration.ofMinutes(1));
        client.splitShard(b -> b.streamName("f").shardToSplit("shardId-000000000000")
                .newStartingHashKey("1000")).join();
        clock.advance(Duration.ofMinutes(1));
        assertThat(ids(ShardFilterType.AT_LATEST, null, null))
                .containsExactly("shardId-000000000001", "shardId-000000000002", "shardId-000000000003");
        assertThat(ids(ShardFilterType.AT_TRIM_HORIZON, null, null))
                .containsExactly("shardId-000000000000", "shardId-000000000001");
        assertThat(ids(ShardFilterType.FROM_TRIM_HORIZON, null, null)).hasSize(4);
        assertThat(ids(ShardFilterType.AT_TIMESTAMP, null, beforeSplit))
                .containsExactly("shardId-000000000000", "shardId-000000000001");
        assertThat(ids(ShardFilterType.FROM_TIMESTAMP, null, clock.instant())).hasSize(3);
        assertThat(ids(ShardFilterType.AFTER_SHARD_ID, "shardId-000000000001", null))
                .containsExactly("shardId-000000000002", "shardId-000000000003");
        // After the retention period the closed parent is gone from the trim horizon.
        clock.advance(Duration.ofHours(25));
        assertThat(ids(ShardFilterType.AT_TRIM_HORIZON, null, null))
                .containsExactly("shardId-000000000001", "shardId-000000000002", "shardId-000000000003");
    }

    private List<String> ids(ShardFilterType type, String shardId, Instant timestamp) {
        return client.listShards(b -> b.streamName("f").shardFilter(f -> f.type(type).shardId(shardId)
                .timestamp(timestamp))).join().shards().stream().map(Shard::shardId).toList();
    }

    @Test
    void retentionTrimsOldRecordsAndCanBeChanged() {
        kinesis.createStream("r", 1);
        put("r", "k", "old");
        clock.advance(Duration.ofHours(23));
        put("r", "k", "new");
        client.increaseStreamRetentionPeriod(b -> b.streamName("r").retentionPeriodHours(48)).join();
        clock.advance(Duration.ofHours(2));
        assertThat(readAll("r", "shardId-000000000000", new ArrayList<>())).containsExactly("old", "new");
        client.decreaseStreamRetentionPeriod(b -> b.streamName("r").retentionPeriodHours(24)).join();
        assertThat(readAll("r", "shardId-000000000000", new ArrayList<>())).containsExactly("new");
        assertThat(cause(() -> client.increaseStreamRetentionPeriod(b -> b.streamName("r")
                .retentionPeriodHours(12)).join())).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("24");
        assertThat(client.describeStreamSummary(b -> b.streamName("r")).join().streamDescriptionSummary()
                .retentionPeriodHours()).isEqualTo(24);
    }

    @Test
    void atTimestampIteratorsFindTheFirstRecordAtOrAfter() {
        kinesis.createStream("t", 1);
        put("t", "k", "one");
        clock.advance(Duration.ofSeconds(10));
        Instant second = clock.instant();
        put("t", "k", "two");
        String iterator = client.getShardIterator(b -> b.streamName("t").shardId("shardId-000000000000")
                .shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(second.minusMillis(1))).join()
                .shardIterator();
        assertThat(client.getRecords(b -> b.shardIterator(iterator)).join().records())
                .extracting(r -> r.data().asUtf8String()).containsExactly("two");
    }

    @Test
    void storedBytesAreCappedPerStreamOldestFirst() {
        try (LocalKinesis small = LocalKinesis.builder().tls(false).limitsEnabled(false)
                .maxStoredBytesPerStream(2 * 1024 * 1024).build().start()) {
            small.createStream("cap", 2);
            LocalStream stream = small.store().find("cap");
            for (int i = 0; i < 100; i++) {
                LocalShard shard = stream.route(RecordOperations.hashKey("k" + i));
                shard.appendQuietly("k" + i, new byte[64 * 1024], i);
                stream.storedBytes().addAndGet(64 * 1024 + ("k" + i).length());
                if (stream.storedBytes().get() > small.store().maxStoredBytesPerStream()) {
                    stream.trimToBytes(small.store().maxStoredBytesPerStream());
                }
            }
            assertThat(stream.storedBytes().get()).isLessThanOrEqualTo(2 * 1024 * 1024);
            long oldestKept = stream.shards().stream().mapToLong(LocalShard::oldestArrivalMillis).min().orElseThrow();
            assertThat(oldestKept).isGreaterThan(60);
        }
    }

    @Test
    void streamArnWorksOnEveryOperationAndMustAgreeWithTheName() {
        String arn = kinesis.createStream("a", 1);
        assertThat(arn).isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/a");
        client.putRecord(b -> b.streamARN(arn).partitionKey("k").data(SdkBytes.fromUtf8String("x"))).join();
        client.putRecords(b -> b.streamARN(arn).streamName("a").records(r -> r.partitionKey("k")
                .data(SdkBytes.fromUtf8String("y")))).join();
        assertThat(client.describeStreamSummary(b -> b.streamARN(arn)).join().streamDescriptionSummary()
                .streamName()).isEqualTo("a");
        String iterator = client.getShardIterator(b -> b.streamARN(arn).shardId("shardId-000000000000")
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).join().shardIterator();
        assertThat(client.getRecords(b -> b.streamARN(arn).shardIterator(iterator)).join().records()).hasSize(2);
        assertThat(client.listShards(b -> b.streamARN(arn)).join().shards()).hasSize(1);
        assertThat(cause(() -> client.describeStreamSummary(b -> b.streamARN(arn).streamName("b")).join()))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(cause(() -> client.describeStreamSummary(b -> b
                .streamARN("arn:aws:kinesis:us-east-1:000000000000:stream/nope")).join()))
                .isInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void tagsDeletionModesAndStatusDelay() throws Exception {
        // A status delay long enough that a loaded machine still sees each transitional state; the transitions'
        // ends are waited for on conditions.
        try (LocalKinesis slow = LocalKinesis.builder().tls(false).statusDelay(Duration.ofSeconds(3)).build()
                .start(); KinesisAsyncClient c = SdkClients.async(slow.endpoint(), false)) {
            c.createStream(b -> b.streamName("d").streamModeDetails(m -> m.streamMode(StreamMode.ON_DEMAND))).join();
            var summary = c.describeStreamSummary(b -> b.streamName("d")).join().streamDescriptionSummary();
            assertThat(summary.streamStatus()).isEqualTo(StreamStatus.CREATING);
            assertThat(summary.streamModeDetails().streamMode()).isEqualTo(StreamMode.ON_DEMAND);
            assertThat(cause(() -> c.putRecord(b -> b.streamName("d").partitionKey("k")
                    .data(SdkBytes.fromUtf8String("x"))).join())).isInstanceOf(ResourceNotFoundException.class);
            Await.until("ACTIVE", () -> status(c, "d") == StreamStatus.ACTIVE);
            assertThat(summary.openShardCount()).isEqualTo(4);
            c.updateShardCount(b -> b.streamName("d").targetShardCount(8).scalingType(ScalingType.UNIFORM_SCALING))
                    .join();
            assertThat(cause(() -> c.splitShard(b -> b.streamName("d").shardToSplit("shardId-000000000000")
                    .newStartingHashKey("10")).join())).isInstanceOf(ResourceInUseException.class);
            Await.until("ACTIVE again", () -> status(c, "d") == StreamStatus.ACTIVE);
            assertThat(c.describeStreamSummary(b -> b.streamName("d")).join().streamDescriptionSummary()
                    .openShardCount()).isEqualTo(8);
            c.addTagsToStream(b -> b.streamName("d").tags(Map.of("team", "core", "env", "test"))).join();
            assertThat(c.listTagsForStream(b -> b.streamName("d")).join().tags())
                    .extracting(t -> t.key() + "=" + t.value()).containsExactly("env=test", "team=core");
            c.deleteStream(b -> b.streamName("d")).join();
            // As the service: described as DELETING until it is gone, no longer writable.
            assertThat(c.describeStream(b -> b.streamName("d")).join().streamDescription().streamStatus())
                    .isEqualTo(StreamStatus.DELETING);
            assertThat(cause(() -> c.putRecord(b -> b.streamName("d").partitionKey("k")
                    .data(SdkBytes.fromUtf8String("x"))).join())).isInstanceOf(ResourceNotFoundException.class);
            Await.until("gone", () -> !c.listStreams().join().streamNames().contains("d"));
        }
    }

    private static StreamStatus status(KinesisAsyncClient c, String stream) {
        return c.describeStreamSummary(b -> b.streamName(stream)).join().streamDescriptionSummary().streamStatus();
    }

}
