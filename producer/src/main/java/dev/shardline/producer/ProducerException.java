package dev.shardline.producer;

import java.util.List;

/** Why a record was not stored; carries the attempts made before giving up. */
public class ProducerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<Attempt> attempts;

    public ProducerException(String message, List<Attempt> attempts) {
        this(message, attempts, null);
    }

    public ProducerException(String message, List<Attempt> attempts, Throwable cause) {
        super(message, cause);
        this.attempts = List.copyOf(attempts);
    }

    /** The attempts made, oldest first (empty when the record was never sent). */
    public List<Attempt> attempts() {
        return attempts;
    }
}
