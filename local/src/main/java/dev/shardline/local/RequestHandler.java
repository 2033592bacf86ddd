package dev.shardline.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Answers requests on one HTTP/1.1 connection or one HTTP/2 stream. */
final class RequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(RequestHandler.class);

    private final RequestDispatcher dispatcher;
    private final boolean http2Stream;
    private NettyResponseSink sink;

    RequestHandler(RequestDispatcher dispatcher, boolean http2Stream) {
        this.dispatcher = dispatcher;
        this.http2Stream = http2Stream;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        String target = request.headers().get("X-Amz-Target");
        if (log.isDebugEnabled()) {
            log.debug("{} {} {} {} bytes, {}", request.method(), request.uri(), target,
                    request.content().readableBytes(), request.headers().get("Content-Type"));
        }
        if (target == null) {
            FullHttpResponse sts = dispatcher.sts().answer(request);
            if (sts != null) {
                send(ctx, sts, keepAlive);
                return;
            }
        }
        Call call;
        try {
            dispatcher.authenticate(request);
            if (target == null) {
                // What the service answers a POST without a target: it names no operation it knows.
                throw new KinesisException("UnknownOperationException", 400, null);
            }
            call = dispatcher.decode(request, target);
        } catch (KinesisException e) {
            sendError(ctx, WireFormat.of(request.headers().get("Content-Type")), e, keepAlive);
            return;
        }
        Faults.Decision decision = dispatcher.faults().decide(call.operation(), RequestDispatcher.streamOf(call));
        if (decision == Faults.Decision.NONE) {
            answer(ctx, call, null, keepAlive);
        } else if (!decision.delay().isZero()) {
            ctx.executor().schedule(() -> answer(ctx, call, decision.kind(), keepAlive),
                    decision.delay().toNanos(), TimeUnit.NANOSECONDS);
        } else {
            answer(ctx, call, decision.kind(), keepAlive);
        }
    }

    private void answer(ChannelHandlerContext ctx, Call call, Fault.Kind fault, boolean keepAlive) {
        if (!ctx.channel().isActive()) {
            return;
        }
        Reply reply;
        try {
            if (fault != null) {
                reply = injected(call, fault, ctx);
                if (reply == null) {
                    return;
                }
            } else {
                reply = dispatcher.run(call);
            }
        } catch (KinesisException e) {
            sendError(ctx, call.format(), e, keepAlive);
            return;
        }
        if (reply.isStreaming()) {
            stream(ctx, reply);
            return;
        }
        // Encoded straight into a pooled buffer: GetRecords answers run to 10 MiB. An operation with no output
        // (CreateStream, PutRecords' siblings that answer nothing) gets an empty body, as from the service.
        io.netty.buffer.ByteBuf content = reply.body() == null ? Unpooled.EMPTY_BUFFER : ctx.alloc().buffer();
        if (reply.body() != null) {
            try {
                call.format().write(reply.body(), new io.netty.buffer.ByteBufOutputStream(content));
            } catch (RuntimeException e) {
                content.release();
                throw e;
            }
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, call.format().contentType());
        send(ctx, response, keepAlive);
    }

    /** The answer an injected fault gives; null when the connection was dropped. */
    private Reply injected(Call call, Fault.Kind fault, ChannelHandlerContext ctx) {
        switch (fault) {
            case DROP_CONNECTION -> {
                (http2Stream && ctx.channel().parent() != null ? ctx.channel().parent() : ctx.channel()).close();
                return null;
            }
            case INTERNAL_FAILURE -> throw KinesisException.internalFailure("Injected fault: internal failure.");
            case SERVICE_UNAVAILABLE -> throw KinesisException.serviceUnavailable("Injected fault: service unavailable.");
            case THROTTLE_RECORDS -> {
                if (call.operation().equals("PutRecords") && call.body().path("Records").isArray()) {
                    ObjectNode out = call.newObject();
                    var records = out.putArray("Records");
                    int n = call.body().path("Records").size();
                    for (int i = 0; i < n; i++) {
                        records.addObject().put("ErrorCode", "ProvisionedThroughputExceededException")
                                .put("ErrorMessage", "Rate exceeded for shard (injected fault).");
                    }
                    out.put("FailedRecordCount", n);
                    out.put("EncryptionType", "NONE");
                    return Reply.of(out);
                }
                throw KinesisException.throughput("Rate exceeded (injected fault).");
            }
            case THROTTLE -> throw KinesisException.throughput("Rate exceeded (injected fault).");
            default -> {
                return dispatcher.run(call);
            }
        }
    }

    private void stream(ChannelHandlerContext ctx, Reply reply) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
        head.headers().set("x-amzn-RequestId", UUID.randomUUID().toString());
        for (Map.Entry<String, String> h : reply.headers().entrySet()) {
            head.headers().set(h.getKey(), h.getValue());
        }
        if (!http2Stream) {
            HttpUtil.setTransferEncodingChunked(head, true);
        }
        ctx.writeAndFlush(head);
        sink = new NettyResponseSink(ctx.channel());
        NettyResponseSink started = sink;
        try {
            reply.streamingBody().start(started);
        } catch (RuntimeException e) {
            log.warn("streaming response failed to start", e);
            started.abort();
        }
    }

    private void sendError(ChannelHandlerContext ctx, WireFormat format, KinesisException e, boolean keepAlive) {
        ObjectNode body = format.mapper().createObjectNode();
        body.put("__type", e.type());
        if (e.getMessage() != null) {
            body.put("message", e.getMessage());
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.valueOf(e.status()), Unpooled.wrappedBuffer(format.write(body)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, format.contentType());
        response.headers().set("x-amzn-ErrorType", e.type());
        send(ctx, response, keepAlive);
    }

    private void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
        response.headers().set("x-amzn-RequestId", UUID.randomUUID().toString());
        HttpUtil.setContentLength(response, response.content().readableBytes());
        if (!http2Stream && !keepAlive) {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(response);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (sink != null) {
            sink.writabilityChanged();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (sink != null) {
            sink.channelClosed();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection error", cause);
        ctx.close();
    }
}
