package dev.shardline.producer;

import java.util.List;

/**
 * The service refused the record with an error that retrying cannot fix (validation, AccessDenied, ResourceNotFound,
 * a KMS key problem); the message is the service's.
 */
public final class RecordFailedException extends ProducerException {
    private static final long serialVersionUID = 1L;

    private final String errorCode;

    public RecordFailedException(String errorCode, String message, List<Attempt> attempts, Throwable cause) {
        super(errorCode + ": " + message, attempts, cause);
        this.errorCode = errorCode;
    }

    /** The service's error code, e.g. {@code ResourceNotFoundException}. */
    public String errorCode() {
        return errorCode;
    }
}
