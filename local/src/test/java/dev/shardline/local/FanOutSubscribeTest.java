package dev.shardline.local;

import static dev.shardline.local.FanOutTestSupport.activeConsumer;
import static dev.shardline.local.FanOutTestSupport.position;
import static dev.shardline.local.FanOutTestSupport.put;
import static dev.shardline.local.FanOutTestSupport.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardline.local.FanOutTestSupport.Recorder;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;

/** SubscribeToShard through the unmodified SDK (Netty client, HTTP/2) against LocalKinesis, on h2c and TLS. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FanOutSubscribeTest {
    private static final String SHARD0 = "shardId-000000000000";
    private static final String LOW_HASH = "0";
    private static final AtomicInteger NAMES = new AtomicInteger();

    private static LocalKinesis kinesis;
    private static KinesisAsyncClient h2c;
    private static KinesisAsyncClient tls;
    private final List<Recorder> recorders = new ArrayList<>();

    @BeforeAll
    static void start() {
        kinesis = LocalKinesis.builder()
                .fanOut(FanOutConfig.builder().takeoverWindow(Duration.ofMillis(200)).build())
                .build().start();
        h2c = FanOutTestSupport.http2Client(kinesis.endpoint());
        tls = FanOutTestSupport.http2Client(kinesis.tlsEndpoint());
    }

    @AfterAll
    static void stop() {
        h2c.close();
        tls.close();
        kinesis.close();
    }

    @org.junit.jupiter.api.AfterEach
    void closeRecorders() {
        recorders.forEach(Recorder::close);
        kinesis.fanOut().faults().clear();
        kinesis.faults().clear();
    }

    private Recorder recorder(long perEventDelayMillis) {
        Recorder r = new Recorder(perEventDelayMillis);
        recorders.add(r);
        return r;
    }

    private static String stream(int shards) {
        String name = "fanout-" + NAMES.incrementAndGet();
        return kinesis.createStream(name, shards);
    }

    private static String nameOf(String streamArn) {
        return streamArn.substring(streamArn.indexOf("stream/") + "stream/".length());
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2c", "tls"})
    void everyRecordPutArrivesInOrderAfterTheInitialResponse(String transport) {
        KinesisAsyncClient client = transport.equals("tls") ? tls : h2c;
        String arn = stream(1);
        String consumer = activeConsumer(client, arn, "every");
        List<byte[]> before = put(client, nameOf(arn), LOW_HASH, 300, 100, "before");

        Recorder r = recorder(0).subscribe(client, consumer, SHARD0, position(ShardIteratorType.TRIM_HORIZON, null));
        r.awaitResponse(10_000);
        r.awaitRecords(300, 10_000);
        List<byte[]> after = put(client, nameOf(arn), LOW_HASH, 300, 100, "after");
        r.awaitRecords(600, 10_000);

        List<byte[]> expected = new ArrayList<>(before);
        expected.addAll(after);
        assertThat(r.data()).containsExactlyElementsOf(expected);
        String previous = null;
        for (SubscribeToShardEvent e : r.all) {
            assertThat(e.continuationSequenceNumber()).isNotNull();
            assertThat(e.millisBehindLatest()).isNotNull().isGreaterThanOrEqualTo(0L);
            for (Record record : e.records()) {
                if (previous != null) {
                    assertThat(new BigInteger(record.sequenceNumber())).isGreaterThan(new BigInteger(previous));
                }
                previous = record.sequenceNumber();
                assertThat(record.approximateArrivalTimestamp()).isBefore(Instant.now().plusSeconds(1));
                assertThat(record.partitionKey()).startsWith("pk-");
            }
            if (!e.records().isEmpty()) {
                assertThat(e.continuationSequenceNumber())
                        .isEqualTo(e.records().get(e.records().size() - 1).sequenceNumber());
            }
        }
        assertThat(r.error).isNull();
    }

    @Test
    void resubscribingAfterTheLastContinuationMissesNothingAndRepeatsNothing() {
        String arn = stream(1);
        String consumer = activeConsumer(h2c, arn, "resume");
        List<byte[]> first = put(h2c, nameOf(arn), LOW_HASH, 200, 64, "first");
        Recorder one = recorder(0).subscribe(h2c, consumer, SHARD0, position(ShardIteratorType.TRIM_HORIZON, null));
        one.awaitRecords(200, 10_000);
        String continuation = one.all.get(one.all.size() - 1).continuationSequenceNumber();
        one.close();
        List<byte[]> second = put(h2c, nameOf(arn), LOW_HASH, 150, 64, "second");
        sleep(250); // the takeover window of this server

        Recorder two = recorder(0).subscribe(h2c, consumer, SHARD0,
                position(ShardIteratorType.AFTER_SEQUENCE_NUMBER, continuation));
        two.awaitRecords(150, 10_000);
        sleep(100);
        assertThat(one.data()).containsExactlyElementsOf(first);
        assertThat(two.data()).containsExactlyElementsOf(second);
    }

    @Test
    void everyStartingPositionType() {
        String arn = stream(1);
        String name = nameOf(arn);
        List<byte[]> early = put(h2c, name, LOW_HASH, 10, 32, "early");
        sleep(30);
        Instant between = Instant.now();
        sleep(30);
        List<byte[]> late = put(h2c, name, LOW_HASH, 10, 32, "late");
        // Sequence numbers, read back through a first subscription.
        Recorder all = recorder(0).subscribe(h2c, activeConsumer(h2c, arn, "all"), SHARD0,
                position(ShardIteratorType.TRIM_HORIZON, null));
        all.awaitRecords(20, 10_000);
        List<String> seqs = new ArrayList<>();
        all.all.forEach(e -> e.records().forEach(rec -> seqs.add(rec.sequenceNumber())));

        Recorder at = recorder(0).subscribe(h2c, activeConsumer(h2c, arn, "at"), SHARD0,
                position(ShardIteratorType.AT_SEQUENCE_NUMBER, seqs.get(3)));
        Recorder after = recorder(0).subscribe(h2c, activeConsumer(h2c, arn, "after"), SHARD0,
                position(ShardIteratorType.AFTER_SEQUENCE_NUMBER, seqs.get(3)));
        Recorder timestamp = recorder(0).subscribe(h2c, activeConsumer(h2c, arn, "timestamp"), SHARD0,
                StartingPosition.builder().type(ShardIteratorType.AT_TIMESTAMP).timestamp(between).build());
        Recorder latest = recorder(0).subscribe(h2c, activeConsumer(h2c, arn, "latest"), SHARD0,
                position(ShardIteratorType.LATEST, null));
        at.awaitRecords(17, 10_000);
        after.awaitRecords(16, 10_000);
        timestamp.awaitRecords(10, 10_000);
        latest.awaitResponse(10_000);
        List<byte[]> newest = put(h2c, name, LOW_HASH, 2, 32, "newest");
        latest.awaitRecords(2, 10_000);

        List<byte[]> everything = new ArrayList<>(early);
        everything.addAll(late);
        assertThat(at.data().get(0)).isEqualTo(everything.get(3));
        assertThat(after.data().get(0)).isEqualTo(everything.get(4));
        assertThat(timestamp.data().subList(0, 10)).containsExactlyElementsOf(late);
        assertThat(latest.data()).containsExactlyElementsOf(newest);
    }

    @Test
    void aClosedShardEndsWithItsChildrenAndNoContinuation() {
        String arn = stream(1);
        String consumer = activeConsumer(h2c, arn, "split");
        List<byte[]> sent = put(h2c, nameOf(arn), LOW_HASH, 50, 100, "parent");
        Recorder r = recorder(0).subscribe(h2c, consumer, SHARD0, position(ShardIteratorType.TRIM_HORIZON, null));
        r.awaitRecords(50, 10_000);
        String middle = BigInteger.ONE.shiftLeft(127).toString();
        h2c.splitShard(b -> b.streamName(nameOf(arn)).shardToSplit(SHARD0).newStartingHashKey(middle)).join();
        r.awaitDone(10_000);

        assertThat(r.error).isNull();
        assertThat(r.completed).isTrue();
        assertThat(r.data()).containsExactlyElementsOf(sent);
        SubscribeToShardEvent last = r.all.get(r.all.size() - 1);
        assertThat(last.continuationSequenceNumber()).isNull();
        assertThat(last.records()).isEmpty();
        assertThat(last.childShards()).hasSize(2);
        for (ChildShard child : last.childShards()) {
            assertThat(child.parentShards()).containsExactly(SHARD0);
        }
        assertThat(last.childShards().get(0).hashKeyRange().endingHashKey())
                .isEqualTo(new BigInteger(middle).subtract(BigInteger.ONE).toString());
        assertThat(last.childShards().get(1).hashKeyRange().startingHashKey()).isEqualTo(middle);
        // The parent's end is reported once, and every earlier event had a continuation.
        for (SubscribeToShardEvent e : r.all.subList(0, r.all.size() - 1)) {
            assertThat(e.continuationSequenceNumber()).isNotNull();
            assertThat(e.hasChildShards() && !e.childShards().isEmpty()).isFalse();
        }
    }

    /**
     * A subscription that starts before a closed shard's last record sends the rest, then the children with no
     * continuation, and ends: a fan-out consumer after a merge waits for exactly this end of both parents.
     */
    @ParameterizedTest
    @ValueSource(strings = {"TRIM_HORIZON", "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"})
    void aSubscriptionStartingInsideAClosedShardDeliversTheRestThenItsChildrenAndEnds(String type) {
        String arn = stream(2);
        String name = nameOf(arn);
        String consumer = activeConsumer(h2c, arn, "closed-" + type.toLowerCase(java.util.Locale.ROOT));
        String high = BigInteger.ONE.shiftLeft(127).toString();
        List<byte[]> parent = put(h2c, name, LOW_HASH, 40, 50, "parent");
        put(h2c, name, high, 40, 50, "adjacent");
        List<String> seqs = new ArrayList<>();
        String iterator = h2c.getShardIterator(b -> b.streamName(name).shardId(SHARD0)
                .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).join().shardIterator();
        h2c.getRecords(b -> b.shardIterator(iterator)).join().records().forEach(rec -> seqs.add(rec.sequenceNumber()));
        assertThat(seqs).hasSize(40);
        h2c.mergeShards(b -> b.streamName(name).shardToMerge(SHARD0).adjacentShardToMerge("shardId-000000000001"))
                .join();
        put(h2c, name, LOW_HASH, 5, 50, "child");

        int from = switch (type) {
            case "TRIM_HORIZON" -> 0;
            case "AT_SEQUENCE_NUMBER" -> 10;
            default -> 11;
        };
        Recorder r = recorder(0).subscribe(h2c, consumer, SHARD0, position(ShardIteratorType.fromValue(type),
                type.equals("TRIM_HORIZON") ? null : seqs.get(10)));
        r.awaitDone(30_000);

        assertThat(r.error).isNull();
        assertThat(r.completed).isTrue();
        assertThat(r.data()).containsExactlyElementsOf(parent.subList(from, parent.size()));
        SubscribeToShardEvent last = r.all.get(r.all.size() - 1);
        assertThat(last.records()).isEmpty();
        assertThat(last.continuationSequenceNumber()).isNull();
        assertThat(last.childShards()).hasSize(1);
        assertThat(last.childShards().get(0).shardId()).isEqualTo("shardId-000000000002");
        assertThat(last.childShards().get(0).parentShards())
                .containsExactly(SHARD0, "shardId-000000000001");
        for (SubscribeToShardEvent e : r.all.subList(0, r.all.size() - 1)) {
            assertThat(e.continuationSequenceNumber()).isNotNull();
        }
    }

    @Test
    void aShortShardIdNamesTheShardAsTheServiceAccepts() {
        String arn = stream(2);
        String consumer = activeConsumer(h2c, arn, "short-id");
        List<byte[]> sent = put(h2c, nameOf(arn), BigInteger.ONE.shiftLeft(127).toString(), 3, 10, "s");
        Recorder r = recorder(0).subscribe(h2c, consumer, "1", position(ShardIteratorType.TRIM_HORIZON, null));
        r.awaitRecords(3, 10_000);
        assertThat(r.data()).containsExactlyElementsOf(sent);
        assertThat(kinesis.fanOut().subscriptions()).extracting(SubscriptionStats::shardId)
                .contains("shardId-000000000001");
    }

    @Test
    void fiveSubscriptionsAtOnceOnDifferentShards() throws Exception {
        String arn = stream(5);
        String consumer = activeConsumer(tls, arn, "five");
        List<Recorder> five = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            five.add(recorder(0).subscribe(tls, consumer, LocalShard.shardIdOf(i),
                    position(ShardIteratorType.LATEST, null)));
        }
        for (Recorder r : five) {
            r.awaitResponse(10_000);
        }
        BigInteger step = BigInteger.ONE.shiftLeft(128).divide(BigInteger.valueOf(5));
        List<List<byte[]>> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sent.add(put(tls, nameOf(arn), step.multiply(BigInteger.valueOf(i)).toString(), 100, 50, "s" + i));
        }
        for (int i = 0; i < 5; i++) {
            five.get(i).awaitRecords(100, 10_000);
        }
        sleep(100);
        for (int i = 0; i < 5; i++) {
            assertThat(five.get(i).data()).as("shard %d", i).containsExactlyElementsOf(sent.get(i));
        }
        assertThat(kinesis.fanOut().activeSubscriptions()).isGreaterThanOrEqualTo(5);
    }

    @Test
    void unknownConsumerUnknownShardAndForeignSequenceAreRefused() {
        String arn = stream(2);
        String consumer = activeConsumer(h2c, arn, "errors");
        Recorder unknownConsumer = recorder(0).subscribe(h2c, consumer.replace("consumer/errors",
                "consumer/nobody"), SHARD0, position(ShardIteratorType.LATEST, null));
        Recorder unknownShard = recorder(0).subscribe(h2c, consumer, "shardId-000000000042",
                position(ShardIteratorType.LATEST, null));
        String foreign = SequenceNumbers.of(0, 1, -1);
        Recorder foreignSequence = recorder(0).subscribe(h2c, consumer, SHARD0,
                position(ShardIteratorType.AT_SEQUENCE_NUMBER, foreign));

        assertThatThrownBy(unknownConsumer.call::join).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(ResourceNotFoundException.class).hasMessageContaining("nobody");
        assertThatThrownBy(unknownShard.call::join).hasCauseInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("shardId-000000000042");
        assertThatThrownBy(foreignSequence.call::join).hasCauseInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("did not come from this shard");
        assertThat(unknownConsumer.gotInitialResponse).isFalse();
    }

    @Test
    void deregisteringTheConsumerEndsItsSubscriptionWithAnExceptionEvent() {
        String arn = stream(1);
        String consumer = activeConsumer(h2c, arn, "leaving");
        Recorder r = recorder(0).subscribe(h2c, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        r.awaitResponse(10_000);
        h2c.deregisterStreamConsumer(b -> b.consumerARN(consumer)).join();
        r.awaitDone(10_000);
        assertThat(r.error).isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("deregistered");
        // And a new subscription is refused: the consumer is no longer ACTIVE.
        sleep(250);
        Recorder again = recorder(0).subscribe(h2c, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        assertThatThrownBy(again.call::join).hasCauseInstanceOf(ResourceNotFoundException.class);
    }

    @Test
    void injectedFaultsEndCutAndDelaySubscriptions() {
        String arn = stream(1);
        String consumer = activeConsumer(h2c, arn, "faulty");
        FanOutFaults faults = kinesis.fanOut().faults();

        faults.endNext(1, Duration.ofMillis(100));
        Recorder ended = recorder(0).subscribe(h2c, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        ended.awaitDone(10_000);
        assertThat(ended.error).isNull();
        assertThat(ended.completed).isTrue();

        sleep(250);
        faults.dropNext(1, Duration.ofMillis(100));
        Recorder dropped = recorder(0).subscribe(h2c, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        dropped.awaitDone(10_000);
        assertThat(dropped.error).isNotNull();
        assertThat(dropped.completed).isFalse();

        sleep(250);
        faults.delayEvents(Duration.ofMillis(300));
        Recorder delayed = recorder(0).subscribe(h2c, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        delayed.awaitResponse(10_000);
        long putAt = System.nanoTime();
        put(h2c, nameOf(arn), LOW_HASH, 1, 10, "late");
        delayed.awaitRecords(1, 10_000);
        assertThat(System.nanoTime() - putAt).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
        faults.clear();

        assertThat(faults.endActive()).isEqualTo(1);
        delayed.awaitDone(10_000);
        assertThat(delayed.completed).isTrue();
    }

    @Test
    void perOperationFaultsApplyToTheSubscribeToShardCallItself() {
        String arn = stream(1);
        String consumer = activeConsumer(h2c, arn, "throttled");
        // The SDK does not retry SubscribeToShard: an injected error reaches the handler as is (KCL retries).
        Faults.Active throttle = kinesis.faults().inject(Fault.throttle().operation("SubscribeToShard")
                .nextCalls(1));
        Recorder throttled = recorder(0).subscribe(h2c, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        throttled.awaitDone(10_000);
        assertThat(throttled.error).isInstanceOf(ProvisionedThroughputExceededException.class);
        assertThat(throttled.gotInitialResponse).isFalse();
        assertThat(throttle.hits()).isEqualTo(1);

        kinesis.faults().inject(Fault.internalFailure().operation("SubscribeToShard").nextCalls(1));
        Recorder failed = recorder(0).subscribe(h2c, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        failed.awaitDone(10_000);
        assertThat(failed.error).isInstanceOf(KinesisException.class);
        assertThat(((KinesisException) failed.error).statusCode()).isEqualTo(500);

        kinesis.faults().inject(Fault.latency(Duration.ofMillis(300)).operation("SubscribeToShard").nextCalls(1));
        long start = System.nanoTime();
        Recorder slow = recorder(0).subscribe(h2c, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        slow.awaitResponse(10_000);
        List<byte[]> sent = put(h2c, nameOf(arn), LOW_HASH, 3, 10, "after-faults");
        slow.awaitRecords(3, 10_000);
        assertThat(slow.data()).containsExactlyElementsOf(sent);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
    }

    @Test
    void delayedEventsStillEndAClosedShardWithItsChildren() {
        String arn = stream(1);
        String consumer = activeConsumer(h2c, arn, "delayed-end");
        kinesis.fanOut().faults().delayEvents(Duration.ofMillis(100));
        List<byte[]> sent = put(h2c, nameOf(arn), LOW_HASH, 5, 10, "d");
        Recorder r = recorder(0).subscribe(h2c, consumer, SHARD0, position(ShardIteratorType.TRIM_HORIZON, null));
        r.awaitRecords(5, 10_000);
        // Uniform scaling from 1 to 2 shards closes shard 0 with two children.
        h2c.updateShardCount(b -> b.streamName(nameOf(arn)).targetShardCount(2)
                .scalingType(software.amazon.awssdk.services.kinesis.model.ScalingType.UNIFORM_SCALING)).join();
        r.awaitDone(10_000);
        assertThat(r.error).isNull();
        assertThat(r.data()).containsExactlyElementsOf(sent);
        SubscribeToShardEvent last = r.all.get(r.all.size() - 1);
        assertThat(last.continuationSequenceNumber()).isNull();
        assertThat(last.childShards()).hasSize(2);
    }
}
