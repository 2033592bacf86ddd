package dev.shardline.consumer;

import dev.shardline.checkpoint.ExtendedSequenceNumber;
import java.time.Instant;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** Where a source starts reading: an iterator type with its sequence number or timestamp. */
record StartPosition(ShardIteratorType type, String sequenceNumber, Instant timestamp) {

    /** From a checkpoint (or start sentinel) of the lease table. */
    static StartPosition from(ExtendedSequenceNumber checkpoint, InitialPosition initial) {
        if (checkpoint.equals(ExtendedSequenceNumber.TRIM_HORIZON)) {
            return new StartPosition(ShardIteratorType.TRIM_HORIZON, null, null);
        }
        if (checkpoint.equals(ExtendedSequenceNumber.LATEST)) {
            return new StartPosition(ShardIteratorType.LATEST, null, null);
        }
        if (checkpoint.equals(ExtendedSequenceNumber.AT_TIMESTAMP)) {
            Instant ts = initial.timestamp() != null ? initial.timestamp() : Instant.EPOCH;
            return new StartPosition(ShardIteratorType.AT_TIMESTAMP, null, ts);
        }
        if (checkpoint.isSentinel()) {
            throw new IllegalArgumentException("cannot read from checkpoint " + checkpoint);
        }
        // Part of an aggregate was processed: read the aggregate again and let the shard loop skip what was done.
        return checkpoint.subSequenceNumber() > 0
                ? new StartPosition(ShardIteratorType.AT_SEQUENCE_NUMBER, checkpoint.sequenceNumber(), null)
                : new StartPosition(ShardIteratorType.AFTER_SEQUENCE_NUMBER, checkpoint.sequenceNumber(), null);
    }

    static StartPosition after(String sequenceNumber) {
        return new StartPosition(ShardIteratorType.AFTER_SEQUENCE_NUMBER, sequenceNumber, null);
    }
}
