package dev.shardline.aggregation;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Objects;

/**
 * One user record as a consumer sees it: partition key, explicit hash key (only for records that came out of an
 * aggregate that carried one; Kinesis returns none for plain records), data, the Kinesis sequence number of the
 * record that carried it, its sub-sequence number (its index in that aggregate, 0 for a plain record) and the
 * approximate arrival time of that Kinesis record.
 *
 * <p>Immutable. The data array is owned by the record: {@link #data()} is a read-only view. The user records of one
 * aggregate share the aggregate's array (no copy), so holding any of them keeps the whole aggregate in memory.
 */
public final class UserRecord {
    private final String partitionKey;
    private final String explicitHashKey;
    /** The data is {@code data[dataOffset .. dataOffset + dataLength)}: records of an aggregate share its array. */
    private final byte[] data;
    private final int dataOffset;
    private final int dataLength;
    private final String sequenceNumber;
    private final long subSequenceNumber;
    private final Instant approximateArrivalTimestamp;
    private final boolean aggregated;

    private UserRecord(String partitionKey, String explicitHashKey, byte[] data, int dataOffset, int dataLength,
            String sequenceNumber, long subSequenceNumber, Instant approximateArrivalTimestamp, boolean aggregated) {
        this.partitionKey = partitionKey;
        this.explicitHashKey = explicitHashKey;
        this.data = data;
        this.dataOffset = dataOffset;
        this.dataLength = dataLength;
        this.sequenceNumber = sequenceNumber;
        this.subSequenceNumber = subSequenceNumber;
        this.approximateArrivalTimestamp = approximateArrivalTimestamp;
        this.aggregated = aggregated;
    }

    /**
     * A Kinesis record as GetRecords or SubscribeToShard returned it, before de-aggregation. The array is taken,
     * not copied.
     */
    public static UserRecord kinesisRecord(String sequenceNumber, String partitionKey, byte[] data,
            Instant approximateArrivalTimestamp) {
        return new UserRecord(Objects.requireNonNull(partitionKey, "partitionKey"), null,
                Objects.requireNonNull(data, "data"), 0, data.length,
                Objects.requireNonNull(sequenceNumber, "sequenceNumber"), 0, approximateArrivalTimestamp, false);
    }

    /** A user record whose data is a slice of the carrier's array (no copy: the aggregate is immutable). */
    static UserRecord fromAggregate(UserRecord carrier, String partitionKey, String explicitHashKey, int dataOffset,
            int dataLength, long subSequenceNumber) {
        return new UserRecord(partitionKey, explicitHashKey, carrier.data, dataOffset, dataLength,
                carrier.sequenceNumber, subSequenceNumber, carrier.approximateArrivalTimestamp, true);
    }

    public String partitionKey() {
        return partitionKey;
    }

    /** The explicit hash key the producer gave, or null (always null for a record that was not aggregated). */
    public String explicitHashKey() {
        return explicitHashKey;
    }

    /** A read-only view of the data (position 0, limit = its length). */
    public ByteBuffer data() {
        return ByteBuffer.wrap(data, dataOffset, dataLength).slice().asReadOnlyBuffer();
    }

    /** A copy of the data. */
    public byte[] dataBytes() {
        return Arrays.copyOfRange(data, dataOffset, dataOffset + dataLength);
    }

    /** The data decoded as UTF-8. */
    public String dataAsUtf8() {
        return new String(data, dataOffset, dataLength, StandardCharsets.UTF_8);
    }

    public int dataLength() {
        return dataLength;
    }

    /** The sequence number of the Kinesis record that carried this user record. */
    public String sequenceNumber() {
        return sequenceNumber;
    }

    /** The index of this user record in its aggregate; 0 for a plain record. */
    public long subSequenceNumber() {
        return subSequenceNumber;
    }

    /** When Kinesis stored the carrying record (approximately), or null if unknown. */
    public Instant approximateArrivalTimestamp() {
        return approximateArrivalTimestamp;
    }

    /** True when this record came out of an aggregate. */
    public boolean aggregated() {
        return aggregated;
    }

    /** The hash key that places this record: the explicit hash key, or the MD5 of the partition key. */
    public java.math.BigInteger effectiveHashKey() {
        return HashKeys.effectiveHashKey(partitionKey, explicitHashKey);
    }

    /** The array holding the data; see {@link #rawDataOffset()}. Not copied: never modify. */
    byte[] rawData() {
        return data;
    }

    int rawDataOffset() {
        return dataOffset;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof UserRecord r)) {
            return false;
        }
        return subSequenceNumber == r.subSequenceNumber && aggregated == r.aggregated
                && partitionKey.equals(r.partitionKey) && Objects.equals(explicitHashKey, r.explicitHashKey)
                && Arrays.equals(data, dataOffset, dataOffset + dataLength, r.data, r.dataOffset,
                        r.dataOffset + r.dataLength) && Objects.equals(sequenceNumber, r.sequenceNumber)
                && Objects.equals(approximateArrivalTimestamp, r.approximateArrivalTimestamp);
    }

    @Override
    public int hashCode() {
        int hash = Objects.hash(partitionKey, sequenceNumber, subSequenceNumber);
        for (int i = dataOffset; i < dataOffset + dataLength; i++) {
            hash = 31 * hash + data[i];
        }
        return hash;
    }

    @Override
    public String toString() {
        return "UserRecord{partitionKey=" + partitionKey
                + (explicitHashKey != null ? ", explicitHashKey=" + explicitHashKey : "")
                + ", sequenceNumber=" + sequenceNumber + ", subSequenceNumber=" + subSequenceNumber
                + ", bytes=" + dataLength + (aggregated ? ", aggregated" : "") + "}";
    }
}
