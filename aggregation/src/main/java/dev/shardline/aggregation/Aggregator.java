package dev.shardline.aggregation;

import static dev.shardline.aggregation.AggregationFormat.AGGREGATE_PARTITION_KEY;
import static dev.shardline.aggregation.AggregationFormat.MAGIC;
import static dev.shardline.aggregation.AggregationFormat.MD5_LENGTH;
import static dev.shardline.aggregation.AggregationFormat.delimitedSize;
import static dev.shardline.aggregation.AggregationFormat.varintSize;

import com.google.protobuf.CodedOutputStream;
import dev.shardline.aggregation.proto.Messages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Packs user records bound for one shard into one Kinesis record in the KPL aggregated format, byte-compatible
 * with Amazon's KPL and readable by Amazon's KCL.
 *
 * <p>The size of the result is known exactly before each record is added: {@link #add} refuses a record that would
 * push the Kinesis record (data plus partition key, as Kinesis counts it) over {@code maxRecordBytes}, or the
 * aggregate over {@code maxUserRecords}, and leaves the aggregator unchanged. Partition keys and explicit hash keys
 * are stored once each. An aggregate of one user record is emitted as that plain record.
 *
 * <p>Not thread-safe: one aggregator per shard, owned by one thread at a time.
 */
public final class Aggregator {
    private static final int DEFAULT_MAX_USER_RECORDS = 1_000_000;

    private final int maxRecordBytes;
    private final int maxUserRecords;
    private final MessageDigest md5 = HashKeys.newMd5();

    private final Map<String, Integer> partitionKeyIndex = new HashMap<>();
    /** The partition key table as UTF-8, encoded once when the key is first seen. */
    private final List<byte[]> partitionKeys = new ArrayList<>();
    private final Map<String, Integer> explicitHashKeyIndex = new HashMap<>();
    private final List<String> explicitHashKeys = new ArrayList<>();
    private final List<Entry> entries = new ArrayList<>();
    /** Size of the AggregatedRecord protobuf message so far. */
    private int protobufSize;
    private long userDataBytes;

    private record Entry(String partitionKey, String explicitHashKey, byte[] data, int partitionKeyIndex,
            int explicitHashKeyIndex, int recordSize) {
    }

    /** An aggregator with Kinesis' default 1 MiB record limit and no practical user-record limit. */
    public Aggregator() {
        this(Limits.DEFAULT_MAX_RECORD_BYTES, DEFAULT_MAX_USER_RECORDS);
    }

    /**
     * @param maxRecordBytes largest Kinesis record to emit, data plus partition key (at most the stream's record
     *                       limit, 1 MiB by default)
     * @param maxUserRecords most user records in one aggregate
     */
    public Aggregator(int maxRecordBytes, int maxUserRecords) {
        if (maxRecordBytes < 64) {
            throw new IllegalArgumentException("maxRecordBytes must be at least 64, was " + maxRecordBytes);
        }
        if (maxUserRecords < 1) {
            throw new IllegalArgumentException("maxUserRecords must be at least 1, was " + maxUserRecords);
        }
        this.maxRecordBytes = maxRecordBytes;
        this.maxUserRecords = maxUserRecords;
    }

    /**
     * Adds a user record if it fits.
     *
     * @return true if added; false if it would make the aggregate too large (the aggregator is unchanged: build
     *     this one and add the record to a fresh one)
     * @throws InvalidRecordException if the record is invalid on its own (null data, bad partition key or explicit
     *     hash key, data plus partition key over {@code maxRecordBytes})
     */
    public boolean add(String partitionKey, String explicitHashKey, byte[] data) {
        Limits.checkPartitionKey(partitionKey);
        Limits.parseExplicitHashKey(explicitHashKey);
        Limits.checkData(data, partitionKey, maxRecordBytes);
        return addValidated(partitionKey, explicitHashKey, data);
    }

    /** {@link #add} for a record its caller has validated already with {@link Limits}. */
    public boolean addValidated(String partitionKey, String explicitHashKey, byte[] data) {
        return addValidated(partitionKey, null, explicitHashKey, data);
    }

    /**
     * {@link #addValidated(String, String, byte[])} with the partition key's UTF-8 bytes already at hand (the
     * producer encodes each key once, for its MD5), so the key is not encoded again.
     *
     * @param partitionKeyUtf8 {@code partitionKey} in UTF-8, or null to encode it here; not copied, not changed
     */
    public boolean addValidated(String partitionKey, byte[] partitionKeyUtf8, String explicitHashKey, byte[] data) {
        if (entries.size() >= maxUserRecords) {
            return false;
        }
        Integer pkIndex = partitionKeyIndex.get(partitionKey);
        int sizeIncrease = 0;
        int newPkIndex = pkIndex != null ? pkIndex : partitionKeys.size();
        byte[] pkBytes = null;
        if (pkIndex == null) {
            pkBytes = partitionKeyUtf8 != null ? partitionKeyUtf8 : partitionKey.getBytes(StandardCharsets.UTF_8);
            sizeIncrease += delimitedSize(pkBytes.length);
        }
        int newEhkIndex = -1;
        if (explicitHashKey != null) {
            Integer ehkIndex = explicitHashKeyIndex.get(explicitHashKey);
            newEhkIndex = ehkIndex != null ? ehkIndex : explicitHashKeys.size();
            if (ehkIndex == null) {
                sizeIncrease += delimitedSize(explicitHashKey.length());
            }
        }
        int recordSize = 1 + varintSize(newPkIndex) + (newEhkIndex >= 0 ? 1 + varintSize(newEhkIndex) : 0)
                + delimitedSize(data.length);
        sizeIncrease += delimitedSize(recordSize);

        if (!entries.isEmpty() && aggregateSize(protobufSize + sizeIncrease) > maxRecordBytes) {
            return false;
        }
        if (pkIndex == null) {
            partitionKeyIndex.put(partitionKey, newPkIndex);
            partitionKeys.add(pkBytes);
        }
        if (explicitHashKey != null && newEhkIndex == explicitHashKeys.size()) {
            explicitHashKeyIndex.put(explicitHashKey, newEhkIndex);
            explicitHashKeys.add(explicitHashKey);
        }
        entries.add(new Entry(partitionKey, explicitHashKey, data, newPkIndex, newEhkIndex, recordSize));
        protobufSize += sizeIncrease;
        userDataBytes += data.length;
        return true;
    }

    private static int aggregateSize(int protobufSize) {
        return AGGREGATE_PARTITION_KEY.length() + MAGIC.length + protobufSize + MD5_LENGTH;
    }

    /** User records held. */
    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Sum of the user records' data lengths. */
    public long userDataBytes() {
        return userDataBytes;
    }

    /** The size, data plus partition key, of the Kinesis record {@link #build()} would return now. */
    public int sizeBytes() {
        if (entries.isEmpty()) {
            return 0;
        }
        if (entries.size() == 1) {
            Entry only = entries.get(0);
            return only.data.length + Limits.utf8Length(only.partitionKey);
        }
        return aggregateSize(protobufSize);
    }

    /**
     * Emits what was added as one Kinesis record and empties the aggregator.
     *
     * @throws IllegalStateException if empty
     */
    public KinesisRecord build() {
        if (entries.isEmpty()) {
            throw new IllegalStateException("nothing to build: the aggregator is empty");
        }
        try {
            if (entries.size() == 1) {
                Entry only = entries.get(0);
                return new KinesisRecord(only.partitionKey, only.explicitHashKey, only.data, 1);
            }
            return new KinesisRecord(AGGREGATE_PARTITION_KEY, aggregateExplicitHashKey(), encode(), entries.size());
        } finally {
            clear();
        }
    }

    /** The first record's explicit hash key, or the MD5 of its partition key, in decimal. */
    private String aggregateExplicitHashKey() {
        Entry first = entries.get(0);
        return first.explicitHashKey != null ? first.explicitHashKey : HashKeys.hashKey(first.partitionKey).toString();
    }

    private byte[] encode() {
        byte[] out = new byte[MAGIC.length + protobufSize + MD5_LENGTH];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        CodedOutputStream pb = CodedOutputStream.newInstance(out, MAGIC.length, protobufSize);
        try {
            for (byte[] key : partitionKeys) {
                pb.writeByteArray(Messages.AggregatedRecord.PARTITION_KEY_TABLE_FIELD_NUMBER, key);
            }
            for (String key : explicitHashKeys) {
                pb.writeString(Messages.AggregatedRecord.EXPLICIT_HASH_KEY_TABLE_FIELD_NUMBER, key);
            }
            for (Entry entry : entries) {
                pb.writeTag(Messages.AggregatedRecord.RECORDS_FIELD_NUMBER, 2);
                pb.writeUInt32NoTag(entry.recordSize);
                pb.writeUInt64(Messages.Record.PARTITION_KEY_INDEX_FIELD_NUMBER, entry.partitionKeyIndex);
                if (entry.explicitHashKeyIndex >= 0) {
                    pb.writeUInt64(Messages.Record.EXPLICIT_HASH_KEY_INDEX_FIELD_NUMBER, entry.explicitHashKeyIndex);
                }
                pb.writeByteArray(Messages.Record.DATA_FIELD_NUMBER, entry.data);
            }
            pb.checkNoSpaceLeft();
        } catch (IOException e) {
            throw new UncheckedIOException("aggregate size was computed wrongly", e);
        }
        md5.reset();
        md5.update(out, MAGIC.length, protobufSize);
        byte[] digest = md5.digest();
        System.arraycopy(digest, 0, out, MAGIC.length + protobufSize, MD5_LENGTH);
        return out;
    }

    /** Drops everything added. */
    public void clear() {
        partitionKeyIndex.clear();
        partitionKeys.clear();
        explicitHashKeyIndex.clear();
        explicitHashKeys.clear();
        entries.clear();
        protobufSize = 0;
        userDataBytes = 0;
    }
}
