package dev.shardline.aggregation;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** The per-record limits of Kinesis Data Streams, and the checks every entry point shares. */
public final class Limits {
    /** Longest partition key, in Unicode characters (as Kinesis counts them). */
    public static final int MAX_PARTITION_KEY_LENGTH = 256;
    /**
     * Default largest Kinesis record: data plus partition key bytes, 1 MiB. Streams can be configured
     * for up to 10 MiB; pass the stream's value where it differs.
     */
    public static final int DEFAULT_MAX_RECORD_BYTES = 1024 * 1024;
    /** Largest value of a hash key, 2^128 - 1. */
    public static final BigInteger MAX_HASH_KEY = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    private Limits() {
    }

    /**
     * Checks a partition key: not null, 1 to 256 Unicode characters. Characters are counted as code points (the AWS
     * API model measures string lengths in Unicode scalar values), so a key of 256 emoji passes although Java's
     * {@code length()} is 512. A lone surrogate has no UTF-8 form, so Kinesis could never hash or store it: refused.
     */
    public static void checkPartitionKey(String partitionKey) {
        if (partitionKey == null) {
            throw new InvalidRecordException("partitionKey", "must not be null");
        }
        int length = 0;
        for (int i = 0; i < partitionKey.length(); i++, length++) {
            char c = partitionKey.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < partitionKey.length()
                        && Character.isLowSurrogate(partitionKey.charAt(i + 1))) {
                    i++;
                } else {
                    throw new InvalidRecordException("partitionKey", "has an unpaired surrogate at index " + i
                            + ": not valid Unicode (1 to " + MAX_PARTITION_KEY_LENGTH + " Unicode characters)");
                }
            }
        }
        if (length == 0) {
            throw new InvalidRecordException("partitionKey", "must not be empty (1 to "
                    + MAX_PARTITION_KEY_LENGTH + " characters)");
        }
        if (length > MAX_PARTITION_KEY_LENGTH) {
            throw new InvalidRecordException("partitionKey", "is " + length + " characters, over the limit of "
                    + MAX_PARTITION_KEY_LENGTH);
        }
    }

    /**
     * Checks and parses an explicit hash key: a decimal integer in 0 .. 2^128 - 1 written as Kinesis requires it
     * ({@code 0|([1-9]\d{0,38})}: no sign, no leading zeros). Returns null for a null key.
     */
    public static BigInteger parseExplicitHashKey(String explicitHashKey) {
        if (explicitHashKey == null) {
            return null;
        }
        int length = explicitHashKey.length();
        if (length == 0 || length > 39) {
            throw badHashKey(explicitHashKey);
        }
        for (int i = 0; i < length; i++) {
            char c = explicitHashKey.charAt(i);
            if (c < '0' || c > '9' || (i == 0 && c == '0' && length > 1)) {
                throw badHashKey(explicitHashKey);
            }
        }
        BigInteger value = new BigInteger(explicitHashKey);
        if (value.compareTo(MAX_HASH_KEY) > 0) {
            throw badHashKey(explicitHashKey);
        }
        return value;
    }

    private static InvalidRecordException badHashKey(String key) {
        String shown = key.length() > 60 ? key.substring(0, 60) + "..." : key;
        return new InvalidRecordException("explicitHashKey", "'" + shown
                + "' is not a decimal integer in 0 .. 2^128-1 (" + MAX_HASH_KEY + ") without sign or leading zeros");
    }

    /**
     * Checks that data is present and that data plus partition key fit a Kinesis record of {@code maxRecordBytes}.
     */
    public static void checkData(byte[] data, String partitionKey, int maxRecordBytes) {
        if (data == null) {
            throw new InvalidRecordException("data", "must not be null");
        }
        long size = (long) data.length + utf8Length(partitionKey);
        if (size > maxRecordBytes) {
            throw new InvalidRecordException("data", "record is " + size
                    + " bytes (data + partition key), over the limit of " + maxRecordBytes + " bytes");
        }
    }

    /** The UTF-8 length of a string, without encoding it. */
    public static int utf8Length(String s) {
        if (s == null) {
            return 0;
        }
        int length = s.length();
        int bytes = length;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c >= 0x80) {
                if (c < 0x800) {
                    bytes += 1;
                } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                    bytes += 2; // 4 bytes for the pair of chars
                    i++;
                } else {
                    bytes += 2;
                }
            }
        }
        return bytes;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
