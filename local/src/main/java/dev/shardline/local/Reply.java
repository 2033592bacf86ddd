package dev.shardline.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Objects;

/**
 * What an {@link Operation} answers: either a whole body (encoded in the call's format, status 200), or a
 * streaming body written over time through a {@link ResponseSink}.
 */
final class Reply {
    private final JsonNode body;
    private final String contentType;
    private final Map<String, String> headers;
    private final StreamingBody streaming;

    private Reply(JsonNode body, String contentType, Map<String, String> headers, StreamingBody streaming) {
        this.body = body;
        this.contentType = contentType;
        this.headers = headers;
        this.streaming = streaming;
    }

    /** A complete response body. */
    static Reply of(JsonNode body) {
        return new Reply(Objects.requireNonNull(body, "body"), null, Map.of(), null);
    }

    /** No output: answered with an empty body, as Kinesis answers operations without output. */
    static Reply empty() {
        return new Reply(null, null, Map.of(), null);
    }

    /**
     * A streaming response (status 200): the headers go out first, then {@code body} is handed a sink on the
     * connection's event loop and writes chunks until it closes or aborts the sink.
     */
    static Reply streaming(String contentType, Map<String, String> headers, StreamingBody body) {
        return new Reply(null, Objects.requireNonNull(contentType, "contentType"), Map.copyOf(headers),
                Objects.requireNonNull(body, "body"));
    }

    JsonNode body() {
        return body;
    }

    boolean isStreaming() {
        return streaming != null;
    }

    String contentType() {
        return contentType;
    }

    Map<String, String> headers() {
        return headers;
    }

    StreamingBody streamingBody() {
        return streaming;
    }

    /** Writes a streaming response body. */
    @FunctionalInterface
    interface StreamingBody {
        /** Called once, on the sink's event loop, after the response headers are written. */
        void start(ResponseSink sink);
    }
}
