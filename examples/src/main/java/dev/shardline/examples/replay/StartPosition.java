package dev.shardline.examples.replay;

import java.math.BigInteger;
import java.time.Instant;
import java.util.Objects;
import software.amazon.awssdk.services.kinesis.model.GetShardIteratorRequest;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/**
 * Where replay starts reading one shard, and which user records at that position it skips: a checkpoint
 * {@code (seq, subSeq)} is read from {@code AT_SEQUENCE_NUMBER seq} and skips user records at or before it, so
 * that a checkpoint inside a KPL aggregate resumes with the next user record of that aggregate (as KCL does).
 */
public final class StartPosition {
    private final ShardIteratorType type;
    private final String sequenceNumber;
    private final long afterSubSequence;
    private final Instant timestamp;

    private StartPosition(ShardIteratorType type, String sequenceNumber, long afterSubSequence, Instant timestamp) {
        this.type = type;
        this.sequenceNumber = sequenceNumber;
        this.afterSubSequence = afterSubSequence;
        this.timestamp = timestamp;
    }

    public static StartPosition trimHorizon() {
        return new StartPosition(ShardIteratorType.TRIM_HORIZON, null, 0, null);
    }

    public static StartPosition latest() {
        return new StartPosition(ShardIteratorType.LATEST, null, 0, null);
    }

    public static StartPosition atTimestamp(Instant timestamp) {
        return new StartPosition(ShardIteratorType.AT_TIMESTAMP, null, 0, Objects.requireNonNull(timestamp));
    }

    /** After every user record of Kinesis record {@code sequenceNumber}. */
    public static StartPosition afterSequence(String sequenceNumber) {
        return afterCheckpoint(sequenceNumber, Long.MAX_VALUE);
    }

    /** After user record {@code subSequenceNumber} of Kinesis record {@code sequenceNumber}. */
    public static StartPosition afterCheckpoint(String sequenceNumber, long subSequenceNumber) {
        return new StartPosition(ShardIteratorType.AT_SEQUENCE_NUMBER, checkSequence(sequenceNumber),
                subSequenceNumber, null);
    }

    static String checkSequence(String sequenceNumber) {
        if (sequenceNumber == null || sequenceNumber.isEmpty() || sequenceNumber.length() > 128
                || !sequenceNumber.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("a sequence number is a decimal number of 1 to 128 digits, was '"
                    + sequenceNumber + "'");
        }
        return sequenceNumber;
    }

    public ShardIteratorType type() {
        return type;
    }

    /** The sequence number of an {@code AT_SEQUENCE_NUMBER} start, else null. */
    public String sequenceNumber() {
        return sequenceNumber;
    }

    /** True when the user record at {@code (seq, subSeq)} is at or before this start and must be skipped. */
    public boolean skips(String seq, long subSeq) {
        if (sequenceNumber == null) {
            return false;
        }
        int cmp = new BigInteger(seq).compareTo(new BigInteger(sequenceNumber));
        return cmp < 0 || (cmp == 0 && subSeq <= afterSubSequence);
    }

    /** Fills the position fields of a GetShardIterator request. */
    public GetShardIteratorRequest.Builder applyTo(GetShardIteratorRequest.Builder request) {
        request.shardIteratorType(type);
        if (sequenceNumber != null) {
            request.startingSequenceNumber(sequenceNumber);
        }
        if (timestamp != null) {
            request.timestamp(timestamp);
        }
        return request;
    }

    @Override
    public String toString() {
        return switch (type) {
            case AT_SEQUENCE_NUMBER -> afterSubSequence == Long.MAX_VALUE ? "after " + sequenceNumber
                    : "after " + sequenceNumber + "/" + afterSubSequence;
            case AT_TIMESTAMP -> "at " + timestamp;
            default -> type.toString();
        };
    }
}
