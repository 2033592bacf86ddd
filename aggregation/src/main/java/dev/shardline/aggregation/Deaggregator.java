package dev.shardline.aggregation;

import static dev.shardline.aggregation.AggregationFormat.MAGIC;
import static dev.shardline.aggregation.AggregationFormat.MD5_LENGTH;

import java.math.BigInteger;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Expands Kinesis records into user records. A record is an aggregate only if it starts with the KPL magic, has
 * more than 16 bytes after it, ends with the MD5 of the bytes between, and those bytes parse as an
 * {@code AggregatedRecord} whose indexes are in range; anything else passes through unchanged as one user record.
 *
 * <p>User records of an aggregate keep the Kinesis record's sequence number and arrival time and get sub-sequence
 * numbers 0, 1, 2 ... in order. Their data is not copied: they are views of the aggregate's bytes.
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
        // Aggregates of one batch tend to share partition keys: each distinct key is hashed once per call.
        Map<String, Boolean> verdicts = new HashMap<>();
        for (UserRecord record : kinesisRecords) {
            deaggregate(record, shardRange, verdicts, out::add);
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
        return deaggregate(kinesisRecord, shardRange, new HashMap<>(), sink);
    }

    /** @param verdicts partition key → inside {@code shardRange}, shared by the aggregates of one call */
    private static int deaggregate(UserRecord kinesisRecord, HashKeyRange shardRange, Map<String, Boolean> verdicts,
            Consumer<UserRecord> sink) {
        AggregateReader aggregate = parse(kinesisRecord.rawData(), kinesisRecord.rawDataOffset(),
                kinesisRecord.dataLength());
        if (aggregate == null) {
            sink.accept(kinesisRecord);
            return 1;
        }
        // Every hash key is inside the whole key space (explicit ones were checked by the parse): no hashing needed.
        if (shardRange != null && !shardRange.isAll() && !aggregate.allInside(shardRange, MD5.get(), verdicts)) {
            return 0;
        }
        int count = aggregate.recordCount;
        for (int i = 0; i < count; i++) {
            sink.accept(UserRecord.fromAggregate(kinesisRecord, aggregate.partitionKey(i),
                    aggregate.explicitHashKey(i), aggregate.dataOffset[i], aggregate.dataLength[i], i));
        }
        return count;
    }

    /** True if {@code data} is a well-formed KPL aggregate. */
    public static boolean isAggregate(byte[] data) {
        return parse(data, 0, data.length) != null;
    }

    /** The parsed aggregate, or null when the bytes are not one. */
    private static AggregateReader parse(byte[] data, int offset, int length) {
        if (length <= MAGIC.length + MD5_LENGTH || !AggregationFormat.hasMagic(data, offset)) {
            return null;
        }
        int protobufOffset = offset + MAGIC.length;
        int protobufLength = length - MAGIC.length - MD5_LENGTH;
        if (!md5Matches(data, protobufOffset, protobufLength)) {
            return null;
        }
        AggregateReader aggregate = AggregateReader.read(data, protobufOffset, protobufLength);
        return aggregate != null && aggregate.wellFormed() ? aggregate : null;
    }

    private static boolean md5Matches(byte[] data, int offset, int length) {
        MessageDigest md5 = MD5.get();
        md5.update(data, offset, length);
        byte[] digest = md5.digest();
        return java.util.Arrays.equals(digest, 0, MD5_LENGTH, data, offset + length, offset + length + MD5_LENGTH);
    }

    /** Decimal digits worth 0 .. 2^128-1; leading zeros are tolerated on the way in, as KCL tolerates them. */
    static boolean isHashKey(String key) {
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
