package dev.shardline.producer;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * What application code needs of a producer: {@link KinesisProducer} in production, {@link MockProducer} in unit
 * tests. Depend on this interface to swap one for the other.
 *
 * <p>Every future a {@code send} returns completes: with a {@link SendResult}, or exceptionally with a
 * {@link RecordExpiredException}, {@link RecordFailedException} or {@link ProducerClosedException}.
 */
public interface Producer extends AutoCloseable {

    /** {@link #send(String, String, String, byte[])} without an explicit hash key. */
    default CompletableFuture<SendResult> send(String stream, String partitionKey, byte[] data) {
        return send(stream, partitionKey, null, data);
    }

    /**
     * Accepts a user record, waiting for buffer space when the buffer is full (back-pressure).
     *
     * @param stream          stream name, or stream ARN
     * @param partitionKey    1 to 256 Unicode characters; picks the shard unless {@code explicitHashKey} is given
     * @param explicitHashKey null, or a decimal in 0 .. 2^128-1 that picks the shard
     * @param data            the record (copied)
     * @throws dev.shardline.aggregation.InvalidRecordException for a bad argument, naming it and the limit
     * @throws BufferFullException     if no buffer space came free in time
     * @throws ProducerClosedException if the producer is closed
     */
    CompletableFuture<SendResult> send(String stream, String partitionKey, String explicitHashKey, byte[] data);

    /** Like {@link #send(String, String, String, byte[])}, but throws {@link BufferFullException} at once when full. */
    CompletableFuture<SendResult> trySend(String stream, String partitionKey, String explicitHashKey, byte[] data);

    /** Sends what is buffered now; completes when every record accepted before the call has completed. */
    CompletableFuture<Void> flush();

    /** {@link #flush()} for one stream's records only (name or ARN, as given to {@code send}). */
    CompletableFuture<Void> flush(String stream);

    /** User records accepted and not yet completed (the KPL's outstanding record count). */
    int outstandingRecords();

    /** How long the oldest record not yet completed has been held; zero when none is. */
    Duration oldestRecordAge();

    /** Stops accepting records, flushes for a bounded time, and fails what is left with {@link ProducerClosedException}. */
    @Override
    void close();
}
