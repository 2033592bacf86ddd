package dev.shardline.consumer;

import dev.shardline.checkpoint.Checkpointer;

/**
 * What {@link RecordProcessor#shardEnded} is given.
 *
 * @param shardId      the closed shard whose every record was delivered
 * @param checkpointer must be used to checkpoint SHARD_END ({@code checkpointer.checkpoint()})
 */
public record ShardEndedInput(String shardId, Checkpointer checkpointer) {
}
