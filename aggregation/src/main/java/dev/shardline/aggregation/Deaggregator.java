package dev.shardline.aggregation;

import static dev.shardline.aggregation.AggregationFormat.MAGIC;
import static dev.shardline.aggregation.AggregationFormat.MD5_LENGTH;

import dev.shardline.aggregation.proto.Messages;
import java.io.IOException;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Expands Kinesis records into user records. A record is an aggregate only if it starts with the KPL magic, has
 * more than 16 bytes after it, ends with the MD5 of the bytes between, and those bytes parse as an
 * {@code AggregatedRecord} whose indexes are in range; anything else passes through unchanged as one user record.
 *
 * <p>User records of an aggregate keep the Kinesis record's sequence number and arrival time and get sub-sequence
 * numbers 0, 1, 2 ... in order.
 *
 * <p>Given the shard's hash-key range, it follows Amazon KCL's rule: when any user record of an aggregate has an
 * effective hash key outside the range, the whole aggregate is dropped. Such an aggregate is a stray copy put
 * before the producer saw a reshard, and the producer sends all of its records again.
 *
 * <p>Thread-safe.
 */
public final class Deaggregator {
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(HashKeys::newMd5);

    private Deaggregator() {
    }

    /** De-aggregates without a hash-key range check. */
    public static List<UserRecord> deaggregate(List<UserRecord> kinesisRecords) {
        return deaggregate(kinesisRecords, null);
    }

    /**
     * De-aggregates, dropping aggregates that hold a user record outside {@code shardRange} (null: no check).
     */
    public static List<UserRecord> deaggregate(List<UserRecord> kinesisRecords, HashKeyRange shardRange) {
        List<UserRecord> out = new ArrayList<>(kinesisRecords.size());
        for (UserRecord record : kinesisRecords) {
            deaggregate(record, shardRange, out::add);
        }
        return out;
    }

    /** De-aggregates one Kinesis record without a hash-key range check. */
    public static List<UserRecord> deaggregate(UserRecord kinesisRecord) {
        List<UserRecord> out = new ArrayList<>();
        deaggregate(kinesisRecord, null, out::add);
        return out;
    }

    /**
     * De-aggregates one Kinesis record into {@code sink}.
     *
     * @return the number of user records handed to the sink (0 when a stray aggregate was dropped)
     */
    public static int deaggregate(UserRecord kinesisRecord, HashKeyRange shardRange, Consumer<UserRecord> sink) {
        byte[] data = kinesisRecord.rawData();
        Messages.AggregatedRecord aggregate = parse(data);
        if (aggregate == null) {
            sink.accept(kinesisRecord);
            return 1;
        }
        int recordCount = aggregate.getRecordsCount();
        if (shardRange != null) {
            for (int i = 0; i < recordCount; i++) {
                if (!shardRange.contains(effectiveHashKey(aggregate, aggregate.getRecords(i)))) {
                    return 0;
                }
            }
        }
        for (int i = 0; i < recordCount; i++) {
            Messages.Record record = aggregate.getRecords(i);
            String explicitHashKey = record.hasExplicitHashKeyIndex()
                    ? aggregate.getExplicitHashKeyTable((int) record.getExplicitHashKeyIndex()) : null;
            sink.accept(UserRecord.fromAggregate(kinesisRecord,
                    aggregate.getPartitionKeyTable((int) record.getPartitionKeyIndex()), explicitHashKey,
                    record.getData().toByteArray(), i));
        }
        return recordCount;
    }

    /** True if {@code data} is a well-formed KPL aggregate. */
    public static boolean isAggregate(byte[] data) {
        return parse(data) != null;
    }

    private static BigInteger effectiveHashKey(Messages.AggregatedRecord aggregate, Messages.Record record) {
        if (record.hasExplicitHashKeyIndex()) {
            return new BigInteger(aggregate.getExplicitHashKeyTable((int) record.getExplicitHashKeyIndex()));
        }
        return HashKeys.hashKey(aggregate.getPartitionKeyTable((int) record.getPartitionKeyIndex()));
    }

    /** The parsed aggregate, or null when {@code data} is not one. */
    private static Messages.AggregatedRecord parse(byte[] data) {
        if (data.length <= MAGIC.length + MD5_LENGTH || !AggregationFormat.hasMagic(data)) {
            return null;
        }
        int protobufLength = data.length - MAGIC.length - MD5_LENGTH;
        MessageDigest md5 = MD5.get();
        md5.reset();
        md5.update(data, MAGIC.length, protobufLength);
        byte[] digest = md5.digest();
        if (!Arrays.equals(digest, 0, MD5_LENGTH, data, data.length - MD5_LENGTH, data.length)) {
            return null;
        }
        Messages.AggregatedRecord aggregate;
        try {
            aggregate = Messages.AggregatedRecord.parseFrom(
                    com.google.protobuf.CodedInputStream.newInstance(data, MAGIC.length, protobufLength));
        } catch (IOException e) { // InvalidProtocolBufferException included
            return null;
        }
        return wellFormed(aggregate) ? aggregate : null;
    }

    private static boolean wellFormed(Messages.AggregatedRecord aggregate) {
        int partitionKeys = aggregate.getPartitionKeyTableCount();
        int explicitHashKeys = aggregate.getExplicitHashKeyTableCount();
        for (Messages.Record record : aggregate.getRecordsList()) {
            if (record.getPartitionKeyIndex() < 0 || record.getPartitionKeyIndex() >= partitionKeys) {
                return false;
            }
            if (record.hasExplicitHashKeyIndex()) {
                long index = record.getExplicitHashKeyIndex();
                if (index < 0 || index >= explicitHashKeys) {
                    return false;
                }
                if (!isHashKey(aggregate.getExplicitHashKeyTable((int) index))) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Decimal digits worth 0 .. 2^128-1; leading zeros are tolerated on the way in, as KCL tolerates them. */
    private static boolean isHashKey(String key) {
        if (key.isEmpty() || key.length() > 100) {
            return false;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return new BigInteger(key).compareTo(Limits.MAX_HASH_KEY) <= 0;
    }
}
