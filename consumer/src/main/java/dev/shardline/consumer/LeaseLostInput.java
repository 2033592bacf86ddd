package dev.shardline.consumer;

/**
 * What {@link RecordProcessor#leaseLost} is told.
 *
 * @param shardId the shard whose lease this worker no longer holds
 * @param reason  why: taken by another worker, or released after processRecords kept failing
 */
public record LeaseLostInput(String shardId, String reason) {
}
