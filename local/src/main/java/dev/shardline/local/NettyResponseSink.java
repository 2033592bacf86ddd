package dev.shardline.local;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** {@link ResponseSink} over one HTTP/2 stream channel, or one HTTP/1.1 connection sending a chunked body. */
final class NettyResponseSink implements ResponseSink {
    private final Channel channel;
    private final AtomicLong queued = new AtomicLong();
    private final List<Runnable> writableCallbacks = new ArrayList<>();
    private final List<Runnable> closedCallbacks = new ArrayList<>();
    private volatile boolean closed;

    NettyResponseSink(Channel channel) {
        this.channel = channel;
    }

    @Override
    public ByteBufAllocator alloc() {
        return channel.alloc();
    }

    @Override
    public EventExecutor executor() {
        return channel.eventLoop();
    }

    @Override
    public CompletableFuture<Void> write(ByteBuf chunk) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed) {
            chunk.release();
            done.completeExceptionally(new IllegalStateException("stream closed"));
            return done;
        }
        int bytes = chunk.readableBytes();
        queued.addAndGet(bytes);
        channel.writeAndFlush(new DefaultHttpContent(chunk)).addListener(f -> {
            queued.addAndGet(-bytes);
            if (f.isSuccess()) {
                done.complete(null);
            } else {
                done.completeExceptionally(f.cause());
            }
        });
        return done;
    }

    @Override
    public boolean isWritable() {
        return !closed && channel.isWritable();
    }

    @Override
    public long bytesQueued() {
        return queued.get();
    }

    @Override
    public void onWritable(Runnable callback) {
        executor().execute(() -> {
            if (closed) {
                return;
            }
            if (channel.isWritable()) {
                callback.run();
            } else {
                writableCallbacks.add(callback);
            }
        });
    }

    @Override
    public void onClosed(Runnable callback) {
        executor().execute(() -> {
            if (closed) {
                callback.run();
            } else {
                closedCallbacks.add(callback);
            }
        });
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    /** Called by the handler on its event loop when writability changes. */
    void writabilityChanged() {
        if (channel.isWritable() && !writableCallbacks.isEmpty()) {
            List<Runnable> ready = new ArrayList<>(writableCallbacks);
            writableCallbacks.clear();
            ready.forEach(Runnable::run);
        }
    }

    /** Called by the handler when the channel goes away. */
    void channelClosed() {
        executor().execute(this::markClosed);
    }

    private void markClosed() {
        if (closed) {
            return;
        }
        closed = true;
        writableCallbacks.clear();
        List<Runnable> callbacks = new ArrayList<>(closedCallbacks);
        closedCallbacks.clear();
        callbacks.forEach(Runnable::run);
    }

    @Override
    public void close() {
        executor().execute(() -> {
            if (closed) {
                return;
            }
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            markClosed();
        });
    }

    @Override
    public void abort() {
        executor().execute(() -> {
            channel.close();
            markClosed();
        });
    }

    @Override
    public void dropConnection() {
        executor().execute(() -> {
            Channel connection = channel.parent() != null ? channel.parent() : channel;
            connection.close();
            markClosed();
        });
    }
}
