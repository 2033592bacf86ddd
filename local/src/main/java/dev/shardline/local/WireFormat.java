package dev.shardline.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.dataformat.cbor.CBORFactory;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Instant;

/**
 * The two encodings of the Kinesis JSON 1.1 protocol. Both share one tree model; they differ in how blobs and
 * timestamps look on the wire: JSON carries blobs as base64 strings and timestamps as epoch seconds (with a
 * fraction), CBOR carries blobs as byte strings and timestamps as epoch milliseconds (the SDK tags them 1).
 */
enum WireFormat {
    JSON("application/x-amz-json-1.1", new ObjectMapper()),
    CBOR("application/x-amz-cbor-1.1", new ObjectMapper(new CBORFactory()));

    private final String contentType;
    private final ObjectMapper mapper;

    WireFormat(String contentType, ObjectMapper mapper) {
        this.contentType = contentType;
        this.mapper = mapper;
    }

    String contentType() {
        return contentType;
    }

    ObjectMapper mapper() {
        return mapper;
    }

    /** The format named by a Content-Type header; JSON when absent or unknown (the KPL sends plain JSON). */
    static WireFormat of(String contentType) {
        return contentType != null && contentType.contains("cbor") ? CBOR : JSON;
    }

    JsonNode read(InputStream in) throws IOException {
        JsonNode node = mapper.readTree(in);
        if (node == null || node.isMissingNode()) {
            throw new IOException("no value in the body");
        }
        return node;
    }

    byte[] write(JsonNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode response", e);
        }
    }

    void write(JsonNode node, java.io.OutputStream out) {
        try {
            mapper.writeValue(out, node);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode response", e);
        }
    }

    /** A timestamp as this format writes it. */
    JsonNode timestamp(Instant instant) {
        if (this == CBOR) {
            return LongNode.valueOf(instant.toEpochMilli());
        }
        return DoubleNode.valueOf(instant.toEpochMilli() / 1000.0);
    }

    /** A timestamp as a client sent it: epoch seconds in JSON, epoch millis in CBOR; ISO-8601 text accepted too. */
    Instant parseTimestamp(JsonNode node) {
        if (node.isTextual()) {
            String text = node.asText();
            try {
                return Instant.parse(text);
            } catch (RuntimeException notIso) {
                return fromSeconds(new BigDecimal(text));
            }
        }
        if (this == CBOR && node.isIntegralNumber()) {
            return Instant.ofEpochMilli(node.longValue());
        }
        return fromSeconds(node.decimalValue());
    }

    private static Instant fromSeconds(BigDecimal seconds) {
        return Instant.ofEpochMilli(seconds.movePointRight(3).longValue());
    }
}
