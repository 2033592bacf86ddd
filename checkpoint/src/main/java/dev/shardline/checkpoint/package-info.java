/**
 * The DynamoDB lease table and the checkpointer.
 *
 * <ul>
 *   <li>{@link dev.shardline.checkpoint.LeaseTable}: the lease table (KCL's item format), conditional operations.</li>
 *   <li>{@link dev.shardline.checkpoint.Lease}: an immutable snapshot of one lease item.</li>
 *   <li>{@link dev.shardline.checkpoint.WorkerHeartbeats}: one heartbeat item per worker in
 *       {@code <app>-ShardlineWorkers}.</li>
 *   <li>{@link dev.shardline.checkpoint.ExpiryTracker}: expiry by unchanged counters on the local monotonic clock.</li>
 *   <li>{@link dev.shardline.checkpoint.LeaseHolding}: a worker's holding of one lease (its lifecycle: delivered
 *       positions, release, graceful handoff); {@link dev.shardline.checkpoint.Checkpointer} and
 *       {@link dev.shardline.checkpoint.PreparedCheckpoint}: what the record processor gets to checkpoint it.</li>
 * </ul>
 */
package dev.shardline.checkpoint;
