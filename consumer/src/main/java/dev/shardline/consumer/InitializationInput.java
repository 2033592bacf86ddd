package dev.shardline.consumer;

import dev.shardline.checkpoint.ExtendedSequenceNumber;
import java.util.Optional;

/**
 * What {@link RecordProcessor#initialize} is told.
 *
 * @param shardId           the shard this processor owns
 * @param startingPosition  where reading starts: the last checkpoint, or a start sentinel (TRIM_HORIZON, LATEST,
 *                          AT_TIMESTAMP) for a shard never checkpointed; records after it are delivered
 * @param pendingCheckpoint a checkpoint a previous owner prepared but did not commit, if any
 * @param pendingState      the application state stored with the pending checkpoint, if any
 * @param streamName        the stream the shard belongs to (in a multi-stream application, tells its streams apart)
 */
public record InitializationInput(String shardId, ExtendedSequenceNumber startingPosition,
                                  Optional<ExtendedSequenceNumber> pendingCheckpoint, Optional<byte[]> pendingState,
                                  String streamName) {

    /** Without the stream name (kept for callers that build inputs, e.g. processor unit tests). */
    public InitializationInput(String shardId, ExtendedSequenceNumber startingPosition,
                               Optional<ExtendedSequenceNumber> pendingCheckpoint, Optional<byte[]> pendingState) {
        this(shardId, startingPosition, pendingCheckpoint, pendingState, null);
    }
}
