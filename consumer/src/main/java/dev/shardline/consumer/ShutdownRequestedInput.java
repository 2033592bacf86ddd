package dev.shardline.consumer;

import dev.shardline.checkpoint.Checkpointer;

/**
 * What {@link RecordProcessor#shutdownRequested} is given.
 *
 * @param shardId      the shard being handed over
 * @param checkpointer checkpoints up to the last record delivered, while the lease is still held
 */
public record ShutdownRequestedInput(String shardId, Checkpointer checkpointer) {
}
