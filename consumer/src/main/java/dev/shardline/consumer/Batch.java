package dev.shardline.consumer;

import dev.shardline.aggregation.UserRecord;
import java.util.List;
import software.amazon.awssdk.services.kinesis.model.ChildShard;

/**
 * What a record source hands the shard loop: Kinesis records as read (not yet de-aggregated), the lag, and at the end
 * of a closed shard the children.
 *
 * @param records            Kinesis-level records in shard order (may be empty)
 * @param millisBehindLatest lag reported with the read
 * @param shardEnd           true when the shard is closed and every record was read
 * @param childShards        the children reported at the shard end (may be empty, e.g. from older endpoints)
 * @param bytes              payload bytes in {@code records}, for the prefetch budget
 */
record Batch(List<UserRecord> records, long millisBehindLatest, boolean shardEnd, List<ChildShard> childShards,
             long bytes) {
}
