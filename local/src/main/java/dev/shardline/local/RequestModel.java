package dev.shardline.local;

import static dev.shardline.local.Shape.integer;
import static dev.shardline.local.Shape.list;
import static dev.shardline.local.Shape.map;
import static dev.shardline.local.Shape.string;
import static dev.shardline.local.Shape.structure;

import java.util.HashMap;
import java.util.Map;

/**
 * The input shapes of the Kinesis operations served here, as the AWS SDKs' service model defines them (types,
 * required members, lengths, value ranges, patterns, enums; members in the model's order). Only what requests are
 * checked against; per-stream limits (record size) and semantic rules stay with the operations.
 */
final class RequestModel {
    static final Shape STREAM_NAME = string().range(1, 128).pattern("[a-zA-Z0-9_.-]+");
    static final Shape STREAM_ARN = string().range(1, 2048).pattern("arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
    static final Shape SHARD_ID = string().range(1, 128).pattern("[a-zA-Z0-9_.-]+");
    static final Shape CONSUMER_NAME = string().range(1, 128).pattern("[a-zA-Z0-9_.-]+");
    static final Shape CONSUMER_ARN = string().range(1, 2048)
            .pattern("^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+");
    static final Shape NEXT_TOKEN = string().range(1, 1_048_576);
    static final Shape HASH_KEY = string().pattern("0|([1-9]\\d{0,38})");
    static final Shape SEQUENCE_NUMBER = string().pattern(SequenceNumbers.PATTERN);
    static final Shape PARTITION_KEY = string().range(1, 256);
    static final Shape DATA = Shape.of(Shape.Kind.BLOB);
    static final Shape TIMESTAMP = Shape.of(Shape.Kind.TIMESTAMP);
    static final Shape BOOLEAN = Shape.of(Shape.Kind.BOOLEAN);
    static final Shape TAG_KEY = string().range(1, 128);
    static final Shape TAG_VALUE = string().range(0, 256);
    static final Shape TAG_MAP = map(TAG_KEY, TAG_VALUE).range(1, 200);
    static final Shape TAG_KEY_LIST = list(TAG_KEY).range(1, 50);
    static final Shape POSITIVE_INTEGER = integer().range(1, 100_000);
    static final Shape LIMIT_10000 = integer().range(1, 10_000);
    static final Shape RETENTION_HOURS = integer().range(1, 8_760);
    static final Shape MAX_RECORD_SIZE_KIB = integer().range(1_024, 10_240);
    static final Shape SHARD_ITERATOR = string().range(1, 512);
    static final Shape SHARD_ITERATOR_TYPE = string()
            .enumOf("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP");
    static final Shape SHARD_FILTER = structure()
            .required("Type", string().enumOf("AFTER_SHARD_ID", "AT_TRIM_HORIZON", "FROM_TRIM_HORIZON", "AT_LATEST",
                    "AT_TIMESTAMP", "FROM_TIMESTAMP"))
            .member("ShardId", SHARD_ID)
            .member("Timestamp", TIMESTAMP);
    static final Shape STARTING_POSITION = structure()
            .required("Type", SHARD_ITERATOR_TYPE)
            .member("SequenceNumber", SEQUENCE_NUMBER)
            .member("Timestamp", TIMESTAMP);
    static final Shape PUT_RECORDS_ENTRY = structure()
            .required("Data", DATA)
            .member("ExplicitHashKey", HASH_KEY)
            .required("PartitionKey", PARTITION_KEY);

    private static final Map<String, Shape> INPUTS = new HashMap<>();

    static {
        Shape retention = stream().required("RetentionPeriodHours", RETENTION_HOURS).member("StreamARN", STREAM_ARN);
        input("AddTagsToStream", stream().required("Tags", TAG_MAP).member("StreamARN", STREAM_ARN));
        input("CreateStream", structure().required("StreamName", STREAM_NAME)
                .member("ShardCount", POSITIVE_INTEGER)
                .member("StreamModeDetails", structure().required("StreamMode",
                        string().enumOf("PROVISIONED", "ON_DEMAND")))
                .member("Tags", TAG_MAP)
                .member("WarmThroughputMiBps", integer().range(0L, null))
                .member("MaxRecordSizeInKiB", MAX_RECORD_SIZE_KIB));
        input("DecreaseStreamRetentionPeriod", retention);
        input("IncreaseStreamRetentionPeriod", retention);
        input("DeleteStream", stream().member("EnforceConsumerDeletion", BOOLEAN).member("StreamARN", STREAM_ARN));
        Shape consumer = structure().member("StreamARN", STREAM_ARN).member("ConsumerName", CONSUMER_NAME)
                .member("ConsumerARN", CONSUMER_ARN);
        input("DeregisterStreamConsumer", consumer);
        input("DescribeStreamConsumer", consumer);
        input("DescribeLimits", structure());
        input("DescribeAccountSettings", structure());
        input("DescribeStream", stream().member("Limit", LIMIT_10000).member("ExclusiveStartShardId", SHARD_ID)
                .member("StreamARN", STREAM_ARN));
        input("DescribeStreamSummary", stream().member("StreamARN", STREAM_ARN));
        input("GetRecords", structure().required("ShardIterator", SHARD_ITERATOR).member("Limit", LIMIT_10000)
                .member("StreamARN", STREAM_ARN));
        input("GetShardIterator", stream().required("ShardId", SHARD_ID)
                .required("ShardIteratorType", SHARD_ITERATOR_TYPE)
                .member("StartingSequenceNumber", SEQUENCE_NUMBER)
                .member("Timestamp", TIMESTAMP)
                .member("StreamARN", STREAM_ARN));
        input("ListShards", stream().member("NextToken", NEXT_TOKEN).member("ExclusiveStartShardId", SHARD_ID)
                .member("MaxResults", LIMIT_10000).member("StreamCreationTimestamp", TIMESTAMP)
                .member("ShardFilter", SHARD_FILTER).member("StreamARN", STREAM_ARN));
        input("ListStreamConsumers", structure().required("StreamARN", STREAM_ARN).member("NextToken", NEXT_TOKEN)
                .member("MaxResults", LIMIT_10000).member("StreamCreationTimestamp", TIMESTAMP));
        input("ListStreams", structure().member("Limit", LIMIT_10000).member("ExclusiveStartStreamName", STREAM_NAME)
                .member("NextToken", NEXT_TOKEN));
        input("ListTagsForStream", stream().member("ExclusiveStartTagKey", TAG_KEY)
                .member("Limit", integer().range(1, 50)).member("StreamARN", STREAM_ARN));
        input("MergeShards", stream().required("ShardToMerge", SHARD_ID).required("AdjacentShardToMerge", SHARD_ID)
                .member("StreamARN", STREAM_ARN));
        input("PutRecord", stream().required("Data", DATA).required("PartitionKey", PARTITION_KEY)
                .member("ExplicitHashKey", HASH_KEY).member("SequenceNumberForOrdering", SEQUENCE_NUMBER)
                .member("StreamARN", STREAM_ARN));
        input("PutRecords", structure().required("Records", list(PUT_RECORDS_ENTRY)
                        .range(1, RecordOperations.MAX_PUT_RECORDS_ENTRIES))
                .member("StreamName", STREAM_NAME).member("StreamARN", STREAM_ARN));
        input("RegisterStreamConsumer", structure().required("StreamARN", STREAM_ARN)
                .required("ConsumerName", CONSUMER_NAME).member("Tags", TAG_MAP));
        input("RemoveTagsFromStream", stream().required("TagKeys", TAG_KEY_LIST).member("StreamARN", STREAM_ARN));
        input("SplitShard", stream().required("ShardToSplit", SHARD_ID).required("NewStartingHashKey", HASH_KEY)
                .member("StreamARN", STREAM_ARN));
        input("SubscribeToShard", structure().required("ConsumerARN", CONSUMER_ARN).required("ShardId", SHARD_ID)
                .required("StartingPosition", STARTING_POSITION));
        input("UpdateShardCount", stream().required("TargetShardCount", POSITIVE_INTEGER)
                .required("ScalingType", string().enumOf("UNIFORM_SCALING")).member("StreamARN", STREAM_ARN));
        input("UpdateMaxRecordSize", structure().member("StreamARN", STREAM_ARN)
                .required("MaxRecordSizeInKiB", MAX_RECORD_SIZE_KIB).member("StreamName", STREAM_NAME));
    }

    private RequestModel() {
    }

    /** A structure that starts with the optional StreamName, as most inputs do. */
    private static Shape stream() {
        return structure().member("StreamName", STREAM_NAME);
    }

    private static void input(String operation, Shape shape) {
        INPUTS.put(operation, shape);
    }

    /** The input shape of an operation, or null for one the model here does not know (plugged-in operations). */
    static Shape input(String operation) {
        return INPUTS.get(operation);
    }
}
