package dev.shardline.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;

/**
 * One decoded Kinesis API call as an {@link Operation} sees it: the operation name, the request body (JSON and
 * CBOR decode to the same tree), the wire format to answer in, and the caller's region.
 */
final class Call {
    private final String operation;
    private final JsonNode body;
    private final WireFormat format;
    private final String region;

    Call(String operation, JsonNode body, WireFormat format, String region) {
        this.operation = operation;
        this.body = body;
        this.format = format;
        this.region = region;
    }

    String operation() {
        return operation;
    }

    JsonNode body() {
        return body;
    }

    WireFormat format() {
        return format;
    }

    /** The region named in the request signature, or the server's default. */
    String region() {
        return region;
    }

    /** A new response object for this call's format. */
    ObjectNode newObject() {
        return format.mapper().createObjectNode();
    }

    /** A timestamp value in this call's format. */
    JsonNode timestamp(Instant instant) {
        return format.timestamp(instant);
    }

    boolean has(String field) {
        JsonNode node = body.get(field);
        return node != null && !node.isNull();
    }

    /** A string field, or null when absent. */
    String text(String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isValueNode()) {
            throw KinesisException.validation("Value at '" + field + "' must be a string");
        }
        return node.asText();
    }

    String requireText(String field) {
        String value = text(field);
        if (value == null) {
            throw KinesisException.validation("Value null at '" + lowerFirst(field)
                    + "' failed to satisfy constraint: Member must not be null");
        }
        return value;
    }

    /** An integer field, or null when absent. */
    Integer integer(String field) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            try {
                return Integer.valueOf(node.asText());
            } catch (NumberFormatException e) {
                throw KinesisException.validation("Value '" + node.asText() + "' at '" + lowerFirst(field)
                        + "' must be an integer");
            }
        }
        if (!node.canConvertToInt()) {
            throw KinesisException.validation("Value '" + node + "' at '" + lowerFirst(field)
                    + "' must be an integer");
        }
        return node.intValue();
    }

    /** An integer within bounds, or the default when absent; violations answered as the service does. */
    int integer(String field, int min, int max, int defaultValue) {
        Integer value = integer(field);
        if (value == null) {
            return defaultValue;
        }
        if (value < min) {
            throw KinesisException.validation("Value '" + value + "' at '" + lowerFirst(field)
                    + "' failed to satisfy constraint: Member must have value greater than or equal to " + min);
        }
        if (value > max) {
            throw KinesisException.validation("Value '" + value + "' at '" + lowerFirst(field)
                    + "' failed to satisfy constraint: Member must have value less than or equal to " + max);
        }
        return value;
    }

    /** A blob field of a node: bytes in CBOR, base64 text in JSON. */
    static byte[] blob(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            byte[] bytes = node.binaryValue();
            if (bytes == null) {
                throw KinesisException.validation("Value at '" + lowerFirst(field) + "' must be a blob");
            }
            return bytes;
        } catch (IOException | IllegalArgumentException e) {
            throw new KinesisException("SerializationException", 400,
                    "Value at '" + lowerFirst(field) + "' is not valid base64: " + e.getMessage());
        }
    }

    /** A timestamp field, or null when absent. */
    Instant timestamp(String field) {
        JsonNode node = body.get(field);
        return node == null || node.isNull() ? null : format.parseTimestamp(node);
    }

    Instant timestamp(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        return node == null || node.isNull() ? null : format.parseTimestamp(node);
    }

    static String lowerFirst(String field) {
        return field.isEmpty() ? field : Character.toLowerCase(field.charAt(0)) + field.substring(1);
    }
}
