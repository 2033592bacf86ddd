package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * The same scenario against LocalKinesis and the independent kinesis-mock emulator (npm kinesis-local): for the
 * operations both support, the observable results agree — shard layout, routing, ordering, iterator behaviour and
 * error types. Where kinesis-mock departs from the documented service, LocalKinesis follows the service and the
 * difference is asserted separately below.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConformanceTest {
    private static final String STREAM = "conformance";

    @Test
    void localKinesisAgreesWithKinesisMock() throws Exception {
        assumeTrue(KinesisMockPeer.installed(), "kinesis-local is installed by the build (npm ci)");
        Map<String, Object> local;
        try (LocalKinesis kinesis = LocalKinesis.builder().tls(false).limitsEnabled(false).build().start();
                KinesisAsyncClient client = SdkClients.async(kinesis.endpoint(), false)) {
            local = scenario(client);
        }
        Map<String, Object> mock;
        try (KinesisMockPeer peer = KinesisMockPeer.start();
                KinesisAsyncClient client = SdkClients.async(peer.endpoint(), false)) {
            mock = scenario(client);
        }
        // Kept for reading: what both endpoints answered.
        java.nio.file.Files.writeString(java.nio.file.Path.of("target", "conformance-observed.txt"),
                "local: " + local + "\nkinesis-mock: " + mock + "\n");
        assertThat(local.keySet()).containsExactlyElementsOf(mock.keySet());
        for (String key : local.keySet()) {
            assertThat(local.get(key)).as(key).isEqualTo(mock.get(key));
        }
    }

    @Test
    void putRecordsOver500EntriesIsRejectedAsTheServiceDoes() throws Exception {
        // kinesis-mock accepts 501 entries; the service (and LocalKinesis) answer ValidationException.
        try (LocalKinesis kinesis = LocalKinesis.builder().tls(false).limitsEnabled(false).build().start();
                KinesisAsyncClient client = SdkClients.async(kinesis.endpoint(), false)) {
            kinesis.createStream(STREAM, 1);
            List<PutRecordsRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < 501; i++) {
                entries.add(PutRecordsRequestEntry.builder().partitionKey("k").data(SdkBytes.fromUtf8String("x"))
                        .build());
            }
            assertThat(error(() -> client.putRecords(b -> b.streamName(STREAM).records(entries)).join()))
                    .isEqualTo("ValidationException");
        }
    }

    private static String error(Runnable call) {
        try {
            call.run();
            return "none";
        } catch (CompletionException e) {
            return e.getCause() instanceof KinesisException k ? k.awsErrorDetails().errorCode()
                    : e.getCause().getClass().getSimpleName();
        }
    }

    private static void awaitActive(KinesisAsyncClient client) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            StreamStatus status = client.describeStreamSummary(b -> b.streamName(STREAM)).join()
                    .streamDescriptionSummary().streamStatus();
            if (status == StreamStatus.ACTIVE) {
                return;
            }
            Thread.sleep(25);
        }
        throw new AssertionError("stream did not become ACTIVE");
    }

    private static List<String> layout(KinesisAsyncClient client) {
        List<String> out = new ArrayList<>();
        for (Shard s : client.listShards(b -> b.streamName(STREAM)).join().shards()) {
            out.add(s.shardId() + " " + s.hashKeyRange().startingHashKey() + ".." + s.hashKeyRange().endingHashKey()
                    + " parent=" + s.parentShardId() + " adjacent=" + s.adjacentParentShardId()
                    + " open=" + (s.sequenceNumberRange().endingSequenceNumber() == null));
        }
        return out;
    }

    private static String iterator(KinesisAsyncClient client, String shardId, ShardIteratorType type, String seq) {
        return client.getShardIterator(b -> b.streamName(STREAM).shardId(shardId).shardIteratorType(type)
                .startingSequenceNumber(seq)).join().shardIterator();
    }

    /** Reads a shard from the iterator until it is caught up (or ends), in pages of {@code limit}. */
    private static List<Record> drain(KinesisAsyncClient client, String iterator, int limit, List<String> endOut) {
        List<Record> out = new ArrayList<>();
        String next = iterator;
        for (int i = 0; i < 100 && next != null; i++) {
            String it = next;
            GetRecordsResponse response = client.getRecords(b -> b.shardIterator(it).limit(limit)).join();
            out.addAll(response.records());
            next = response.nextShardIterator();
            if (next == null && endOut != null) {
                endOut.add("end children=" + response.childShards().stream().map(c -> c.shardId() + "<"
                        + c.parentShards()).toList());
            }
            if (response.records().isEmpty() && response.millisBehindLatest() == 0) {
                break;
            }
        }
        return out;
    }

    private static Map<String, Object> scenario(KinesisAsyncClient client) throws Exception {
        Map<String, Object> seen = new LinkedHashMap<>();
        client.createStream(b -> b.streamName(STREAM).shardCount(3)).join();
        awaitActive(client);
        seen.put("layout", layout(client));

        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            entries.add(PutRecordsRequestEntry.builder().partitionKey("key-" + i)
                    .data(SdkBytes.fromUtf8String("data-" + i)).build());
        }
        var put = client.putRecords(b -> b.streamName(STREAM).records(entries)).join();
        seen.put("putRecords.failed", put.failedRecordCount());
        seen.put("routing", put.records().stream().map(r -> r.shardId()).toList());
        seen.put("ehk.min", client.putRecord(b -> b.streamName(STREAM).partitionKey("x").explicitHashKey("0")
                .data(SdkBytes.fromUtf8String("min"))).join().shardId());
        seen.put("ehk.max", client.putRecord(b -> b.streamName(STREAM).partitionKey("x")
                .explicitHashKey(LocalStream.MAX_HASH_KEY.toString()).data(SdkBytes.fromUtf8String("max"))).join()
                .shardId());

        Map<String, List<String>> perShard = new LinkedHashMap<>();
        for (Shard shard : client.listShards(b -> b.streamName(STREAM)).join().shards()) {
            List<Record> records = drain(client, iterator(client, shard.shardId(), ShardIteratorType.TRIM_HORIZON,
                    null), 7, null);
            perShard.put(shard.shardId(), records.stream().map(r -> r.partitionKey() + "=" + r.data().asUtf8String())
                    .toList());
            BigInteger previous = BigInteger.valueOf(-1);
            for (Record r : records) {
                BigInteger seq = new BigInteger(r.sequenceNumber());
                assertThat(seq).as("sequence numbers increase within a shard").isGreaterThan(previous);
                previous = seq;
            }
        }
        seen.put("order", perShard);

        String shard0 = "shardId-000000000000";
        List<Record> first = drain(client, iterator(client, shard0, ShardIteratorType.TRIM_HORIZON, null), 100, null);
        seen.put("at", drain(client, iterator(client, shard0, ShardIteratorType.AT_SEQUENCE_NUMBER,
                first.get(1).sequenceNumber()), 1, null).get(0).data().asUtf8String());
        seen.put("after", drain(client, iterator(client, shard0, ShardIteratorType.AFTER_SEQUENCE_NUMBER,
                first.get(1).sequenceNumber()), 1, null).get(0).data().asUtf8String());
        String latest = iterator(client, shard0, ShardIteratorType.LATEST, null);
        seen.put("latest.before", client.getRecords(b -> b.shardIterator(latest)).join().records().size());
        client.putRecord(b -> b.streamName(STREAM).partitionKey("late").explicitHashKey("1")
                .data(SdkBytes.fromUtf8String("late"))).join();
        seen.put("latest.after", client.getRecords(b -> b.shardIterator(latest)).join().records().stream()
                .map(r -> r.data().asUtf8String()).toList());
        seen.put("limit", client.getRecords(b -> b.shardIterator(iterator(client, shard0,
                ShardIteratorType.TRIM_HORIZON, null)).limit(3)).join().records().size());

        seen.put("error.describeMissing", error(() -> client.describeStream(b -> b.streamName("missing")).join()));
        seen.put("error.createDuplicate", error(() -> client.createStream(b -> b.streamName(STREAM).shardCount(1))
                .join()));
        seen.put("error.unknownShard", error(() -> client.getShardIterator(b -> b.streamName(STREAM)
                .shardId("shardId-000000000099").shardIteratorType(ShardIteratorType.LATEST)).join()));
        seen.put("error.putMissingStream", error(() -> client.putRecord(b -> b.streamName("missing")
                .partitionKey("k").data(SdkBytes.fromUtf8String("x"))).join()));
        seen.put("error.atSequenceWithoutNumber", error(() -> client.getShardIterator(b -> b.streamName(STREAM)
                .shardId(shard0).shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER)).join()));

        BigInteger middle = BigInteger.ONE.shiftLeft(126);
        client.splitShard(b -> b.streamName(STREAM).shardToSplit(shard0).newStartingHashKey(middle.toString()))
                .join();
        awaitActive(client);
        seen.put("layout.afterSplit", layout(client));
        client.mergeShards(b -> b.streamName(STREAM).shardToMerge("shardId-000000000001")
                .adjacentShardToMerge("shardId-000000000002")).join();
        awaitActive(client);
        seen.put("layout.afterMerge", layout(client));
        List<String> end = new ArrayList<>();
        List<Record> closed = drain(client, iterator(client, shard0, ShardIteratorType.TRIM_HORIZON, null), 1000, end);
        seen.put("closedShard.records", closed.size());
        seen.put("closedShard.end", end);
        return seen;
    }
}
