package dev.shardline.local;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;

/**
 * Extension point: the body of a streaming response ({@link Reply#streaming}), one HTTP/2 stream or one chunked
 * HTTP/1.1 response.
 *
 * <p>Demand follows transport flow control: {@link #isWritable()} turns false when the peer's HTTP/2 stream
 * window (or the socket buffer, on HTTP/1.1) is full and bytes start to queue on the server; a writer that
 * should not buffer without bound stops writing and waits for {@link #onWritable}. All methods may be called
 * from any thread; callbacks run on {@link #executor()}.
 */
interface ResponseSink {
    /** The allocator to build chunks with. */
    ByteBufAllocator alloc();

    /** The event loop of this stream; callbacks run on it. */
    EventExecutor executor();

    /** Writes and flushes one chunk (ownership passes to the sink); completes when it has been written. */
    CompletableFuture<Void> write(ByteBuf chunk);

    /** True when more may be written without queueing beyond the transport's window. */
    boolean isWritable();

    /** Bytes written but not yet accepted by the transport (queued on the server for this stream). */
    long bytesQueued();

    /** Runs {@code callback} (once) as soon as the sink is writable; at once if it already is. */
    void onWritable(Runnable callback);

    /** Runs {@code callback} (once) when the stream ends for any reason: closed, aborted or the peer went away. */
    void onClosed(Runnable callback);

    /** True once the stream has ended. */
    boolean isClosed();

    /** Ends the body normally (HTTP/2 END_STREAM; the last HTTP/1.1 chunk). */
    void close();

    /** Ends the stream abruptly: HTTP/2 RST_STREAM, or closing the HTTP/1.1 connection. */
    void abort();

    /**
     * Closes the whole connection under this stream, as a network failure would: every other stream on it ends
     * too. (Added for fan-out fault injection: the SDK reports an HTTP/2 reset of an event stream as a normal
     * completion, but a closed connection as an error.)
     */
    void dropConnection();
}
