package dev.shardline.producer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/** Partition key helpers. */
public final class PartitionKeys {
    private static final JsonFactory JSON = new JsonFactory();

    private PartitionKeys() {
    }

    /** A random key (a 128-bit random number in hex) that spreads records evenly over the shards. */
    public static String random() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        return Long.toHexString(r.nextLong()) + Long.toHexString(r.nextLong());
    }

    /**
     * A function taking the partition key from top-level field {@code field} of a JSON object (strings as they are,
     * numbers and booleans as their JSON text).
     *
     * @throws IllegalArgumentException from the function when the data is not a JSON object or lacks the field,
     *     or the field is null, an object or an array
     */
    public static Function<byte[], String> fromJsonField(String field) {
        if (field == null || field.isEmpty()) {
            throw new IllegalArgumentException("field: must not be empty");
        }
        return data -> jsonField(data, field);
    }

    /** The partition key in top-level field {@code field} of the JSON object {@code data}. */
    public static String jsonField(byte[] data, String field) {
        try (JsonParser p = JSON.createParser(data)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("data: not a JSON object, cannot take partition key field '" + field + "'");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals(field)) {
                    if (value.isScalarValue() && value != JsonToken.VALUE_NULL) {
                        return p.getText();
                    }
                    throw new IllegalArgumentException("data: partition key field '" + field
                            + "' must be a string, number or boolean, was " + value);
                }
                p.skipChildren();
            }
            throw new IllegalArgumentException("data: JSON object has no partition key field '" + field + "'"
                    + (t == null ? " (truncated)" : ""));
        } catch (IOException e) {
            throw new IllegalArgumentException("data: not valid JSON, cannot take partition key field '" + field
                    + "': " + e.getMessage(), e);
        }
    }
}
