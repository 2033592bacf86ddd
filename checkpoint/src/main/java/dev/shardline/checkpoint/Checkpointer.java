package dev.shardline.checkpoint;

import dev.shardline.aggregation.UserRecord;
import java.util.concurrent.CompletableFuture;

/**
 * Records how far one shard has been processed, in the lease table, while this worker holds the shard's lease.
 *
 * <p>Rules, the same for every method:
 * <ul>
 *   <li>A position behind the last checkpoint, or ahead of the last record delivered to the processor, is refused
 *       at once with {@link IllegalArgumentException} (thrown, nothing written).</li>
 *   <li>When the lease is no longer held (taken, released, evicted, or lost and regained since this checkpointer was
 *       made) the returned future fails with {@link LeaseLostException} and nothing is written.</li>
 *   <li>DynamoDB throttling is retried with exponential backoff; when retries run out the future fails with the
 *       SDK's exception.</li>
 *   <li>Writes for one shard are applied in call order. Positions compare by sequence number as a big integer, then
 *       sub-sequence number.</li>
 * </ul>
 * The futures complete on SDK threads; {@code join()} them inside a processor callback to checkpoint synchronously.
 */
public interface Checkpointer {

    /**
     * The shard this checkpointer writes (its lease key is the shard id for one stream, KCL's
     * {@code account:streamName:creationEpoch:shardId} in a multi-stream application).
     */
    String shardId();

    /**
     * Checkpoints the last record delivered to the processor; at the end of a shard (after every record was
     * delivered) this writes {@link ExtendedSequenceNumber#SHARD_END}, as KCL does. Nothing is written when nothing
     * new was delivered.
     */
    CompletableFuture<Void> checkpoint();

    /** Checkpoints at {@code record} (its sequence and sub-sequence number). */
    CompletableFuture<Void> checkpoint(UserRecord record);

    /** Checkpoints at a sequence number with sub-sequence number 0. */
    CompletableFuture<Void> checkpoint(String sequenceNumber);

    /** Checkpoints at a sequence and sub-sequence number. */
    CompletableFuture<Void> checkpoint(String sequenceNumber, long subSequenceNumber);

    /**
     * Checkpoints at {@code position}; {@link ExtendedSequenceNumber#SHARD_END} is accepted only once the shard's
     * end has been reached, other sentinels never.
     */
    CompletableFuture<Void> checkpoint(ExtendedSequenceNumber position);

    /** Checkpoints {@link ExtendedSequenceNumber#SHARD_END}; only after the shard's end was reached. */
    CompletableFuture<Void> checkpointShardEnd();

    /** Prepares (writes as pending) a checkpoint at the last delivered record, without state. */
    CompletableFuture<PreparedCheckpoint> prepareCheckpoint();

    /** Prepares a checkpoint at the last delivered record with application state ({@code null} for none). */
    CompletableFuture<PreparedCheckpoint> prepareCheckpoint(byte[] applicationState);

    /** Prepares a checkpoint at {@code record} with application state ({@code null} for none). */
    CompletableFuture<PreparedCheckpoint> prepareCheckpoint(UserRecord record, byte[] applicationState);

    /** Prepares a checkpoint at a sequence and sub-sequence number with application state ({@code null} for none). */
    CompletableFuture<PreparedCheckpoint> prepareCheckpoint(String sequenceNumber, long subSequenceNumber,
                                                            byte[] applicationState);

    /** The last checkpoint accepted for writing (it may still be in flight). */
    ExtendedSequenceNumber lastCheckpoint();
}
