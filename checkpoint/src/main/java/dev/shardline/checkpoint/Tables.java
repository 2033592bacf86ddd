package dev.shardline.checkpoint;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.ProjectionType;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughput;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/** Creates a table with a string hash key (and optionally the lease-owner index) when missing, and waits until ACTIVE. */
final class Tables {
    private static final Logger log = LoggerFactory.getLogger(Tables.class);
    private static final long POLL_MILLIS = 200;

    private Tables() {
    }

    /**
     * Ensures {@code table} exists with hash key {@code hashKey} (type S) and, when {@code ownerIndex}, the GSI
     * LeaseOwnerToLeaseKeyIndex; fails with IllegalStateException when the table exists with another key schema.
     */
    static CompletableFuture<Void> ensure(DynamoDbAsyncClient client, Retrier retrier, String table, String hashKey,
                                          boolean ownerIndex, Capacity capacity, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        return retrier.call(() -> client.describeTable(r -> r.tableName(table)))
                .thenApply(r -> r.table())
                .exceptionallyCompose(e -> {
                    if (Retrier.unwrap(e) instanceof ResourceNotFoundException) {
                        return create(client, retrier, table, hashKey, ownerIndex, capacity);
                    }
                    return CompletableFuture.failedFuture(Retrier.unwrap(e));
                })
                .thenCompose(d -> waitActive(client, retrier, table, hashKey, ownerIndex, d, deadline));
    }

    private static CompletableFuture<TableDescription> create(DynamoDbAsyncClient client, Retrier retrier, String table,
                                                              String hashKey, boolean ownerIndex, Capacity capacity) {
        CreateTableRequest.Builder req = CreateTableRequest.builder()
                .tableName(table)
                .keySchema(KeySchemaElement.builder().attributeName(hashKey).keyType(KeyType.HASH).build());
        if (ownerIndex) {
            req.attributeDefinitions(attr(hashKey), attr(LeaseItems.LEASE_OWNER));
            GlobalSecondaryIndex.Builder gsi = GlobalSecondaryIndex.builder()
                    .indexName(LeaseItems.OWNER_INDEX)
                    .keySchema(KeySchemaElement.builder().attributeName(LeaseItems.LEASE_OWNER).keyType(KeyType.HASH).build(),
                            KeySchemaElement.builder().attributeName(LeaseItems.LEASE_KEY).keyType(KeyType.RANGE).build())
                    .projection(Projection.builder().projectionType(ProjectionType.KEYS_ONLY).build()); // as KCL: checkpoints do not write the index
            if (capacity != null) {
                gsi.provisionedThroughput(capacity.throughput());
            }
            req.globalSecondaryIndexes(gsi.build());
        } else {
            req.attributeDefinitions(attr(hashKey));
        }
        if (capacity == null) {
            req.billingMode(BillingMode.PAY_PER_REQUEST);
        } else {
            req.billingMode(BillingMode.PROVISIONED).provisionedThroughput(capacity.throughput());
        }
        log.info("creating DynamoDB table {}", table);
        return retrier.call(() -> client.createTable(req.build()))
                .thenApply(r -> r.tableDescription())
                .exceptionallyCompose(e -> {
                    if (Retrier.unwrap(e) instanceof ResourceInUseException) { // another worker created it first
                        return retrier.call(() -> client.describeTable(r -> r.tableName(table))).thenApply(r -> r.table());
                    }
                    return CompletableFuture.failedFuture(Retrier.unwrap(e));
                });
    }

    private static AttributeDefinition attr(String name) {
        return AttributeDefinition.builder().attributeName(name).attributeType(ScalarAttributeType.S).build();
    }

    private static CompletableFuture<Void> waitActive(DynamoDbAsyncClient client, Retrier retrier, String table,
                                                      String hashKey, boolean ownerIndex, TableDescription d,
                                                      long deadline) {
        checkSchema(table, hashKey, d);
        boolean indexesActive = !d.hasGlobalSecondaryIndexes() || d.globalSecondaryIndexes().stream()
                .allMatch(g -> g.indexStatus() == IndexStatus.ACTIVE);
        if (d.tableStatus() == TableStatus.ACTIVE && indexesActive) {
            if (ownerIndex && !hasOwnerIndex(d.globalSecondaryIndexes())) {
                log.warn("lease table {} has no {} index; leases by owner will be found with a Scan",
                        table, LeaseItems.OWNER_INDEX);
            }
            return CompletableFuture.completedFuture(null);
        }
        if (System.nanoTime() > deadline) {
            return CompletableFuture.failedFuture(new IllegalStateException("table " + table
                    + " not ACTIVE in time: status " + d.tableStatusAsString()));
        }
        return CompletableFuture.supplyAsync(() -> null,
                        CompletableFuture.delayedExecutor(POLL_MILLIS, TimeUnit.MILLISECONDS))
                .thenCompose(x -> retrier.call(() -> client.describeTable(r -> r.tableName(table))))
                .thenCompose(r -> waitActive(client, retrier, table, hashKey, ownerIndex, r.table(), deadline));
    }

    static boolean hasOwnerIndex(List<GlobalSecondaryIndexDescription> gsis) {
        return gsis != null && gsis.stream().anyMatch(g -> LeaseItems.OWNER_INDEX.equals(g.indexName()));
    }

    private static void checkSchema(String table, String hashKey, TableDescription d) {
        List<KeySchemaElement> ks = d.keySchema();
        boolean ok = ks.size() == 1 && ks.get(0).keyType() == KeyType.HASH && hashKey.equals(ks.get(0).attributeName())
                && d.attributeDefinitions().stream().anyMatch(a -> a.attributeName().equals(hashKey)
                && a.attributeType() == ScalarAttributeType.S);
        if (!ok) {
            throw new IllegalStateException("table " + table + " exists with key schema " + describe(ks)
                    + ", expected a single string hash key '" + hashKey + "'; is another application using this name?");
        }
    }

    private static String describe(List<KeySchemaElement> ks) {
        StringBuilder sb = new StringBuilder("[");
        for (KeySchemaElement k : ks) {
            sb.append(sb.length() > 1 ? ", " : "").append(k.attributeName()).append(' ').append(k.keyTypeAsString());
        }
        return sb.append(']').toString();
    }

    /** Provisioned capacity, or null for on-demand. */
    record Capacity(long read, long write) {
        ProvisionedThroughput throughput() {
            return ProvisionedThroughput.builder().readCapacityUnits(read).writeCapacityUnits(write).build();
        }
    }
}
