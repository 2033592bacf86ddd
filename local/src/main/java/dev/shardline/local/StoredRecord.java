package dev.shardline.local;

/** One record as stored in a shard. Immutable; {@code data} is never modified after it is stored. */
final class StoredRecord {
    final long position;
    final String sequenceNumber;
    final String partitionKey;
    final byte[] data;
    final long arrivalMillis;

    StoredRecord(long position, String sequenceNumber, String partitionKey, byte[] data, long arrivalMillis) {
        this.position = position;
        this.sequenceNumber = sequenceNumber;
        this.partitionKey = partitionKey;
        this.data = data;
        this.arrivalMillis = arrivalMillis;
    }

    /** Size as Kinesis counts it against the limits: data plus partition key. */
    int sizeBytes() {
        return data.length + partitionKey.length();
    }
}
