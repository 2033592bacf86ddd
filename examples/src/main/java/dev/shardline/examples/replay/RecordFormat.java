package dev.shardline.examples.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.shardline.aggregation.UserRecord;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;

/**
 * How {@code replay} writes a user record: {@code jsonl} (one JSON object per line, fields as CONTRACT.md fixes
 * them) or {@code text} (the data as UTF-8, one record per line).
 */
public enum RecordFormat {
    JSONL {
        @Override
        public String format(String shardId, UserRecord record) {
            StringWriter out = new StringWriter(128 + record.dataLength() * 4 / 3);
            try (JsonGenerator json = JSON.createGenerator(out)) {
                json.writeStartObject();
                json.writeStringField("shardId", shardId);
                json.writeStringField("sequenceNumber", record.sequenceNumber());
                json.writeNumberField("subSequenceNumber", record.subSequenceNumber());
                json.writeStringField("partitionKey", record.partitionKey());
                if (record.explicitHashKey() != null) {
                    json.writeStringField("explicitHashKey", record.explicitHashKey());
                }
                Instant arrival = record.approximateArrivalTimestamp();
                if (arrival != null) {
                    json.writeStringField("approximateArrivalTimestamp", arrival.toString());
                }
                json.writeStringField("data", Base64.getEncoder().encodeToString(record.dataBytes()));
                json.writeEndObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return out.toString();
        }
    },
    TEXT {
        @Override
        public String format(String shardId, UserRecord record) {
            return record.dataAsUtf8();
        }
    };

    private static final JsonFactory JSON = new JsonFactory();

    /** The record as one line, without the line separator. */
    public abstract String format(String shardId, UserRecord record);

    /** Writes the record and a newline. */
    public void write(String shardId, UserRecord record, OutputStream out) throws IOException {
        out.write(format(shardId, record).getBytes(StandardCharsets.UTF_8));
        out.write('\n');
    }

    /** Parses {@code jsonl} or {@code text}, case-insensitively (picocli converter). */
    public static RecordFormat parse(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "jsonl" -> JSONL;
            case "text" -> TEXT;
            default -> throw new IllegalArgumentException("format must be jsonl or text, was '" + name + "'");
        };
    }
}
