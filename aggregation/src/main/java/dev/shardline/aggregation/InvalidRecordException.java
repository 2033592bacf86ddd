package dev.shardline.aggregation;

/**
 * Thrown when a user record breaks one of Kinesis' limits. The message names the field and the limit,
 * and {@link #field()} gives the field alone, for programs that react to it.
 */
public final class InvalidRecordException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidRecordException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    /** The offending field: {@code partitionKey}, {@code explicitHashKey} or {@code data}. */
    public String field() {
        return field;
    }
}
