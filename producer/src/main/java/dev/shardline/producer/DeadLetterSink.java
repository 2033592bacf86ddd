package dev.shardline.producer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Where records that failed for good go: {@link #toFile(Path)}, {@link #toStream(Producer, String)}, or your
 * own. The consumer's {@code FailurePolicy.retry(n).thenDeadLetter(sink)} writes the records a processor fails on
 * alone; the producer writes records it could not store.
 *
 * <p>{@link #write} must complete its future only once the letter is durable wherever it goes: the consumer moves its
 * checkpoint past a dead-lettered record only after that, and a future that fails stops the shard (the record is read
 * again from the checkpoint, never skipped silently). It may be called from several threads at once.
 */
@FunctionalInterface
public interface DeadLetterSink {

    /**
     * Stores one dead letter.
     *
     * @return completes when the letter is stored durably, or exceptionally when it could not be
     */
    CompletableFuture<Void> write(DeadLetter letter);

    /**
     * Appends each letter as one JSON line ({@link DeadLetter#toJson()} and a newline) to {@code path}, created if
     * missing; the line is written and forced to the storage device before the future completes. Each line goes out
     * in one append, so several sinks (or processes) may share a file.
     *
     * @throws IllegalArgumentException if {@code path}'s directory does not exist
     */
    static DeadLetterSink toFile(Path path) {
        Objects.requireNonNull(path, "path");
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null || !dir.toFile().isDirectory()) {
            throw new IllegalArgumentException("dead letter file " + path + ": directory " + dir + " does not exist");
        }
        Object lock = new Object();
        return letter -> {
            byte[] json = letter.toJson();
            ByteBuffer line = ByteBuffer.allocate(json.length + 1).put(json).put((byte) '\n').flip();
            // Opened per letter: dead letters are rare, and nothing is left open for anyone to close.
            synchronized (lock) {
                try (FileChannel out = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND)) {
                    while (line.hasRemaining()) {
                        out.write(line);
                    }
                    out.force(false);
                    return CompletableFuture.completedFuture(null);
                } catch (IOException | RuntimeException e) {
                    return CompletableFuture.failedFuture(new IOException("dead letter file " + path + ": " + e, e));
                }
            }
        };
    }

    /**
     * Sends each letter's JSON ({@link DeadLetter#toJson()}) as one record to {@code stream} through
     * {@code producer}, with the original record's partition key; the future completes when the producer has the
     * record stored (so the producer's own retries apply). A letter larger than the producer's record limit (data
     * of more than about 700 KiB, as base64) fails.
     */
    static DeadLetterSink toStream(Producer producer, String stream) {
        Objects.requireNonNull(producer, "producer");
        Objects.requireNonNull(stream, "stream");
        return letter -> {
            try {
                return producer.send(stream, letter.partitionKey(), letter.toJson()).thenApply(r -> null);
            } catch (RuntimeException e) { // refused at once (too large, producer closed): fail, never throw
                return CompletableFuture.failedFuture(e);
            }
        };
    }
}
