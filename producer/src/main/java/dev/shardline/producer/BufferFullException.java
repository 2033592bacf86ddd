package dev.shardline.producer;

import java.util.List;

/**
 * Thrown by {@code send} when {@link ProducerConfig#maxBufferedBytes()} stayed full for
 * {@link ProducerConfig#maxBlockTime()} (or at once, by {@code trySend}). The record was not accepted.
 */
public final class BufferFullException extends ProducerException {
    private static final long serialVersionUID = 1L;

    public BufferFullException(String message) {
        super(message, List.of());
    }
}
