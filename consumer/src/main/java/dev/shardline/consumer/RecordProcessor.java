package dev.shardline.consumer;

/**
 * Your code: one instance per leased shard, made by {@link ConsumerConfig#processorFactory()}. Calls for one shard
 * come from one thread at a time, never overlap and keep order: {@link #initialize}, then {@link #processRecords}
 * any number of times, then exactly one of {@link #shardEnded}, {@link #shutdownRequested} or {@link #leaseLost}.
 * With {@link ConsumerConfig.Builder#perKeyParallelism(int)} above 1, {@link #processRecords} is called from up to
 * that many lanes at once (never two calls holding the same key), so the processor must be thread-safe; the other
 * calls still never overlap anything.
 *
 * <p>Delivery is at least once: after a crash or a lost lease, the next owner starts after the last checkpoint, so
 * records after it are delivered again. When {@link #processRecords} throws, the {@link FailurePolicy} applies: by
 * default the same batch is retried with backoff, then the processor gets {@link #leaseLost} and the lease is
 * released so the shard is retried from its checkpoint; a batch is never skipped silently.
 */
public interface RecordProcessor {

    /** Called once before any records, with where reading starts and any pending checkpoint left by a previous owner. */
    default void initialize(InitializationInput input) {
    }

    /**
     * A batch of de-aggregated user records, in shard order, never empty. Checkpoint through
     * {@link ProcessRecordsInput#checkpointer()} as often as suits you (each checkpoint is one DynamoDB write).
     */
    void processRecords(ProcessRecordsInput input);

    /** The lease was taken by another worker or lost; checkpointing is no longer possible. */
    default void leaseLost(LeaseLostInput input) {
    }

    /**
     * Every record of the shard was delivered and the shard is closed (split or merged). The processor must
     * checkpoint SHARD_END ({@code input.checkpointer().checkpoint().join()}): children of this shard are not read
     * until it has. The default does exactly that.
     */
    default void shardEnded(ShardEndedInput input) {
        input.checkpointer().checkpoint().join();
    }

    /**
     * The worker is closing (or handing the lease to another worker): checkpoint now if you want the next owner to
     * start exactly after what you processed. The default checkpoints the last record delivered.
     */
    default void shutdownRequested(ShutdownRequestedInput input) {
        input.checkpointer().checkpoint().join();
    }
}
