package dev.shardline.local;

import java.math.BigInteger;

/**
 * Sequence numbers laid out like the service's: 56 decimal digits starting with "49", unique across the stream,
 * increasing within a shard, and naming their shard.
 *
 * <p>After the "49" come {@value #COUNTER_DIGITS} digits of a stream-wide counter that every stored record
 * advances (the service puts its arrival clock here), {@value #SHARD_DIGITS} digits of the shard's index, and
 * {@value #POSITION_DIGITS} digits of the record's position in its shard plus one. So, as with the service, a
 * record stored after another anywhere in the stream has the greater number: a child shard's numbers exceed its
 * parents', and a SequenceNumberForOrdering taken from any earlier record is exceeded by the next one stored. The
 * position makes finding a record by its number a constant-time step, and the shard digits tell a number of one
 * shard from a number of another.
 *
 * <p>Position -1 (position digits all zero) marks the shard's StartingSequenceNumber, which precedes every record
 * of the shard: a fan-out subscription on a shard that has never held a record reports it as its continuation, and
 * AFTER_SEQUENCE_NUMBER of it resumes at the first record.
 */
final class SequenceNumbers {
    static final int LENGTH = 56;
    static final int COUNTER_DIGITS = 20;
    static final int SHARD_DIGITS = 8;
    static final int POSITION_DIGITS = 26;
    private static final int SHARD_AT = 2 + COUNTER_DIGITS;
    private static final int POSITION_AT = SHARD_AT + SHARD_DIGITS;

    /** Returned by {@link #position} and {@link #counter} for a number that is not one of ours. */
    static final long NOT_OURS = Long.MIN_VALUE;

    private SequenceNumbers() {
    }

    /** The number of the record at {@code position} stored as the stream's {@code counter}-th record. */
    static String of(long counter, int shardIndex, long position) {
        StringBuilder sb = new StringBuilder(LENGTH).append("49");
        pad(sb, Long.toString(counter), COUNTER_DIGITS);
        pad(sb, Integer.toString(shardIndex), SHARD_DIGITS);
        pad(sb, Long.toString(position + 1), POSITION_DIGITS);
        return sb.toString();
    }

    private static void pad(StringBuilder sb, String digits, int width) {
        for (int i = digits.length(); i < width; i++) {
            sb.append('0');
        }
        sb.append(digits);
    }

    /** The shard index a number belongs to, or -1 when it is not one of ours. */
    static int shardIndex(String sequenceNumber) {
        if (!wellFormed(sequenceNumber)) {
            return -1;
        }
        return Integer.parseInt(sequenceNumber.substring(SHARD_AT, POSITION_AT));
    }

    /** The position within its shard (-1 for the shard's starting number), or {@link #NOT_OURS}. */
    static long position(String sequenceNumber) {
        if (!wellFormed(sequenceNumber)) {
            return NOT_OURS;
        }
        return parseLong(sequenceNumber.substring(POSITION_AT), -1);
    }

    /** The stream-wide counter of a number, or {@link #NOT_OURS}. */
    static long counter(String sequenceNumber) {
        if (!wellFormed(sequenceNumber)) {
            return NOT_OURS;
        }
        return parseLong(sequenceNumber.substring(2, SHARD_AT), 0);
    }

    private static long parseLong(String digits, long offset) {
        BigInteger value = new BigInteger(digits);
        return value.bitLength() < 63 ? value.longValue() + offset : NOT_OURS;
    }

    /** Shaped like one of ours: 56 digits starting with "49". */
    static boolean wellFormed(String s) {
        if (s == null || s.length() != LENGTH || !s.startsWith("49")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** The API model's pattern for a sequence number, {@code 0|([1-9]\d{0,128})}. */
    static boolean plausible(String s) {
        if (s == null || s.isEmpty() || s.length() > 129) {
            return false;
        }
        if (s.charAt(0) == '0') {
            return s.length() == 1;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    static final String PATTERN = "0|([1-9]\\d{0,128})";
}
