package dev.shardline.checkpoint;

import java.math.BigInteger;
import java.util.Objects;

/**
 * A position in a shard: a Kinesis sequence number plus the sub-sequence number of a user record inside a KPL
 * aggregate (0 for plain records), or one of the sentinels KCL writes in the {@code checkpoint} attribute:
 * {@link #TRIM_HORIZON}, {@link #LATEST}, {@link #AT_TIMESTAMP}, {@link #SHARD_END}.
 *
 * <p>Ordering: sequence numbers compare as unsigned big integers, then sub-sequence numbers. The start sentinels
 * ({@code AT_TIMESTAMP} &lt; {@code TRIM_HORIZON} &lt; {@code LATEST}) sort before every real position and
 * {@code SHARD_END} after every one. Immutable.
 */
public final class ExtendedSequenceNumber implements Comparable<ExtendedSequenceNumber> {
    /** Read from the oldest record still in the shard. */
    public static final ExtendedSequenceNumber TRIM_HORIZON = new ExtendedSequenceNumber("TRIM_HORIZON", 0, -2);
    /** Read only records added after the consumer starts. */
    public static final ExtendedSequenceNumber LATEST = new ExtendedSequenceNumber("LATEST", 0, -1);
    /** Read from the consumer's configured timestamp. */
    public static final ExtendedSequenceNumber AT_TIMESTAMP = new ExtendedSequenceNumber("AT_TIMESTAMP", 0, -3);
    /** The shard is closed and every record in it has been processed; its children may start. */
    public static final ExtendedSequenceNumber SHARD_END = new ExtendedSequenceNumber("SHARD_END", 0, 1);

    /** The Kinesis API's limit: {@code 0|([1-9]\d{0,128})}. */
    private static final int MAX_DIGITS = 129;

    private final String sequenceNumber;
    private final long subSequenceNumber;
    /** -3..-1 start sentinels, 0 a real number, 1 SHARD_END. */
    private final int rank;
    private final BigInteger numeric;

    private ExtendedSequenceNumber(String sequenceNumber, long subSequenceNumber, int rank) {
        this.sequenceNumber = sequenceNumber;
        this.subSequenceNumber = subSequenceNumber;
        this.rank = rank;
        this.numeric = rank == 0 ? new BigInteger(sequenceNumber) : null;
    }

    /** A real position with sub-sequence number 0. */
    public static ExtendedSequenceNumber of(String sequenceNumber) {
        return of(sequenceNumber, 0);
    }

    /**
     * A real position, or a sentinel when {@code sequenceNumber} is one of the sentinel names.
     *
     * @throws IllegalArgumentException if {@code sequenceNumber} is null or not a decimal number of at most 129 digits, or
     *                                  {@code subSequenceNumber} is negative
     */
    public static ExtendedSequenceNumber of(String sequenceNumber, long subSequenceNumber) {
        if (sequenceNumber == null) {
            throw new IllegalArgumentException("sequenceNumber must not be null");
        }
        if (subSequenceNumber < 0) {
            throw new IllegalArgumentException("subSequenceNumber must be >= 0, was " + subSequenceNumber);
        }
        ExtendedSequenceNumber sentinel = sentinel(sequenceNumber);
        if (sentinel != null) {
            return sentinel;
        }
        if (sequenceNumber.isEmpty() || sequenceNumber.length() > MAX_DIGITS
                || !sequenceNumber.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("sequenceNumber must be a decimal number of 1 to " + MAX_DIGITS
                    + " digits or a sentinel, was '" + sequenceNumber + "'");
        }
        return new ExtendedSequenceNumber(sequenceNumber, subSequenceNumber, 0);
    }

    /** The sentinel named {@code name}, or null. */
    static ExtendedSequenceNumber sentinel(String name) {
        switch (name) {
            case "TRIM_HORIZON": return TRIM_HORIZON;
            case "LATEST": return LATEST;
            case "AT_TIMESTAMP": return AT_TIMESTAMP;
            case "SHARD_END": return SHARD_END;
            default: return null;
        }
    }

    /** The sequence number, or the sentinel's name (as stored in the {@code checkpoint} attribute). */
    public String sequenceNumber() {
        return sequenceNumber;
    }

    /** The sub-sequence number (0 for plain records and sentinels). */
    public long subSequenceNumber() {
        return subSequenceNumber;
    }

    /** True for TRIM_HORIZON, LATEST, AT_TIMESTAMP and SHARD_END. */
    public boolean isSentinel() {
        return rank != 0;
    }

    /** True for SHARD_END. */
    public boolean isShardEnd() {
        return rank == 1;
    }

    @Override
    public int compareTo(ExtendedSequenceNumber o) {
        if (rank != 0 || o.rank != 0) {
            return Integer.compare(rank, o.rank);
        }
        int c = numeric.compareTo(o.numeric);
        return c != 0 ? c : Long.compare(subSequenceNumber, o.subSequenceNumber);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExtendedSequenceNumber e && compareTo(e) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rank, numeric, subSequenceNumber);
    }

    @Override
    public String toString() {
        return rank != 0 ? sequenceNumber : sequenceNumber + "/" + subSequenceNumber;
    }
}
