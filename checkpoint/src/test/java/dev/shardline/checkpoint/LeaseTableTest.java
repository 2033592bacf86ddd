package dev.shardline.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

@Timeout(30)
class LeaseTableTest {
    private final DynamoDbAsyncClient client = TestDynamo.client();
    private String app;
    private LeaseTable w1;
    private LeaseTable w2;

    @BeforeEach
    void setUp() {
        app = TestDynamo.uniqueApp("leases");
        w1 = TestDynamo.table(app, "worker-1");
        w2 = TestDynamo.table(app, "worker-2");
        w1.createIfMissing().join();
    }

    private Map<String, AttributeValue> rawItem(String key) {
        return client.getItem(r -> r.tableName(app).key(Map.of("leaseKey", AttributeValue.fromS(key))).consistentRead(true))
                .join().item();
    }

    private Lease create(String key) {
        Lease lease = Lease.builder(key).checkpoint(ExtendedSequenceNumber.TRIM_HORIZON).build();
        assertThat(w1.createLeaseIfAbsent(lease).join()).isTrue();
        return w1.getLease(key).join().orElseThrow();
    }

    private static Throwable cause(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    @Test
    void createsTheTableOnDemandWithTheOwnerIndexAndIsIdempotent() {
        TableDescription d = client.describeTable(r -> r.tableName(app)).join().table();
        assertThat(d.tableStatus()).isEqualTo(TableStatus.ACTIVE);
        assertThat(d.billingModeSummary().billingMode()).isEqualTo(BillingMode.PAY_PER_REQUEST);
        assertThat(d.keySchema()).singleElement().satisfies(k -> {
            assertThat(k.attributeName()).isEqualTo("leaseKey");
            assertThat(k.keyType()).isEqualTo(KeyType.HASH);
        });
        assertThat(d.globalSecondaryIndexes()).singleElement().satisfies(g -> {
            assertThat(g.indexName()).isEqualTo("LeaseOwnerToLeaseKeyIndex");
            assertThat(g.keySchema()).extracting(k -> k.attributeName() + ":" + k.keyType())
                    .containsExactly("leaseOwner:HASH", "leaseKey:RANGE");
            assertThat(g.projection().projectionTypeAsString()).as("as KCL: checkpoints do not write the index")
                    .isEqualTo("KEYS_ONLY");
        });
        w2.createIfMissing().join(); // exists already: no error
        assertThat(w1.tableName()).isEqualTo(app);
    }

    @Test
    void createsAProvisionedTableWhenAsked() {
        String name = TestDynamo.uniqueApp("prov");
        LeaseTable t = LeaseTable.builder(client).applicationName(name).workerId("w").provisioned(7, 3).build();
        t.createIfMissing().join();
        TableDescription d = client.describeTable(r -> r.tableName(name)).join().table();
        assertThat(d.provisionedThroughput().readCapacityUnits()).isEqualTo(7);
        assertThat(d.provisionedThroughput().writeCapacityUnits()).isEqualTo(3);
        assertThat(d.billingModeSummary() == null || d.billingModeSummary().billingMode() == BillingMode.PROVISIONED).isTrue();
    }

    @Test
    void refusesATableWithAnotherKeySchema() {
        String name = TestDynamo.uniqueApp("other");
        client.createTable(r -> r.tableName(name).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(k -> k.attributeName("id").keyType(KeyType.HASH))
                .attributeDefinitions(a -> a.attributeName("id").attributeType(ScalarAttributeType.S))).join();
        LeaseTable t = LeaseTable.builder(client).applicationName(name).workerId("w").build();
        assertThatThrownBy(() -> t.createIfMissing().join()).satisfies(e -> assertThat(cause(e))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("key schema").hasMessageContaining("id HASH")
                .hasMessageContaining("leaseKey"));
    }

    @Test
    void rejectsBadConfiguration() {
        assertThatThrownBy(() -> LeaseTable.builder(client).workerId("w").build()).hasMessageContaining("applicationName");
        assertThatThrownBy(() -> LeaseTable.builder(client).applicationName("ok-app").build()).hasMessageContaining("workerId");
        assertThatThrownBy(() -> LeaseTable.builder(client).applicationName("a b").workerId("w").build())
                .hasMessageContaining("tableName");
        assertThatThrownBy(() -> LeaseTable.builder(client).provisioned(0, 1)).hasMessageContaining("capacity");
        assertThatThrownBy(() -> LeaseTable.builder(client).maxAttempts(0)).hasMessageContaining("maxAttempts");
    }

    @Test
    void writesKclAttributeNamesAndReadsThemBack() {
        Lease lease = Lease.builder("shardId-000000000002")
                .owner("worker-1").counter(4)
                .checkpoint(ExtendedSequenceNumber.of("4959", 2))
                .pendingCheckpoint(ExtendedSequenceNumber.of("4960", 1)).pendingCheckpointState(new byte[] {1, 2})
                .ownerSwitchesSinceCheckpoint(1)
                .parentShardIds(Set.of("shardId-000000000000", "shardId-000000000001"))
                .childShardIds(Set.of("shardId-000000000003"))
                .hashKeyRange(BigInteger.ZERO, BigInteger.TWO.pow(128).subtract(BigInteger.ONE))
                .checkpointOwner("worker-0").throughputKBps(12.5)
                .build();
        assertThat(w1.createLeaseIfAbsent(lease).join()).isTrue();
        Map<String, AttributeValue> item = rawItem("shardId-000000000002");
        assertThat(item.keySet()).containsExactlyInAnyOrder("leaseKey", "leaseOwner", "leaseCounter", "checkpoint",
                "checkpointSubSequenceNumber", "ownerSwitchesSinceCheckpoint", "parentShardId", "childShardIds",
                "pendingCheckpoint", "pendingCheckpointSubSequenceNumber", "pendingCheckpointState", "startingHashKey",
                "endingHashKey", "checkpointOwner", "throughputKBps");
        assertThat(item.get("parentShardId").ss()).containsExactlyInAnyOrder("shardId-000000000000", "shardId-000000000001");
        assertThat(item.get("checkpoint").s()).isEqualTo("4959");
        assertThat(item.get("checkpointSubSequenceNumber").n()).isEqualTo("2");
        assertThat(item.get("endingHashKey").s()).isEqualTo("340282366920938463463374607431768211455");
        assertThat(w1.getLease("shardId-000000000002").join()).contains(lease);

        Lease sentinel = Lease.builder("shardId-000000000009").checkpoint(ExtendedSequenceNumber.LATEST).build();
        w1.createLeaseIfAbsent(sentinel).join();
        assertThat(rawItem("shardId-000000000009").get("checkpoint").s()).isEqualTo("LATEST");
        assertThat(rawItem("shardId-000000000009")).doesNotContainKey("leaseOwner");
    }

    @Test
    void createIfAbsentNeverOverwrites() {
        Lease first = create("s1");
        Lease other = Lease.builder("s1").owner("intruder").counter(99).checkpoint(ExtendedSequenceNumber.of("5")).build();
        assertThat(w2.createLeaseIfAbsent(other).join()).isFalse();
        assertThat(w1.getLease("s1").join()).contains(first);
        assertThat(w1.getLease("absent").join()).isEmpty();
    }

    @Test
    void takeSucceedsOnlyAtTheObservedCounterAndOwner() {
        Lease observed = create("s1");
        Lease taken = w1.take(observed).join().orElseThrow();
        assertThat(taken.owner()).contains("worker-1");
        assertThat(taken.counter()).isEqualTo(observed.counter() + 1);
        assertThat(taken.ownerSwitchesSinceCheckpoint()).isEqualTo(1);
        // w2 acts on the stale snapshot: refused, nothing changes
        assertThat(w2.take(observed).join()).isEmpty();
        assertThat(w1.getLease("s1").join()).contains(taken);
        // right counter, wrong owner expectation (w2 thinks it is unowned)
        Lease wrongOwner = taken.toBuilder().owner(null).build();
        assertThat(w2.take(wrongOwner).join()).isEmpty();
        // with the current snapshot w2 takes it
        Lease stolen = w2.take(taken).join().orElseThrow();
        assertThat(stolen.owner()).contains("worker-2");
        assertThat(stolen.counter()).isEqualTo(taken.counter() + 1);
        assertThat(stolen.ownerSwitchesSinceCheckpoint()).isEqualTo(2);
        // taking a lease of one's own (after a handoff to us) does not count as a switch
        Lease again = w2.take(stolen).join().orElseThrow();
        assertThat(again.ownerSwitchesSinceCheckpoint()).isEqualTo(2);
        // a lease that does not exist is not created by take
        assertThat(w1.take(Lease.builder("ghost").build()).join()).isEmpty();
        assertThat(w1.getLease("ghost").join()).isEmpty();
    }

    @Test
    void renewIncrementsWhileHeldAndFailsOnceLost() {
        Lease held = w1.take(create("s1")).join().orElseThrow();
        Lease renewed = w1.renew(held).join();
        assertThat(renewed.counter()).isEqualTo(held.counter() + 1);
        assertThatThrownBy(() -> w1.renew(held).join()).satisfies(e -> assertThat(cause(e))
                .isInstanceOf(LeaseLostException.class).hasMessageContaining("s1"));
        Lease stolen = w2.take(renewed).join().orElseThrow();
        assertThatThrownBy(() -> w1.renew(renewed).join()).satisfies(e -> assertThat(cause(e))
                .isInstanceOf(LeaseLostException.class));
        assertThatThrownBy(() -> w1.renew(stolen).join()).as("right counter, not the owner")
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(LeaseLostException.class));
        assertThat(w1.getLease("s1").join()).contains(stolen);
    }

    @Test
    void evictAndReleaseLeaveTheLeaseUnownedWithAHigherCounter() {
        Lease held = w1.take(create("s1")).join().orElseThrow();
        Lease evicted = w2.evict(held).join().orElseThrow();
        assertThat(evicted.owner()).isEmpty();
        assertThat(evicted.counter()).isEqualTo(held.counter() + 1);
        assertThat(rawItem("s1")).doesNotContainKey("leaseOwner");
        assertThat(w2.evict(held).join()).as("stale").isEmpty();

        Lease mine = w2.take(evicted).join().orElseThrow();
        assertThatThrownBy(() -> w1.release(mine).join()).satisfies(e -> assertThat(cause(e))
                .isInstanceOf(LeaseLostException.class));
        Lease released = w2.release(mine).join();
        assertThat(released.owner()).isEmpty();
        assertThat(released.counter()).isEqualTo(mine.counter() + 1);
        assertThat(w1.take(released).join()).isPresent();
    }

    @Test
    void leasesOwnedByQueriesTheIndex() {
        for (int i = 0; i < 5; i++) {
            Lease l = create("shard-" + i);
            Lease taken = (i % 2 == 0 ? w1 : w2).take(l).join().orElseThrow();
            (i % 2 == 0 ? w1 : w2).checkpoint(taken, ExtendedSequenceNumber.of(Integer.toString(100 + i))).join();
        }
        assertThat(w1.leasesOwnedBy("worker-1").join()).extracting(Lease::leaseKey)
                .containsExactlyInAnyOrder("shard-0", "shard-2", "shard-4");
        assertThat(w1.leasesOwnedBy("worker-2").join()).extracting(l -> l.leaseKey() + "@" + l.checkpoint())
                .as("full items, not just the index's keys").containsExactly("shard-1@101/0", "shard-3@103/0");
        assertThat(w1.getLeases(List.of("shard-4", "absent", "shard-0")).join()).extracting(Lease::leaseKey)
                .containsExactly("shard-0", "shard-4");
        assertThat(w1.leasesOwnedBy("nobody").join()).isEmpty();
        assertThat(w1.listLeases().join()).hasSize(5);
    }

    @Test
    void listsManyLeasesAcrossScanPages() {
        byte[] bulk = new byte[20_000]; // ~20 KB per item: a 1 MB Scan page holds ~50
        List<String> keys = new java.util.ArrayList<>();
        java.util.List<java.util.concurrent.CompletableFuture<Boolean>> fs = new java.util.ArrayList<>();
        for (int i = 0; i < 120; i++) {
            keys.add("shard-" + i);
            fs.add(w1.createLeaseIfAbsent(Lease.builder("shard-" + i).pendingCheckpoint(ExtendedSequenceNumber.of("1"))
                    .pendingCheckpointState(bulk).build()));
        }
        fs.forEach(java.util.concurrent.CompletableFuture::join);
        assertThat(w1.listLeases().join()).extracting(Lease::leaseKey).containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void checkpointAndPendingCheckpointRequireTheHeldCounter() {
        Lease held = w1.take(create("s1")).join().orElseThrow();
        Lease prepared = w1.prepareCheckpoint(held, ExtendedSequenceNumber.of("100", 3), new byte[] {9}).join();
        assertThat(prepared.pendingCheckpoint()).contains(ExtendedSequenceNumber.of("100", 3));
        assertThat(prepared.pendingCheckpointState()).hasValueSatisfying(s -> assertThat(s).containsExactly(9));
        assertThat(prepared.checkpoint()).isEqualTo(ExtendedSequenceNumber.TRIM_HORIZON);
        assertThat(prepared.counter()).as("checkpoints do not move the counter").isEqualTo(held.counter());

        Lease cp = w1.checkpoint(held, ExtendedSequenceNumber.of("100", 3)).join();
        assertThat(cp.checkpoint()).isEqualTo(ExtendedSequenceNumber.of("100", 3));
        assertThat(cp.pendingCheckpoint()).isEmpty();
        assertThat(cp.pendingCheckpointState()).isEmpty();
        assertThat(cp.ownerSwitchesSinceCheckpoint()).isZero();
        assertThat(rawItem("s1")).doesNotContainKeys("pendingCheckpoint", "pendingCheckpointSubSequenceNumber",
                "pendingCheckpointState");

        Lease stale = held.toBuilder().counter(held.counter() - 1).build();
        assertThatThrownBy(() -> w1.checkpoint(stale, ExtendedSequenceNumber.of("200")).join())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(LeaseLostException.class));
        assertThatThrownBy(() -> w2.checkpoint(held, ExtendedSequenceNumber.of("200")).join()).as("not the owner")
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(LeaseLostException.class));
        assertThatThrownBy(() -> w2.prepareCheckpoint(held, ExtendedSequenceNumber.of("200"), null).join())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(LeaseLostException.class));
        assertThat(w1.getLease("s1").join().orElseThrow().checkpoint()).isEqualTo(ExtendedSequenceNumber.of("100", 3));
    }

    @Test
    void handoffLetsTheOldOwnerFinishCheckpointingThenTheNextOwnerTakesOver() {
        Lease held = w1.take(create("s1")).join().orElseThrow();
        Lease requested = w2.requestHandoff(held).join().orElseThrow();
        assertThat(requested.owner()).contains("worker-2");
        assertThat(requested.checkpointOwner()).contains("worker-1");
        assertThat(requested.isInHandoff()).isTrue();
        assertThat(requested.counter()).as("the owner keeps its counter").isEqualTo(held.counter());
        assertThat(w2.requestHandoff(held).join()).as("one handoff at a time").isEmpty();
        assertThat(w1.leasesOwnedBy("worker-2").join()).extracting(Lease::leaseKey).containsExactly("s1");

        Lease finalCp = w1.checkpoint(held, ExtendedSequenceNumber.of("42")).join();
        assertThat(finalCp.checkpoint()).isEqualTo(ExtendedSequenceNumber.of("42"));
        Lease done = w1.finishHandoff(finalCp).join();
        assertThat(done.checkpointOwner()).isEmpty();
        assertThatThrownBy(() -> w1.checkpoint(done, ExtendedSequenceNumber.of("43")).join())
                .as("the old owner can no longer write after finishing")
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(LeaseLostException.class));

        Lease taken = w2.take(done).join().orElseThrow();
        assertThat(taken.owner()).contains("worker-2");
        assertThat(taken.checkpoint()).isEqualTo(ExtendedSequenceNumber.of("42"));
        assertThat(taken.ownerSwitchesSinceCheckpoint()).isZero();
    }

    @Test
    void aReceiverTakingDuringHandoffCutsTheOldOwnerOff() {
        Lease held = w1.take(create("s1")).join().orElseThrow();
        Lease requested = w2.requestHandoff(held).join().orElseThrow();
        Lease taken = w2.take(requested).join().orElseThrow(); // handoff timeout passed
        assertThat(taken.checkpointOwner()).isEmpty();
        assertThat(taken.counter()).isEqualTo(held.counter() + 1);
        assertThatThrownBy(() -> w1.checkpoint(held, ExtendedSequenceNumber.of("1")).join())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(LeaseLostException.class));
        assertThatThrownBy(() -> w2.requestHandoff(taken)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void leasesOfShardsGoneAreDeletedOnlyAtTheObservedCounter() {
        Lease lease = create("gone");
        Lease taken = w1.take(lease).join().orElseThrow();
        assertThat(w2.deleteGone(lease).join()).as("changed since observed").isFalse();
        assertThat(w2.deleteGone(taken).join()).isTrue();
        assertThat(w1.getLease("gone").join()).isEmpty();
    }

    @Test
    void childShardsAndDeletingFinishedLeases() {
        Lease held = w1.take(create("parent")).join().orElseThrow();
        Lease withChildren = w1.updateChildShards(held, Set.of("c1", "c2")).join();
        assertThat(withChildren.childShardIds()).containsExactlyInAnyOrder("c1", "c2");
        assertThat(w1.deleteFinished("parent").join()).as("not finished").isFalse();
        assertThat(w1.getLease("parent").join()).isPresent();
        w1.checkpoint(withChildren, ExtendedSequenceNumber.SHARD_END).join();
        assertThat(rawItem("parent").get("checkpoint").s()).isEqualTo("SHARD_END");
        assertThat(w1.getLease("parent").join().orElseThrow().isFinished()).isTrue();
        assertThat(w2.deleteFinished("parent").join()).isTrue();
        assertThat(w1.getLease("parent").join()).isEmpty();
        assertThat(w2.deleteFinished("parent").join()).as("already gone").isFalse();
    }

    @Test
    void attributesWrittenByOthersSurviveEveryUpdate() {
        Lease lease = create("s1");
        client.updateItem(r -> r.tableName(app).key(Map.of("leaseKey", AttributeValue.fromS("s1")))
                .updateExpression("SET kclOnly = :v").expressionAttributeValues(Map.of(":v", AttributeValue.fromS("keep")))).join();
        Lease held = w1.take(lease).join().orElseThrow();
        held = w1.renew(held).join();
        held = w1.prepareCheckpoint(held, ExtendedSequenceNumber.of("5"), null).join();
        held = w1.checkpoint(held, ExtendedSequenceNumber.of("5")).join();
        Lease handed = w2.requestHandoff(held).join().orElseThrow();
        Lease done = w1.finishHandoff(handed).join();
        Lease taken = w2.take(done).join().orElseThrow();
        w2.release(taken).join();
        assertThat(rawItem("s1").get("kclOnly").s()).isEqualTo("keep");
    }

    @Test
    void aMissingItemIsNeverCreatedByAnUpdate() {
        Lease phantom = Lease.builder("phantom").owner("worker-1").counter(1).build();
        assertThatThrownBy(() -> w1.checkpoint(phantom, ExtendedSequenceNumber.of("1")).join())
                .satisfies(e -> assertThat(cause(e)).isInstanceOf(LeaseLostException.class));
        assertThat(w1.evict(phantom).join()).isEmpty();
        assertThat(w1.getLease("phantom").join()).isEqualTo(Optional.empty());
    }
}
