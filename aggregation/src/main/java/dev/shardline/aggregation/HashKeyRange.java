package dev.shardline.aggregation;

import java.math.BigInteger;
import java.util.Objects;

/** A shard's inclusive range of hash keys. */
public final class HashKeyRange {
    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.BIG_ENDIAN);

    /** The whole 128-bit space, 0 .. 2^128 - 1. */
    public static final HashKeyRange ALL = new HashKeyRange(BigInteger.ZERO, Limits.MAX_HASH_KEY);

    private final BigInteger startingHashKey;
    private final BigInteger endingHashKey;
    // The bounds as unsigned 128-bit halves, to test MD5 digests without making BigIntegers.
    private final long startHigh;
    private final long startLow;
    private final long endHigh;
    private final long endLow;

    public HashKeyRange(BigInteger startingHashKey, BigInteger endingHashKey) {
        this.startingHashKey = Objects.requireNonNull(startingHashKey, "startingHashKey");
        this.endingHashKey = Objects.requireNonNull(endingHashKey, "endingHashKey");
        if (startingHashKey.compareTo(endingHashKey) > 0) {
            throw new IllegalArgumentException("startingHashKey " + startingHashKey + " > endingHashKey " + endingHashKey);
        }
        if (startingHashKey.signum() < 0 || endingHashKey.compareTo(Limits.MAX_HASH_KEY) > 0) {
            throw new IllegalArgumentException("hash keys must be in 0 .. 2^128-1, got " + this);
        }
        this.startHigh = startingHashKey.shiftRight(64).longValue();
        this.startLow = startingHashKey.longValue();
        this.endHigh = endingHashKey.shiftRight(64).longValue();
        this.endLow = endingHashKey.longValue();
    }

    /** Parses the decimal strings Kinesis returns in a shard's HashKeyRange. */
    public static HashKeyRange of(String startingHashKey, String endingHashKey) {
        return new HashKeyRange(new BigInteger(startingHashKey), new BigInteger(endingHashKey));
    }

    public BigInteger startingHashKey() {
        return startingHashKey;
    }

    public BigInteger endingHashKey() {
        return endingHashKey;
    }

    public boolean contains(BigInteger hashKey) {
        return hashKey.compareTo(startingHashKey) >= 0 && hashKey.compareTo(endingHashKey) <= 0;
    }

    /** True when this range is the whole key space, 0 .. 2^128-1 (a stream of one shard). */
    public boolean isAll() {
        return startHigh == 0 && startLow == 0 && endHigh == -1L && endLow == -1L;
    }

    /** {@link #contains} for a hash key given as 16 big-endian bytes (an MD5 digest). */
    boolean containsDigest(byte[] digest) {
        long high = (long) LONGS.get(digest, 0);
        long low = (long) LONGS.get(digest, 8);
        return compare(high, low, startHigh, startLow) >= 0 && compare(high, low, endHigh, endLow) <= 0;
    }

    private static int compare(long highA, long lowA, long highB, long lowB) {
        int high = Long.compareUnsigned(highA, highB);
        return high != 0 ? high : Long.compareUnsigned(lowA, lowB);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HashKeyRange r && r.startingHashKey.equals(startingHashKey) && r.endingHashKey.equals(endingHashKey);
    }

    @Override
    public int hashCode() {
        return startingHashKey.hashCode() * 31 + endingHashKey.hashCode();
    }

    @Override
    public String toString() {
        return "[" + startingHashKey + ".." + endingHashKey + "]";
    }
}
