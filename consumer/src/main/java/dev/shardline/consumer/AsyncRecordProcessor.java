package dev.shardline.consumer;

import java.util.concurrent.CompletionStage;

/**
 * A {@link RecordProcessor} that finishes batches asynchronously: {@link #processRecordsAsync} returns at once and
 * its stage completes when the records are done (or fails, which counts as {@code processRecords} throwing: see
 * {@link FailurePolicy}). The shard's thread is not held meanwhile; the next batch of the same lane (the same keys)
 * is handed over only when the stage has completed, and at most
 * {@link ConsumerConfig#maxBatchesInFlight()} batches per shard are unfinished, after which reading waits.
 */
public interface AsyncRecordProcessor extends RecordProcessor {

    /** Like {@link RecordProcessor#processRecords}, finishing when the returned stage completes. */
    CompletionStage<Void> processRecordsAsync(ProcessRecordsInput input);

    /** Runs {@link #processRecordsAsync} and waits for it; the consumer itself always calls the asynchronous form. */
    @Override
    default void processRecords(ProcessRecordsInput input) {
        processRecordsAsync(input).toCompletableFuture().join();
    }
}
