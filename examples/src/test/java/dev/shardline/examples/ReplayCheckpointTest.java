package dev.shardline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.aggregation.Aggregator;
import dev.shardline.aggregation.KinesisRecord;
import dev.shardline.local.LocalClients;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** replay --from-checkpoint against a KCL-format lease table written here, including checkpoints inside aggregates. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReplayCheckpointTest {
    private static final LocalEndpoints local = LocalEndpoints.shared();

    @TempDir
    Path dir;

    @Test
    void resumesInsideAnAggregateAndHonoursSentinels() throws Exception {
        local.kinesis.createStream("agg", 2);
        String shard0;
        String aggregateSeq;
        try (KinesisAsyncClient kinesis = local.client()) {
            Aggregator aggregator = new Aggregator(1024 * 1024, 100);
            for (String word : new String[] {"a0", "a1", "a2", "a3"}) {
                aggregator.add("key-a", null, word.getBytes(StandardCharsets.UTF_8));
            }
            KinesisRecord aggregate = aggregator.build();
            var put = kinesis.putRecord(b -> b.streamName("agg").partitionKey(aggregate.partitionKey())
                    .explicitHashKey(aggregate.explicitHashKey()).data(SdkBytes.fromByteArray(aggregate.data())))
                    .join();
            shard0 = put.shardId();
            aggregateSeq = put.sequenceNumber();
            kinesis.putRecord(b -> b.streamName("agg").partitionKey("key-a").explicitHashKey(aggregate.explicitHashKey())
                    .data(SdkBytes.fromUtf8String("after"))).join();
        }
        String otherShard = shard0.equals("shardId-000000000000") ? "shardId-000000000001" : "shardId-000000000000";
        try (KinesisAsyncClient kinesis = local.client()) {
            kinesis.putRecord(b -> b.streamName("agg").partitionKey("x").explicitHashKey(
                    otherShard.endsWith("0") ? "0" : "340282366920938463463374607431768211455")
                    .data(SdkBytes.fromUtf8String("other"))).join();
        }
        try (DynamoDbAsyncClient dynamo = LocalClients.dynamoDb(local.dynamoDb.endpoint())) {
            dynamo.createTable(b -> b.tableName("kcl-app").billingMode(BillingMode.PAY_PER_REQUEST)
                    .keySchema(k -> k.attributeName("leaseKey").keyType(KeyType.HASH))
                    .attributeDefinitions(a -> a.attributeName("leaseKey").attributeType(ScalarAttributeType.S)))
                    .join();
            // Shard 0: processed up to the second user record of the aggregate. The other shard: never checkpointed.
            dynamo.putItem(b -> b.tableName("kcl-app").item(Map.of(
                    "leaseKey", AttributeValue.fromS(shard0),
                    "checkpoint", AttributeValue.fromS(aggregateSeq),
                    "checkpointSubSequenceNumber", AttributeValue.fromN("1"),
                    "leaseCounter", AttributeValue.fromN("7")))).join();
            dynamo.putItem(b -> b.tableName("kcl-app").item(Map.of(
                    "leaseKey", AttributeValue.fromS(otherShard),
                    "checkpoint", AttributeValue.fromS("TRIM_HORIZON"),
                    "checkpointSubSequenceNumber", AttributeValue.fromN("0"),
                    "leaseCounter", AttributeValue.fromN("3")))).join();
        }
        Path out = dir.resolve("out.txt");
        assertThat(local.run("replay", "--stream", "agg", "--app", "kcl-app", "--from-checkpoint", "--until-now",
                "--format", "text", "--out", out.toString())).isZero();
        assertThat(Files.readAllLines(out)).containsExactlyInAnyOrder("a2", "a3", "after", "other");
        assertThat(Files.readAllLines(out).subList(0, 4)).containsSubsequence("a2", "a3", "after");

        // Read-only: the lease items are exactly as written.
        try (DynamoDbAsyncClient dynamo = LocalClients.dynamoDb(local.dynamoDb.endpoint())) {
            var item = dynamo.getItem(b -> b.tableName("kcl-app").key(Map.of("leaseKey", AttributeValue.fromS(shard0))))
                    .join().item();
            assertThat(item.get("checkpoint").s()).isEqualTo(aggregateSeq);
            assertThat(item.get("leaseCounter").n()).isEqualTo("7");
            assertThat(item).hasSize(4);
        }
    }
}
