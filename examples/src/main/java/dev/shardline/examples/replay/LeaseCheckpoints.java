package dev.shardline.examples.replay;

import dev.shardline.examples.cli.LeaseTables;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

/**
 * Reads an application's checkpoints from its lease table (KCL's format: {@code leaseKey}, {@code checkpoint},
 * {@code checkpointSubSequenceNumber}). Only scans: replay never writes the table of the application it replays.
 */
final class LeaseCheckpoints {
    /** One lease's checkpoint: a sequence number or a sentinel name (TRIM_HORIZON, LATEST, AT_TIMESTAMP, SHARD_END). */
    record Checkpoint(String sequenceNumber, long subSequenceNumber) {
        boolean isSentinel() {
            return !sequenceNumber.chars().allMatch(c -> c >= '0' && c <= '9') || sequenceNumber.isEmpty();
        }
    }

    private LeaseCheckpoints() {
    }

    /** Shard id to checkpoint, for every lease in table {@code application}. */
    static Map<String, Checkpoint> read(DynamoDbAsyncClient dynamoDb, String application) {
        Map<String, Checkpoint> checkpoints = new HashMap<>();
        Map<String, AttributeValue> start = null;
        do {
            ScanRequest.Builder scan = ScanRequest.builder().tableName(application).consistentRead(true)
                    .projectionExpression("leaseKey, #c, checkpointSubSequenceNumber")
                    .expressionAttributeNames(Map.of("#c", "checkpoint"));
            if (start != null) {
                scan.exclusiveStartKey(start);
            }
            ScanResponse page;
            try {
                page = dynamoDb.scan(scan.build()).join();
            } catch (CompletionException e) {
                throw LeaseTables.translate(e, dynamoDb, application);
            }
            for (Map<String, AttributeValue> item : page.items()) {
                AttributeValue key = item.get("leaseKey");
                AttributeValue checkpoint = item.get("checkpoint");
                if (key == null || key.s() == null || checkpoint == null || checkpoint.s() == null) {
                    continue;
                }
                AttributeValue sub = item.get("checkpointSubSequenceNumber");
                long subSequence = sub != null && sub.n() != null ? Long.parseLong(sub.n()) : 0;
                checkpoints.put(shardId(key.s()), new Checkpoint(checkpoint.s(), subSequence));
            }
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return checkpoints;
    }

    /** Multi-stream lease keys are {@code account:stream:epoch:shardId}; single-stream keys are the shard id. */
    static String shardId(String leaseKey) {
        int colon = leaseKey.lastIndexOf(':');
        return colon < 0 ? leaseKey : leaseKey.substring(colon + 1);
    }
}
