package dev.shardline.local;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.math.BigDecimal;
import java.util.List;

/**
 * The messages of a SubscribeToShard event stream, framed by {@link EventStreamEncoder}. The SDK decodes
 * SubscribeToShard with its JSON protocol even when the client uses CBOR for everything else, so every payload
 * here is JSON: blobs in base64, timestamps as epoch seconds with a fraction.
 */
final class SubscriptionEvents {
    static final String CONTENT_TYPE = "application/vnd.amazon.eventstream";
    static final String PAYLOAD_TYPE = "application/json";

    private static final JsonFactory JSON = new JsonFactory();
    private static final String[] INITIAL_RESPONSE_HEADERS = {
        ":message-type", "event", ":event-type", "initial-response", ":content-type", PAYLOAD_TYPE};
    private static final String[] EVENT_HEADERS = {
        ":message-type", "event", ":event-type", "SubscribeToShardEvent", ":content-type", PAYLOAD_TYPE};
    private static final byte[] EMPTY_OBJECT = {'{', '}'};

    /** A child shard reported at the end of a closed shard. */
    static final class Child {
        final String shardId;
        final List<String> parentShards;
        final String startingHashKey;
        final String endingHashKey;

        Child(String shardId, List<String> parentShards, String startingHashKey, String endingHashKey) {
            this.shardId = shardId;
            this.parentShards = parentShards;
            this.startingHashKey = startingHashKey;
            this.endingHashKey = endingHashKey;
        }
    }

    private SubscriptionEvents() {
    }

    /** The first message of every subscription; the SDK hands it to {@code responseReceived}. */
    static ByteBuf initialResponse(ByteBufAllocator alloc) {
        return EventStreamEncoder.encode(alloc, INITIAL_RESPONSE_HEADERS, out -> out.write(EMPTY_OBJECT));
    }

    /**
     * A SubscribeToShardEvent.
     *
     * @param continuation the sequence number to resubscribe after; null only at the end of a closed shard
     * @param children the child shards, non-empty only at the end of a closed shard (null to omit)
     */
    static ByteBuf event(ByteBufAllocator alloc, List<StoredRecord> records, String continuation,
            long millisBehindLatest, List<Child> children) {
        return EventStreamEncoder.encode(alloc, EVENT_HEADERS, out -> {
            try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                g.writeStartObject();
                g.writeArrayFieldStart("Records");
                for (StoredRecord r : records) {
                    g.writeStartObject();
                    g.writeStringField("SequenceNumber", r.sequenceNumber);
                    g.writeFieldName("ApproximateArrivalTimestamp");
                    g.writeNumber(BigDecimal.valueOf(r.arrivalMillis, 3));
                    g.writeStringField("PartitionKey", r.partitionKey);
                    g.writeFieldName("Data");
                    g.writeBinary(r.data);
                    g.writeEndObject();
                }
                g.writeEndArray();
                if (continuation != null) {
                    g.writeStringField("ContinuationSequenceNumber", continuation);
                }
                g.writeNumberField("MillisBehindLatest", millisBehindLatest);
                if (children != null && !children.isEmpty()) {
                    g.writeArrayFieldStart("ChildShards");
                    for (Child c : children) {
                        g.writeStartObject();
                        g.writeStringField("ShardId", c.shardId);
                        g.writeArrayFieldStart("ParentShards");
                        for (String parent : c.parentShards) {
                            g.writeString(parent);
                        }
                        g.writeEndArray();
                        g.writeObjectFieldStart("HashKeyRange");
                        g.writeStringField("StartingHashKey", c.startingHashKey);
                        g.writeStringField("EndingHashKey", c.endingHashKey);
                        g.writeEndObject();
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
        });
    }

    /** An exception event: the SDK turns {@code :exception-type} into its modeled exception class. */
    static ByteBuf exception(ByteBufAllocator alloc, String type, String message) {
        return EventStreamEncoder.encode(alloc, new String[] {
            ":message-type", "exception", ":exception-type", type, ":content-type", PAYLOAD_TYPE}, out -> {
                try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
                    g.writeStartObject();
                    g.writeStringField("message", message);
                    g.writeEndObject();
                }
            });
    }

    /** Upper bound of an event's size for records of {@code dataBytes} (base64 growth plus per-record fields). */
    static long estimateBytes(int recordCount, long dataBytes) {
        return 256 + dataBytes * 4 / 3 + recordCount * 200L;
    }

}
