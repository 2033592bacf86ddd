package dev.shardline.local;

import java.math.BigInteger;

/**
 * Sequence numbers shaped like the service's: 56 decimal digits starting with "49". Here they encode the shard's
 * index (14 digits) and the record's position in the shard (40 digits), so they increase within a shard, a child
 * shard's numbers are greater than its parents', and a number can be traced back to its shard and position.
 *
 * <p>The position digits hold {@code position + 1}: position -1 (all zeros) is the shard's StartingSequenceNumber,
 * which precedes every record as in the service. A fan-out subscription on a shard that has never held a record
 * reports it as its continuation, and AFTER_SEQUENCE_NUMBER of it must resume at the first record.
 */
final class SequenceNumbers {
    static final int LENGTH = 56;
    private static final int SHARD_DIGITS = 14;
    private static final int POSITION_DIGITS = 40;

    private SequenceNumbers() {
    }

    /** The number of the record at {@code position}; -1 gives the shard's starting number. */
    static String of(int shardIndex, long position) {
        StringBuilder sb = new StringBuilder(LENGTH).append("49");
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
        return Integer.parseInt(sequenceNumber.substring(2, 2 + SHARD_DIGITS));
    }

    /** Returned by {@link #position} for a number that is not one of ours. */
    static final long NOT_OURS = Long.MIN_VALUE;

    /** The position within its shard (-1 for the shard's starting number), or {@link #NOT_OURS}. */
    static long position(String sequenceNumber) {
        if (!wellFormed(sequenceNumber)) {
            return NOT_OURS;
        }
        BigInteger digits = new BigInteger(sequenceNumber.substring(2 + SHARD_DIGITS));
        return digits.bitLength() < 63 ? digits.longValue() - 1 : NOT_OURS;
    }

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

    /** Digits only, at most 128 of them: what the service accepts as a sequence number at all. */
    static boolean plausible(String s) {
        if (s == null || s.isEmpty() || s.length() > 128) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
