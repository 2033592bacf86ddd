package dev.shardline.producer;

import java.util.List;

/** The producer was closed: thrown by {@code send} after close, and the reason of records close could not finish. */
public final class ProducerClosedException extends ProducerException {
    private static final long serialVersionUID = 1L;

    public ProducerClosedException(String message, List<Attempt> attempts) {
        super(message, attempts);
    }
}
