package dev.shardline.local;

import java.time.Instant;

/**
 * Where a reader starts in a shard, for GetShardIterator and SubscribeToShard alike: the iterator type with its
 * sequence number or timestamp, checked as the service checks them (InvalidArgumentException for arguments that
 * do not fit the type, a timestamp in the future, or a sequence number that is not one of this shard's).
 */
final class IteratorStart {
    private IteratorStart() {
    }

    /**
     * The position to read from.
     *
     * @param operation the operation's name, for messages
     * @param field the sequence number's member name as the caller sent it ("StartingSequenceNumber" or
     *     "StartingPosition.SequenceNumber")
     */
    static long position(StreamStore store, LocalShard shard, String operation, String field, String type,
            String sequence, Instant timestamp) {
        switch (type) {
            case "TRIM_HORIZON", "LATEST" -> {
                if (sequence != null) {
                    throw KinesisException.invalid("Request specified " + field + " for iterator type " + type
                            + ", which does not take one.");
                }
                if (timestamp != null) {
                    throw KinesisException.invalid("Request specified a timestamp for iterator type " + type
                            + ", which does not take one.");
                }
                return type.equals("LATEST") ? shard.nextPosition() : shard.firstPosition();
            }
            case "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER" -> {
                if (sequence == null) {
                    throw KinesisException.invalid(field + " must be specified for iterator type " + type + ".");
                }
                if (timestamp != null) {
                    throw KinesisException.invalid("Request specified a timestamp for iterator type " + type
                            + ", which does not take one.");
                }
                long position = sequencePosition(store, shard, operation, field, sequence);
                if (type.equals("AFTER_SEQUENCE_NUMBER")) {
                    position++;
                }
                return Math.max(position, shard.firstPosition());
            }
            case "AT_TIMESTAMP" -> {
                if (timestamp == null) {
                    throw KinesisException.invalid("Must specify timestampInMillis parameter for iterator of type "
                            + "AT_TIMESTAMP. Current request has no timestamp parameter.");
                }
                if (sequence != null) {
                    throw KinesisException.invalid("Request specified " + field + " for iterator type "
                            + "AT_TIMESTAMP, which does not take one.");
                }
                long now = store.nowMillis();
                if (timestamp.toEpochMilli() > now) {
                    throw KinesisException.invalid("The timestampInMillis parameter cannot be greater than the "
                            + "currentTimestampInMillis. timestampInMillis: " + timestamp.toEpochMilli()
                            + ", currentTimestampInMillis: " + now);
                }
                return shard.positionAt(timestamp.toEpochMilli());
            }
            default -> throw new IllegalArgumentException(type); // the request validation refuses it first
        }
    }

    private static long sequencePosition(StreamStore store, LocalShard shard, String operation, String field,
            String sequence) {
        String invalid = field + " " + sequence + " used in " + operation + " on shard " + shard.shardId()
                + " in stream " + shard.stream().name() + " under account " + store.account() + " is invalid";
        int index = SequenceNumbers.shardIndex(sequence);
        long position = SequenceNumbers.position(sequence);
        if (index < 0 || position == SequenceNumbers.NOT_OURS) {
            throw KinesisException.invalid(invalid + ".");
        }
        if (index != shard.index()) {
            throw KinesisException.invalid(invalid + " because it did not come from this shard.");
        }
        if (SequenceNumbers.counter(sequence) > shard.stream().recordCounter()) {
            throw KinesisException.invalid(invalid + ".");
        }
        // -1 is the shard's StartingSequenceNumber: before the first record.
        if (position < -1 || position > shard.nextPosition()) {
            throw KinesisException.invalid(invalid + ".");
        }
        return position;
    }
}
