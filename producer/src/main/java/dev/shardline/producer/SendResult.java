package dev.shardline.producer;

import java.util.List;

/**
 * Where a user record was stored: the shard, the Kinesis sequence number, the sub-sequence number (the record's index
 * in its aggregate, 0 for a plain record), and every attempt it took (the last one succeeded).
 */
public record SendResult(String shardId, String sequenceNumber, long subSequenceNumber, List<Attempt> attempts) {

    public SendResult {
        attempts = List.copyOf(attempts);
    }
}
