package dev.shardline.producer;

import java.util.List;

/** The record was not acknowledged within {@link ProducerConfig#recordTtl()}; the message gives the last error. */
public final class RecordExpiredException extends ProducerException {
    private static final long serialVersionUID = 1L;

    public RecordExpiredException(String message, List<Attempt> attempts) {
        super(message, attempts);
    }
}
