package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.eventstream.HeaderValue;
import software.amazon.eventstream.Message;
import software.amazon.eventstream.MessageDecoder;

/** The encoder checked against the SDK's own event-stream decoder and encoder. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EventStreamEncoderTest {
    private static final UnpooledByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    @Test
    void sdkDecoderReadsHeadersAndPayload() {
        byte[] payload = "{\"Records\":[]}".getBytes(StandardCharsets.UTF_8);
        ByteBuf buf = EventStreamEncoder.encode(ALLOC, new String[] {
            ":message-type", "event", ":event-type", "SubscribeToShardEvent", ":content-type", "application/json"},
                out -> out.write(payload));
        List<Message> messages = decode(ByteBufUtil.getBytes(buf));
        buf.release();

        assertThat(messages).hasSize(1);
        Message m = messages.get(0);
        assertThat(m.getHeaders()).containsOnlyKeys(":message-type", ":event-type", ":content-type");
        assertThat(m.getHeaders().get(":message-type").getString()).isEqualTo("event");
        assertThat(m.getHeaders().get(":event-type").getString()).isEqualTo("SubscribeToShardEvent");
        assertThat(m.getHeaders().get(":content-type").getString()).isEqualTo("application/json");
        assertThat(m.getPayload()).isEqualTo(payload);
    }

    @Test
    void bytesEqualTheSdkEncodingForRandomMessages() {
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            int headerCount = random.nextInt(5);
            String[] headers = new String[headerCount * 2];
            Map<String, HeaderValue> sdkHeaders = new LinkedHashMap<>();
            for (int h = 0; h < headerCount; h++) {
                String name = ":h" + h + "-" + randomText(random, random.nextInt(20));
                String value = randomText(random, random.nextInt(300));
                headers[2 * h] = name;
                headers[2 * h + 1] = value;
                sdkHeaders.put(name, HeaderValue.fromString(value));
            }
            byte[] payload = new byte[random.nextInt(5000)];
            random.nextBytes(payload);

            ByteBuf ours = EventStreamEncoder.encode(ALLOC, headers, out -> out.write(payload));
            ByteBuffer theirs = new Message(sdkHeaders, payload).toByteBuffer();
            byte[] expected = new byte[theirs.remaining()];
            theirs.get(expected);
            assertThat(ByteBufUtil.getBytes(ours)).as("message %d", i).isEqualTo(expected);
            ours.release();
        }
    }

    @Test
    void decoderSplitsBackToBackMessagesFedInOddChunks() {
        ByteBuf all = ALLOC.buffer();
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            byte[] payload = ("event-" + i + "-" + "x".repeat(i * 97)).getBytes(StandardCharsets.UTF_8);
            payloads.add(payload);
            ByteBuf one = EventStreamEncoder.encode(ALLOC, new String[] {":message-type", "event"},
                    out -> out.write(payload));
            all.writeBytes(one);
            one.release();
        }
        byte[] bytes = ByteBufUtil.getBytes(all);
        all.release();
        List<Message> decoded = new ArrayList<>();
        MessageDecoder decoder = new MessageDecoder(decoded::add);
        for (int offset = 0; offset < bytes.length; offset += 37) {
            decoder.feed(bytes, offset, Math.min(37, bytes.length - offset));
        }
        assertThat(decoded).hasSize(20);
        for (int i = 0; i < 20; i++) {
            assertThat(decoded.get(i).getPayload()).isEqualTo(payloads.get(i));
        }
    }

    @Test
    void emptyPayloadAndNoHeaders() {
        ByteBuf buf = EventStreamEncoder.encode(ALLOC, new String[0], out -> { });
        assertThat(buf.readableBytes()).isEqualTo(EventStreamEncoder.OVERHEAD);
        List<Message> messages = decode(ByteBufUtil.getBytes(buf));
        buf.release();
        assertThat(messages).singleElement().satisfies(m -> {
            assertThat(m.getHeaders()).isEmpty();
            assertThat(m.getPayload()).isEmpty();
        });
    }

    @Test
    void oversizedHeaderValueIsRefusedNamingTheLimit() {
        String big = "v".repeat(EventStreamEncoder.MAX_HEADER_VALUE_BYTES + 1);
        assertThatThrownBy(() -> EventStreamEncoder.encode(ALLOC, new String[] {":x", big}, out -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(":x").hasMessageContaining(String.valueOf(EventStreamEncoder.MAX_HEADER_VALUE_BYTES));
        assertThatThrownBy(() -> EventStreamEncoder.encode(ALLOC, new String[] {"", "v"}, out -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header name");
    }

    @Test
    void oversizedMessageIsRefusedNamingTheLimit() {
        byte[] chunk = new byte[1024 * 1024];
        assertThatThrownBy(() -> EventStreamEncoder.encode(ALLOC, new String[0], out -> {
            for (int i = 0; i < 17; i++) {
                out.write(chunk);
            }
        })).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(EventStreamEncoder.MAX_MESSAGE_BYTES));
    }

    private static List<Message> decode(byte[] bytes) {
        List<Message> out = new ArrayList<>();
        new MessageDecoder(out::add).feed(bytes);
        return out;
    }

    private static String randomText(Random random, int length) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            sb.append(kind == 0 ? (char) ('\u00e0' + random.nextInt(20)) : (char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }
}
