package dev.shardline.local;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;
import java.util.List;

/**
 * Tells an HTTP/2 connection preface (prior knowledge) from an HTTP/1.1 request line by the first bytes, then
 * replaces itself with the matching pipeline; the bytes read so far are passed on.
 */
final class ProtocolDetector extends ByteToMessageDecoder {
    private final ServerPipelines pipelines;

    ProtocolDetector(ServerPipelines pipelines) {
        this.pipelines = pipelines;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        ByteBuf preface = Http2CodecUtil.connectionPrefaceBuf();
        try {
            int n = Math.min(in.readableBytes(), preface.readableBytes());
            for (int i = 0; i < n; i++) {
                if (in.getByte(in.readerIndex() + i) != preface.getByte(i)) {
                    pipelines.http1(ctx.pipeline(), ctx.name());
                    ctx.pipeline().remove(this);
                    return;
                }
            }
            if (n == preface.readableBytes()) {
                pipelines.http2(ctx.pipeline(), ctx.name());
                ctx.pipeline().remove(this);
            }
        } finally {
            preface.release();
        }
    }
}
