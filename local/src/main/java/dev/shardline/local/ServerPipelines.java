package dev.shardline.local;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;

/** Builds the channel pipelines: plain (detect), TLS (ALPN, else detect), HTTP/1.1 and HTTP/2. */
final class ServerPipelines {
    /** Largest request body: a 10 MiB record base64-encoded plus envelope. */
    static final int MAX_REQUEST_BYTES = 16 * 1024 * 1024;
    private static final int STREAM_WINDOW = 4 * 1024 * 1024;
    private static final int CONNECTION_WINDOW = 32 * 1024 * 1024;
    private static final String NO_ALPN = "none";

    private final RequestDispatcher dispatcher;

    ServerPipelines(RequestDispatcher dispatcher) {
        this.dispatcher = dispatcher;
    }

    ChannelInitializer<Channel> plain() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("detect", new ProtocolDetector(ServerPipelines.this));
            }
        };
    }

    ChannelInitializer<Channel> tls(SslContext ssl) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast("ssl", ssl.newHandler(ch.alloc()));
                ch.pipeline().addLast("alpn", new ApplicationProtocolNegotiationHandler(NO_ALPN) {
                    @Override
                    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
                        ChannelPipeline p = ctx.pipeline();
                        switch (protocol) {
                            case ApplicationProtocolNames.HTTP_2 -> http2(p, ctx.name());
                            case ApplicationProtocolNames.HTTP_1_1 -> http1(p, ctx.name());
                            default -> p.addAfter(ctx.name(), "detect", new ProtocolDetector(ServerPipelines.this));
                        }
                    }
                });
            }
        };
    }

    void http1(ChannelPipeline p, String after) {
        p.addAfter(after, "http1", new HttpServerCodec(4096, 16 * 1024, 64 * 1024));
        p.addAfter("http1", "continue", new HttpServerExpectContinueHandler());
        p.addAfter("continue", "keepalive", new HttpServerKeepAliveHandler());
        p.addAfter("keepalive", "aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES));
        p.addAfter("aggregate", "dispatch", new RequestHandler(dispatcher, false));
    }

    void http2(ChannelPipeline p, String after) {
        dispatcher.http2ConnectionOpened();
        p.addAfter(after, "h2", Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .initialWindowSize(STREAM_WINDOW)
                        .maxConcurrentStreams(1000)
                        .maxHeaderListSize(64 * 1024))
                .build());
        p.addAfter("h2", "h2window", new ChannelInboundHandlerAdapter() {
            @Override
            public void handlerAdded(ChannelHandlerContext ctx) {
                // Widen the connection window beyond 64 KiB so large PutRecords bodies are not held back.
                ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(CONNECTION_WINDOW - 65_535));
                ctx.pipeline().remove(this);
            }
        });
        p.addLast("h2mux", new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                        new HttpObjectAggregator(MAX_REQUEST_BYTES), new RequestHandler(dispatcher, true));
            }
        }));
    }
}
