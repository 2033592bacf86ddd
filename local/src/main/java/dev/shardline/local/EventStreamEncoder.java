package dev.shardline.local;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Encodes one message of the AWS event-stream framing ({@code application/vnd.amazon.eventstream}):
 *
 * <pre>
 * [total length: u32][headers length: u32][prelude CRC32: u32]
 * [headers: (name length: u8, name, type 7 = string, value length: u16, value)*]
 * [payload][message CRC32 over everything before it: u32]
 * </pre>
 *
 * <p>The message is written straight into one pooled buffer (the payload too, through {@link PayloadWriter}), so a
 * large records event is not copied between building and sending. Only string headers are written: they are all
 * that Kinesis's {@code :message-type}, {@code :event-type}, {@code :content-type} and {@code :exception-type} need.
 */
final class EventStreamEncoder {
    /** Prelude (two lengths + CRC) plus the trailing message CRC. */
    static final int OVERHEAD = 16;
    /** Header names are at most 255 bytes (u8 length). */
    static final int MAX_HEADER_NAME_BYTES = 255;
    /** Header string values are at most 32767 bytes (u16 length, kept signed-positive as the SDK decoder expects). */
    static final int MAX_HEADER_VALUE_BYTES = Short.MAX_VALUE;
    /** The SDK decoder refuses headers longer than 128 KiB. */
    static final int MAX_HEADERS_BYTES = 128 * 1024;
    /** A bound well under the SDK decoder's 24 MiB payload limit; events here are far smaller. */
    static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    private static final byte STRING_TYPE = 7;

    /** Writes a message payload in place. */
    @FunctionalInterface
    interface PayloadWriter {
        void writeTo(OutputStream out) throws IOException;
    }

    private EventStreamEncoder() {
    }

    /**
     * Encodes a message with the given string headers (name, value, name, value, ...) and payload.
     *
     * @return a new buffer holding exactly one message; the caller owns it
     * @throws IllegalArgumentException if a header or the message exceeds the framing's limits
     */
    static ByteBuf encode(ByteBufAllocator alloc, String[] headers, PayloadWriter payload) {
        if (headers.length % 2 != 0) {
            throw new IllegalArgumentException("headers must be name/value pairs");
        }
        ByteBuf buf = alloc.buffer(256);
        boolean done = false;
        try {
            buf.writeZero(12);
            for (int i = 0; i < headers.length; i += 2) {
                writeHeader(buf, headers[i], headers[i + 1]);
            }
            int headersLength = buf.writerIndex() - 12;
            if (headersLength > MAX_HEADERS_BYTES) {
                throw new IllegalArgumentException("event-stream headers are " + headersLength
                        + " bytes; the limit is " + MAX_HEADERS_BYTES);
            }
            try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
                payload.writeTo(out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            int totalLength = buf.writerIndex() + 4;
            if (totalLength > MAX_MESSAGE_BYTES) {
                throw new IllegalArgumentException("event-stream message is " + totalLength
                        + " bytes; the limit is " + MAX_MESSAGE_BYTES);
            }
            buf.setInt(0, totalLength);
            buf.setInt(4, headersLength);
            buf.setInt(8, (int) crc32(buf, 0, 8));
            buf.writeInt((int) crc32(buf, 0, buf.writerIndex()));
            done = true;
            return buf;
        } finally {
            if (!done) {
                buf.release();
            }
        }
    }

    private static void writeHeader(ByteBuf buf, String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        if (n.length == 0 || n.length > MAX_HEADER_NAME_BYTES) {
            throw new IllegalArgumentException("event-stream header name '" + name + "' is " + n.length
                    + " bytes; it must be 1.." + MAX_HEADER_NAME_BYTES);
        }
        if (v.length > MAX_HEADER_VALUE_BYTES) {
            throw new IllegalArgumentException("event-stream header " + name + " value is " + v.length
                    + " bytes; the limit is " + MAX_HEADER_VALUE_BYTES);
        }
        buf.writeByte(n.length).writeBytes(n).writeByte(STRING_TYPE).writeShort(v.length).writeBytes(v);
    }

    private static long crc32(ByteBuf buf, int index, int length) {
        CRC32 crc = new CRC32();
        crc.update(buf.nioBuffer(index, length));
        return crc.getValue();
    }
}
