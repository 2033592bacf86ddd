package dev.shardline.local;

/**
 * An error answered the way Kinesis shapes it: the error type (sent as {@code __type} and
 * {@code x-amzn-ErrorType}, from which the SDK picks its exception class), a message, and the HTTP status.
 * Operation handlers, including plugged-in ones, throw it to answer with an error.
 */
final class KinesisException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String type;
    private final int status;

    KinesisException(String type, int status, String message) {
        super(message, null, false, false);
        this.type = type;
        this.status = status;
    }

    String type() {
        return type;
    }

    int status() {
        return status;
    }

    static KinesisException notFound(String message) {
        return new KinesisException("ResourceNotFoundException", 400, message);
    }

    static KinesisException inUse(String message) {
        return new KinesisException("ResourceInUseException", 400, message);
    }

    static KinesisException invalid(String message) {
        return new KinesisException("InvalidArgumentException", 400, message);
    }

    /** A constraint of the API model violated, worded as the service words it. */
    static KinesisException validation(String message) {
        return new KinesisException("ValidationException", 400, "1 validation error detected: " + message);
    }

    /** Every violation found in one request, in the order found: "N validation errors detected: a; b". */
    static KinesisException validation(java.util.List<String> violations) {
        if (violations.size() == 1) {
            return validation(violations.get(0));
        }
        return new KinesisException("ValidationException", 400, violations.size()
                + " validation errors detected: " + String.join("; ", violations));
    }

    static KinesisException limitExceeded(String message) {
        return new KinesisException("LimitExceededException", 400, message);
    }

    static KinesisException throughput(String message) {
        return new KinesisException("ProvisionedThroughputExceededException", 400, message);
    }

    static KinesisException expiredIterator(String message) {
        return new KinesisException("ExpiredIteratorException", 400, message);
    }

    static KinesisException expiredNextToken(String message) {
        return new KinesisException("ExpiredNextTokenException", 400, message);
    }

    static KinesisException internalFailure(String message) {
        return new KinesisException("InternalFailure", 500, message);
    }

    static KinesisException serviceUnavailable(String message) {
        return new KinesisException("ServiceUnavailable", 503, message);
    }

    static KinesisException unknownOperation(String target) {
        return new KinesisException("UnknownOperationException", 400, "Unknown operation " + target);
    }
}
