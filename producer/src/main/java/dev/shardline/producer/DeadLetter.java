package dev.shardline.producer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Locale;
import java.util.Objects;

/**
 * One record that failed for good, with where it came from and why: what a {@link DeadLetterSink} receives. Its JSON
 * form ({@link #toJson()}, one line, no newline) is the object CONTRACT.md fixes: {@code stream}, {@code shardId},
 * {@code sequenceNumber}, {@code subSequenceNumber}, {@code partitionKey}, {@code explicitHashKey} (only when the
 * record had one), {@code data} (base64), {@code error} ({@code {"class": .., "message": ..}}), {@code attempts},
 * {@code firstFailure}, {@code lastFailure} (ISO-8601), {@code source} ({@code consumer} or {@code producer}).
 *
 * <p>Immutable; {@link #data()} returns a copy. A producer-side dead letter was never stored, so its shard id and
 * sequence number are null (JSON null).
 */
public final class DeadLetter {
    private static final JsonFactory JSON = new JsonFactory();

    /** Which side gave up on the record. */
    public enum Source {
        /** A consumer's record processor failed on the record alone, after its retries. */
        CONSUMER,
        /** The producer could not store the record (its time to live expired, or a non-retryable error). */
        PRODUCER;

        String json() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final String stream;
    private final String shardId;
    private final String sequenceNumber;
    private final long subSequenceNumber;
    private final String partitionKey;
    private final String explicitHashKey;
    private final byte[] data;
    private final String errorClass;
    private final String errorMessage;
    private final int attempts;
    private final Instant firstFailure;
    private final Instant lastFailure;
    private final Source source;

    private DeadLetter(String stream, String shardId, String sequenceNumber, long subSequenceNumber,
                       String partitionKey, String explicitHashKey, byte[] data, String errorClass,
                       String errorMessage, int attempts, Instant firstFailure, Instant lastFailure, Source source) {
        this.stream = stream;
        this.shardId = shardId;
        this.sequenceNumber = sequenceNumber;
        this.subSequenceNumber = subSequenceNumber;
        this.partitionKey = Objects.requireNonNull(partitionKey, "partitionKey");
        this.explicitHashKey = explicitHashKey;
        this.data = Objects.requireNonNull(data, "data");
        this.errorClass = Objects.requireNonNull(errorClass, "errorClass");
        this.errorMessage = errorMessage;
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, got " + attempts);
        }
        this.attempts = attempts;
        this.firstFailure = Objects.requireNonNull(firstFailure, "firstFailure");
        this.lastFailure = Objects.requireNonNull(lastFailure, "lastFailure");
        this.source = Objects.requireNonNull(source, "source");
    }

    /**
     * A record a consumer gave up on.
     *
     * @param error the last failure (its class name and message are kept, not the object)
     * @param data  the record's data (copied)
     */
    public static DeadLetter fromConsumer(String stream, String shardId, String sequenceNumber, long subSequenceNumber,
                                          String partitionKey, String explicitHashKey, byte[] data, Throwable error,
                                          int attempts, Instant firstFailure, Instant lastFailure) {
        return new DeadLetter(stream, Objects.requireNonNull(shardId, "shardId"),
                Objects.requireNonNull(sequenceNumber, "sequenceNumber"), subSequenceNumber, partitionKey,
                explicitHashKey, data.clone(), error.getClass().getName(), error.getMessage(), attempts,
                firstFailure, lastFailure, Source.CONSUMER);
    }

    /**
     * A record the producer could not store.
     *
     * @param error why it failed for good (its class name and message are kept)
     * @param data  the record's data (copied)
     */
    public static DeadLetter fromProducer(String stream, String partitionKey, String explicitHashKey, byte[] data,
                                          Throwable error, int attempts, Instant firstFailure, Instant lastFailure) {
        return new DeadLetter(stream, null, null, 0, partitionKey, explicitHashKey, data.clone(),
                error.getClass().getName(), error.getMessage(), attempts, firstFailure, lastFailure, Source.PRODUCER);
    }

    /** The stream the record was read from (consumer) or meant for (producer). */
    public String stream() {
        return stream;
    }

    /** The shard it was read from; null for a producer-side dead letter. */
    public String shardId() {
        return shardId;
    }

    /** Its sequence number; null for a producer-side dead letter. */
    public String sequenceNumber() {
        return sequenceNumber;
    }

    /** Its sub-sequence number (its index in a KPL aggregate, 0 for a plain record). */
    public long subSequenceNumber() {
        return subSequenceNumber;
    }

    public String partitionKey() {
        return partitionKey;
    }

    /** The explicit hash key, or null. */
    public String explicitHashKey() {
        return explicitHashKey;
    }

    /** A copy of the record's data. */
    public byte[] data() {
        return data.clone();
    }

    /** The class name of the last failure. */
    public String errorClass() {
        return errorClass;
    }

    /** The message of the last failure, or null. */
    public String errorMessage() {
        return errorMessage;
    }

    /** How many times the record was tried (for a consumer: processor calls that included it). */
    public int attempts() {
        return attempts;
    }

    public Instant firstFailure() {
        return firstFailure;
    }

    public Instant lastFailure() {
        return lastFailure;
    }

    public Source source() {
        return source;
    }

    /** The JSON object, as one line without a newline, UTF-8. */
    public byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + data.length * 4 / 3);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("stream", stream);
            json.writeStringField("shardId", shardId);
            json.writeStringField("sequenceNumber", sequenceNumber);
            json.writeNumberField("subSequenceNumber", subSequenceNumber);
            json.writeStringField("partitionKey", partitionKey);
            if (explicitHashKey != null) {
                json.writeStringField("explicitHashKey", explicitHashKey);
            }
            json.writeStringField("data", Base64.getEncoder().encodeToString(data));
            json.writeObjectFieldStart("error");
            json.writeStringField("class", errorClass);
            json.writeStringField("message", errorMessage);
            json.writeEndObject();
            json.writeNumberField("attempts", attempts);
            json.writeStringField("firstFailure", firstFailure.toString());
            json.writeStringField("lastFailure", lastFailure.toString());
            json.writeStringField("source", source.json());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Reads the JSON object {@link #toJson()} writes (unknown fields are ignored).
     *
     * @throws IllegalArgumentException when {@code json} is not a dead letter, naming the missing or bad field
     */
    public static DeadLetter fromJson(byte[] json) {
        String stream = null;
        String shardId = null;
        String sequenceNumber = null;
        long subSequenceNumber = 0;
        String partitionKey = null;
        String explicitHashKey = null;
        byte[] data = null;
        String errorClass = null;
        String errorMessage = null;
        int attempts = 0;
        Instant first = null;
        Instant last = null;
        Source source = null;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a dead letter is a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "stream" -> stream = p.getValueAsString();
                    case "shardId" -> shardId = p.getValueAsString();
                    case "sequenceNumber" -> sequenceNumber = p.getValueAsString();
                    case "subSequenceNumber" -> subSequenceNumber = p.getValueAsLong();
                    case "partitionKey" -> partitionKey = p.getValueAsString();
                    case "explicitHashKey" -> explicitHashKey = p.getValueAsString();
                    case "data" -> data = base64(p.getValueAsString());
                    case "attempts" -> attempts = p.getValueAsInt();
                    case "firstFailure" -> first = instant("firstFailure", p.getValueAsString());
                    case "lastFailure" -> last = instant("lastFailure", p.getValueAsString());
                    case "source" -> source = source(p.getValueAsString());
                    case "error" -> {
                        if (value != JsonToken.START_OBJECT) {
                            throw new IllegalArgumentException("dead letter field 'error' must be an object");
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String f = p.currentName();
                            p.nextToken();
                            if (f.equals("class")) {
                                errorClass = p.getValueAsString();
                            } else if (f.equals("message")) {
                                errorMessage = p.getValueAsString();
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a dead letter (bad JSON): " + e.getMessage(), e);
        }
        require(partitionKey != null, "partitionKey");
        require(data != null, "data");
        require(errorClass != null, "error.class");
        require(attempts >= 1, "attempts");
        require(first != null, "firstFailure");
        require(last != null, "lastFailure");
        require(source != null, "source");
        return new DeadLetter(stream, shardId, sequenceNumber, subSequenceNumber, partitionKey, explicitHashKey,
                data, errorClass, errorMessage, attempts, first, last, source);
    }

    private static void require(boolean ok, String field) {
        if (!ok) {
            throw new IllegalArgumentException("not a dead letter: field '" + field + "' is missing or invalid");
        }
    }

    private static byte[] base64(String s) {
        try {
            return s == null ? null : Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dead letter field 'data' is not base64: " + e.getMessage());
        }
    }

    private static Instant instant(String field, String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("dead letter field '" + field + "' is not an ISO-8601 instant: " + s);
        }
    }

    private static Source source(String s) {
        if (s == null) {
            return null;
        }
        return switch (s) {
            case "consumer" -> Source.CONSUMER;
            case "producer" -> Source.PRODUCER;
            default -> throw new IllegalArgumentException("dead letter field 'source' must be consumer or producer, was '"
                    + s + "'");
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DeadLetter d && subSequenceNumber == d.subSequenceNumber && attempts == d.attempts
                && Objects.equals(stream, d.stream) && Objects.equals(shardId, d.shardId)
                && Objects.equals(sequenceNumber, d.sequenceNumber) && partitionKey.equals(d.partitionKey)
                && Objects.equals(explicitHashKey, d.explicitHashKey) && Arrays.equals(data, d.data)
                && errorClass.equals(d.errorClass) && Objects.equals(errorMessage, d.errorMessage)
                && firstFailure.equals(d.firstFailure) && lastFailure.equals(d.lastFailure) && source == d.source;
    }

    @Override
    public int hashCode() {
        return Objects.hash(stream, shardId, sequenceNumber, subSequenceNumber, partitionKey);
    }

    @Override
    public String toString() {
        return "DeadLetter{" + source.json() + ", stream=" + stream + ", shard=" + shardId + ", seq=" + sequenceNumber
                + "/" + subSequenceNumber + ", key=" + partitionKey + ", " + data.length + " bytes, error="
                + errorClass + ": " + errorMessage + ", attempts=" + attempts + "}";
    }
}
