package dev.shardline.aggregation;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** How Kinesis maps a partition key to the 128-bit hash-key space. */
public final class HashKeys {
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(HashKeys::newMd5);

    private HashKeys() {
    }

    /** MD5 of the partition key's UTF-8 bytes, read as an unsigned 128-bit big-endian integer. */
    public static BigInteger hashKey(String partitionKey) {
        return hashKey(partitionKey.getBytes(StandardCharsets.UTF_8));
    }

    /** {@link #hashKey(String)} of a partition key already encoded as UTF-8. */
    public static BigInteger hashKey(byte[] partitionKeyUtf8) {
        return new BigInteger(1, MD5.get().digest(partitionKeyUtf8));
    }

    /** The explicit hash key when there is one, else the partition key's MD5. */
    public static BigInteger effectiveHashKey(String partitionKey, String explicitHashKey) {
        return explicitHashKey != null ? new BigInteger(explicitHashKey) : hashKey(partitionKey);
    }

    static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required of every Java platform", e);
        }
    }
}
