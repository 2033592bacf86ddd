package dev.shardline.aggregation;

import java.math.BigInteger;
import java.util.Objects;

/** A shard's inclusive range of hash keys. */
public final class HashKeyRange {
    /** The whole 128-bit space, 0 .. 2^128 - 1. */
    public static final HashKeyRange ALL = new HashKeyRange(BigInteger.ZERO, Limits.MAX_HASH_KEY);

    private final BigInteger startingHashKey;
    private final BigInteger endingHashKey;

    public HashKeyRange(BigInteger startingHashKey, BigInteger endingHashKey) {
        this.startingHashKey = Objects.requireNonNull(startingHashKey, "startingHashKey");
        this.endingHashKey = Objects.requireNonNull(endingHashKey, "endingHashKey");
        if (startingHashKey.compareTo(endingHashKey) > 0) {
            throw new IllegalArgumentException("startingHashKey " + startingHashKey + " > endingHashKey " + endingHashKey);
        }
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
