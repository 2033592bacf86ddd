package dev.shardline.aggregation;

import java.util.Objects;

/**
 * One record as it goes into PutRecords: what {@link Aggregator#build()} emits. Either a plain record (one user
 * record, its own keys) or a KPL aggregate (partition key {@code "a"}, the explicit hash key of its first user record).
 *
 * <p>The data array is owned by this object and must not be modified.
 */
public final class KinesisRecord {
    private final String partitionKey;
    private final String explicitHashKey;
    private final byte[] data;
    private final int userRecordCount;

    KinesisRecord(String partitionKey, String explicitHashKey, byte[] data, int userRecordCount) {
        this.partitionKey = Objects.requireNonNull(partitionKey);
        this.explicitHashKey = explicitHashKey;
        this.data = Objects.requireNonNull(data);
        this.userRecordCount = userRecordCount;
    }

    public String partitionKey() {
        return partitionKey;
    }

    /** The explicit hash key to put with, or null to let Kinesis hash the partition key. */
    public String explicitHashKey() {
        return explicitHashKey;
    }

    /** The bytes to put. Not copied: do not modify. */
    public byte[] data() {
        return data;
    }

    /** How many user records this carries; more than one means it is a KPL aggregate. */
    public int userRecordCount() {
        return userRecordCount;
    }

    public boolean aggregated() {
        return userRecordCount > 1;
    }

    /** Bytes this record counts against Kinesis' limits: data plus partition key. */
    public int sizeBytes() {
        return data.length + Limits.utf8Length(partitionKey);
    }

    @Override
    public String toString() {
        return "KinesisRecord{partitionKey=" + partitionKey + ", explicitHashKey=" + explicitHashKey
                + ", bytes=" + data.length + ", userRecords=" + userRecordCount + "}";
    }
}
