package dev.shardline.consumer;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.checkpoint.Checkpointer;
import dev.shardline.checkpoint.ExtendedSequenceNumber;
import dev.shardline.checkpoint.PreparedCheckpoint;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link Checkpointer} a processor is given: never writes past the low-water mark, so records still being
 * processed on other lanes (or isolated by bisection) are not skipped by a restart. Given with a batch, checkpointing
 * also declares that batch's records (all, or up to the position) finished; given at a shard's end or at shutdown it
 * covers what has finished.
 */
final class LaneCheckpointer implements Checkpointer {
    private final ShardPipeline pipeline;
    private final List<BatchRunner.Item> items;

    LaneCheckpointer(ShardPipeline pipeline, List<BatchRunner.Item> items) {
        this.pipeline = pipeline;
        this.items = items;
    }

    @Override
    public String shardId() {
        return pipeline.checkpointer().shardId();
    }

    /** Finishes this batch's records and checkpoints at the low-water mark (SHARD_END once all is done at the end). */
    @Override
    public CompletableFuture<Void> checkpoint() {
        finishUpTo(null);
        return pipeline.checkpointAtMark(null);
    }

    @Override
    public CompletableFuture<Void> checkpoint(UserRecord record) {
        return checkpoint(ExtendedSequenceNumber.of(record.sequenceNumber(), record.subSequenceNumber()));
    }

    @Override
    public CompletableFuture<Void> checkpoint(String sequenceNumber) {
        return checkpoint(sequenceNumber, 0);
    }

    @Override
    public CompletableFuture<Void> checkpoint(String sequenceNumber, long subSequenceNumber) {
        return checkpoint(ExtendedSequenceNumber.of(sequenceNumber, subSequenceNumber));
    }

    /** Finishes this batch's records up to {@code position} and checkpoints there, or at the mark if it is lower. */
    @Override
    public CompletableFuture<Void> checkpoint(ExtendedSequenceNumber position) {
        if (position == null || position.isSentinel()) {
            return pipeline.checkpointer().checkpoint(position); // SHARD_END and refusals as documented there
        }
        finishUpTo(position);
        return pipeline.checkpointAtMark(position);
    }

    @Override
    public CompletableFuture<Void> checkpointShardEnd() {
        return pipeline.checkpointer().checkpointShardEnd();
    }

    @Override
    public CompletableFuture<PreparedCheckpoint> prepareCheckpoint() {
        return prepareCheckpoint((byte[]) null);
    }

    @Override
    public CompletableFuture<PreparedCheckpoint> prepareCheckpoint(byte[] applicationState) {
        finishUpTo(null);
        return prepare(null, applicationState);
    }

    @Override
    public CompletableFuture<PreparedCheckpoint> prepareCheckpoint(UserRecord record, byte[] applicationState) {
        return prepareCheckpoint(record.sequenceNumber(), record.subSequenceNumber(), applicationState);
    }

    @Override
    public CompletableFuture<PreparedCheckpoint> prepareCheckpoint(String sequenceNumber, long subSequenceNumber,
                                                                   byte[] applicationState) {
        ExtendedSequenceNumber position = ExtendedSequenceNumber.of(sequenceNumber, subSequenceNumber);
        finishUpTo(position);
        return prepare(position, applicationState);
    }

    private CompletableFuture<PreparedCheckpoint> prepare(ExtendedSequenceNumber cap, byte[] state) {
        ExtendedSequenceNumber at = pipeline.markCappedAt(cap);
        if (at == null) {
            if (pipeline.idle()) { // everything finished: the last record delivered, or SHARD_END at the end
                return pipeline.checkpointer().prepareCheckpoint(state);
            }
            throw new IllegalArgumentException("nothing finished yet to prepare a checkpoint at (shard "
                    + shardId() + ")");
        }
        return pipeline.checkpointer().prepareCheckpoint(at.sequenceNumber(), at.subSequenceNumber(), state);
    }

    @Override
    public ExtendedSequenceNumber lastCheckpoint() {
        return pipeline.checkpointer().lastCheckpoint();
    }

    private void finishUpTo(ExtendedSequenceNumber position) {
        for (BatchRunner.Item i : items) {
            if (position != null && i.slot.position.compareTo(position) > 0) {
                break;
            }
            pipeline.marks().finish(i.slot);
        }
    }
}
