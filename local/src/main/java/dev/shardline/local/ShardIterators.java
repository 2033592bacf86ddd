package dev.shardline.local;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Shard iterators: opaque base64 tokens naming the stream (ARN and creation time, so a re-created stream does not
 * accept old iterators), the shard, the position and when the iterator was issued (they expire after 5 minutes).
 */
final class ShardIterators {
    static final long LIFETIME_MILLIS = 300_000;

    private ShardIterators() {
    }

    /** A decoded iterator. */
    record Token(String streamArn, long streamCreatedMillis, int shardIndex, long position, long issuedMillis) {
    }

    static String encode(LocalShard shard, long position, long issuedMillis) {
        LocalStream stream = shard.stream();
        String payload = "1|" + stream.arn() + "|" + stream.createdMillis() + "|" + shard.index() + "|" + position
                + "|" + issuedMillis;
        return Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    }

    static Token decode(String iterator) {
        try {
            String payload = new String(Base64.getDecoder().decode(iterator), StandardCharsets.UTF_8);
            String[] parts = payload.split("\\|");
            if (parts.length != 6 || !parts[0].equals("1")) {
                throw invalid();
            }
            return new Token(parts[1], Long.parseLong(parts[2]), Integer.parseInt(parts[3]),
                    Long.parseLong(parts[4]), Long.parseLong(parts[5]));
        } catch (IllegalArgumentException e) {
            throw invalid();
        }
    }

    private static KinesisException invalid() {
        return KinesisException.invalid("Invalid ShardIterator.");
    }
}
