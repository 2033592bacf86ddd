package dev.shardline.consumer;

import java.util.concurrent.TimeUnit;

/** Reads one shard ahead of its processor, within a bounded prefetch; polling and fan-out implement it. */
interface RecordSource extends AutoCloseable {

    /** Starts reading at {@code from}. Called once. */
    void start(StartPosition from);

    /** Runs {@code listener} whenever a batch becomes available (set before {@link #start}). */
    void onData(Runnable listener);

    /** True when a batch is waiting. */
    boolean hasData();

    /** The next batch, or null when none arrived within the timeout. */
    Batch poll(long timeout, TimeUnit unit) throws InterruptedException;

    /**
     * When the source last heard from Kinesis ({@link System#nanoTime()}): a GetRecords or GetShardIterator answer,
     * a fan-out event. A source that has room for more and hears nothing for long is stuck.
     */
    long lastAnswerNanos();

    /** Stops reading; pending batches are dropped (they were never delivered, so never checkpointed). */
    @Override
    void close();
}
