package dev.shardline.consumer;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.checkpoint.Checkpointer;
import java.util.List;

/**
 * What {@link RecordProcessor#processRecords} is given.
 *
 * @param shardId            the shard
 * @param records            de-aggregated user records in shard order (sequence, then sub-sequence number)
 * @param millisBehindLatest how far the read position was behind the tip of the shard when these were read
 * @param checkpointer       checkpoints this shard (the last record of this batch is the newest it accepts)
 */
public record ProcessRecordsInput(String shardId, List<UserRecord> records, long millisBehindLatest,
                                  Checkpointer checkpointer) {
}
