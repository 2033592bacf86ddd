package dev.shardline.examples.replay;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.producer.DeadLetter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Replay's {@code --unwrap-dead-letters}: reads each record of a dead-letter stream as a {@link DeadLetter} (the JSON
 * {@code DeadLetterSink.toStream} writes) and passes the letter on. A record that is not a dead letter is counted and
 * reported, never passed on.
 */
final class DeadLetterUnwrapper implements ShardWalker.Sink {

    /** Where unwrapped letters go. */
    interface LetterSink {
        void accept(DeadLetter letter) throws IOException;
    }

    private final LetterSink sink;
    private final AtomicLong notLetters = new AtomicLong();
    private volatile String firstProblem;

    DeadLetterUnwrapper(LetterSink sink) {
        this.sink = sink;
    }

    /** Writes letters as {@code format} does: jsonl the letter's JSON object, text the original data as UTF-8. */
    static LetterSink writer(RecordFormat format, OutputStream out) {
        return letter -> {
            out.write(format == RecordFormat.JSONL ? letter.toJson() : letter.data());
            out.write('\n');
        };
    }

    @Override
    public void accept(String shardId, UserRecord record) throws IOException {
        DeadLetter letter;
        try {
            letter = DeadLetter.fromJson(record.dataBytes());
        } catch (IllegalArgumentException e) {
            if (notLetters.incrementAndGet() == 1) {
                firstProblem = shardId + " " + record.sequenceNumber() + "/" + record.subSequenceNumber() + ": "
                        + e.getMessage() + " (data starts "
                        + new String(record.dataBytes(), 0, Math.min(40, record.dataLength()), StandardCharsets.UTF_8)
                        + ")";
            }
            return;
        }
        sink.accept(letter);
    }

    /** Records that were not dead letters. */
    long notLetters() {
        return notLetters.get();
    }

    /** Where the first record that was not a dead letter was and why, or null. */
    String firstProblem() {
        return firstProblem;
    }
}
