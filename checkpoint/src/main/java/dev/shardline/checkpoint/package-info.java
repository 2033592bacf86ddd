/**
 * The DynamoDB lease table and the checkpointer.
 *
 * <ul>
 *   <li>{@link dev.shardline.checkpoint.LeaseTable}: the lease table (KCL's item format), conditional operations.</li>
 *   <li>{@link dev.shardline.checkpoint.Lease}: an immutable snapshot of one lease item.</li>
 *   <li>{@link dev.shardline.checkpoint.WorkerHeartbeats}: one heartbeat item per worker in
 *       {@code <app>-ShardlineWorkers}.</li>
 *   <li>{@link dev.shardline.checkpoint.ExpiryTracker}: expiry by unchanged counters on the local monotonic clock.</li>
 *   <li>{@link dev.shardline.checkpoint.Checkpointer}, {@link dev.shardline.checkpoint.LeaseHolding},
 *       {@link dev.shardline.checkpoint.PreparedCheckpoint}: checkpointing a held lease.</li>
 * </ul>
 */
package dev.shardline.checkpoint;
