package dev.shardline.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalKinesis;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordResponse;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * A lease table written by Amazon's KCL 3.1.0 is taken over by Shardline with KCL's checkpoints after KCL stops, and
 * KCL resumes from Shardline's checkpoints (and sees its pending checkpoint) after Shardline stops.
 */
@Timeout(150)
class KclInteropTest {

    @Test
    void checkpointsCarryOverFromKclToShardlineAndBack() throws Exception {
        DynamoDbAsyncClient dynamo = TestDynamo.client();
        try (LocalKinesis local = LocalKinesis.builder().port(0).tlsPort(0).build().start();
             KinesisAsyncClient kinesis = LocalClients.kinesis(local.endpoint())) {
            String app = TestDynamo.uniqueApp("interop");
            String stream = "interop-" + System.nanoTime();
            local.createStream(stream, 2);
            Map<String, List<String>> written = new TreeMap<>(); // shard -> sequence numbers in order
            put(kinesis, stream, 0, 20, written);
            assertThat(written).hasSize(2);
            List<String> shardIds = new ArrayList<>(written.keySet());

            // Pre-create the table, its index (KCL otherwise waits ~10 s for it) and the leases as a consumer does, with
            // hash ranges (KCL audits them), so KCL skips its random 1-30 s wait for an empty table.
            LeaseTable shardline = LeaseTable.builder(dynamo).applicationName(app).workerId("shardline-1").build();
            shardline.createIfMissing().join();
            for (Shard shard : kinesis.listShards(b -> b.streamName(stream)).join().shards()) {
                shardline.createLeaseIfAbsent(Lease.builder(shard.shardId()).checkpoint(ExtendedSequenceNumber.TRIM_HORIZON)
                        .hashKeyRange(new BigInteger(shard.hashKeyRange().startingHashKey()),
                                new BigInteger(shard.hashKeyRange().endingHashKey())).build()).join();
            }

            // 1. KCL processes everything and checkpoints, then stops.
            Map<String, String> kclCheckpoints = new HashMap<>();
            try (KclWorker kcl = new KclWorker(app, stream, "kcl-1", kinesis, dynamo)) {
                KclWorker.await(Duration.ofSeconds(60), "KCL to checkpoint every record", () -> shardIds.stream().allMatch(s ->
                        last(written.get(s)).equals(kcl.shard(s).lastCheckpointed)));
                for (String s : shardIds) {
                    assertThat(kcl.shard(s).sequenceNumbers).containsExactlyElementsOf(written.get(s));
                    kclCheckpoints.put(s, kcl.shard(s).lastCheckpointed);
                }
            }
            Map<String, AttributeValue> kclItem = rawItem(dynamo, app, shardIds.get(1));
            assertThat(kclItem).containsKeys("leaseKey", "leaseCounter", "checkpoint", "checkpointSubSequenceNumber",
                    "ownerSwitchesSinceCheckpoint");
            assertThat(kclItem.get("checkpoint").s()).isEqualTo(kclCheckpoints.get(shardIds.get(1)));

            // 2. Shardline takes the leases over (when unowned, or once their counters stop moving) with KCL's checkpoints.
            ExpiryTracker expiry = new ExpiryTracker(Duration.ofSeconds(2));
            Map<String, LeaseHolding> held = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (held.size() < shardIds.size()) {
                assertThat(System.nanoTime()).as("takeover in time").isLessThan(deadline);
                for (Lease l : shardline.listLeases().join()) {
                    expiry.observe(l.leaseKey(), l.counter());
                    if (!held.containsKey(l.leaseKey()) && (l.owner().isEmpty() || expiry.isExpired(l.leaseKey()))) {
                        shardline.take(l).join().ifPresent(t -> held.put(t.leaseKey(), shardline.hold(t)));
                    }
                }
                Thread.sleep(100);
            }
            for (String s : shardIds) {
                assertThat(held.get(s).lease().checkpoint()).isEqualTo(ExtendedSequenceNumber.of(kclCheckpoints.get(s)));
            }

            // 3. Shardline reads on from KCL's checkpoints: exactly the new records; checkpoints; one pending checkpoint.
            Map<String, List<String>> more = new TreeMap<>();
            put(kinesis, stream, 20, 10, more);
            Map<String, String> shardlineCheckpoints = new HashMap<>();
            for (String s : shardIds) {
                LeaseHolding cp = held.get(s);
                List<Record> records = readAfter(kinesis, stream, s, cp.lease().checkpoint().sequenceNumber());
                assertThat(records).extracting(Record::sequenceNumber).containsExactlyElementsOf(more.getOrDefault(s, List.of()));
                if (!records.isEmpty()) {
                    cp.recordDelivered(ExtendedSequenceNumber.of(last(records).sequenceNumber()));
                    cp.checkpoint().join();
                }
                shardlineCheckpoints.put(s, cp.lastCheckpoint().sequenceNumber());
            }
            String pendingShard = shardIds.get(0);
            Map<String, List<String>> evenMore = new TreeMap<>();
            put(kinesis, stream, 30, 6, evenMore);
            LeaseHolding p = held.get(pendingShard);
            List<Record> tail = readAfter(kinesis, stream, pendingShard, shardlineCheckpoints.get(pendingShard));
            assertThat(tail).isNotEmpty();
            p.recordDelivered(ExtendedSequenceNumber.of(last(tail).sequenceNumber()));
            p.prepareCheckpoint("app-state".getBytes(StandardCharsets.UTF_8)).join();
            for (LeaseHolding cp : held.values()) {
                cp.release().join();
            }

            // 4. KCL resumes from Shardline's checkpoints and sees the pending checkpoint with its state.
            try (KclWorker kcl = new KclWorker(app, stream, "kcl-2", kinesis, dynamo)) {
                KclWorker.await(Duration.ofSeconds(60), "KCL to process the records after Shardline's checkpoints",
                        () -> shardIds.stream().allMatch(s -> evenMore.getOrDefault(s, List.of()).isEmpty()
                                || last(evenMore.get(s)).equals(kcl.shard(s).lastCheckpointed)));
                for (String s : shardIds) {
                    KclWorker.ShardView v = kcl.shard(s);
                    assertThat(v.initialCheckpoint).as("KCL's starting checkpoint of %s", s).isEqualTo(shardlineCheckpoints.get(s));
                    assertThat(v.sequenceNumbers).as("records KCL read on %s", s)
                            .containsExactlyElementsOf(evenMore.getOrDefault(s, List.of()));
                }
                KclWorker.ShardView pv = kcl.shard(pendingShard);
                assertThat(pv.pendingCheckpoint).isEqualTo(last(tail).sequenceNumber());
                assertThat(new String(pv.pendingState, StandardCharsets.UTF_8)).isEqualTo("app-state");
            }
        }
    }

    private static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    private static Map<String, AttributeValue> rawItem(DynamoDbAsyncClient dynamo, String table, String key) {
        return dynamo.getItem(r -> r.tableName(table).key(Map.of("leaseKey", AttributeValue.fromS(key))).consistentRead(true))
                .join().item();
    }

    private static void put(KinesisAsyncClient kinesis, String stream, int from, int count, Map<String, List<String>> out) {
        for (int i = from; i < from + count; i++) {
            String key = "key-" + i;
            PutRecordResponse r = kinesis.putRecord(b -> b.streamName(stream).partitionKey(key)
                    .data(SdkBytes.fromUtf8String("record-" + key))).join();
            out.computeIfAbsent(r.shardId(), k -> new ArrayList<>()).add(r.sequenceNumber());
        }
    }

    private static List<Record> readAfter(KinesisAsyncClient kinesis, String stream, String shard, String sequence) {
        String iterator = kinesis.getShardIterator(b -> b.streamName(stream).shardId(shard)
                .shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).startingSequenceNumber(sequence)).join().shardIterator();
        List<Record> out = new ArrayList<>();
        for (int i = 0; i < 5 && iterator != null; i++) {
            String it = iterator;
            GetRecordsResponse r = kinesis.getRecords(b -> b.shardIterator(it)).join();
            out.addAll(r.records());
            if (r.millisBehindLatest() != null && r.millisBehindLatest() == 0 && r.records().isEmpty()) {
                break;
            }
            iterator = r.nextShardIterator();
        }
        return out;
    }
}
