package dev.shardline.producer;

import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hands records that failed for good to the configured {@link DeadLetterSink} (source {@code producer}). */
final class DeadLetters implements Consumer<PendingRecord> {
    private static final Logger log = LoggerFactory.getLogger(DeadLetters.class);

    private final DeadLetterSink sink;

    DeadLetters(DeadLetterSink sink) {
        this.sink = sink;
    }

    @Override
    public void accept(PendingRecord r) {
        ProducerException error = r.error();
        List<Attempt> attempts = error.attempts();
        Instant now = Instant.now();
        // A record that expired before any attempt (no shard map, rate limited) failed once: now.
        Instant first = attempts.isEmpty() ? now : attempts.get(0).startedAt();
        Instant last = attempts.isEmpty() ? now : attempts.get(attempts.size() - 1).startedAt();
        try {
            DeadLetter letter = DeadLetter.fromProducer(r.stream, r.partitionKey, r.explicitHashKey, r.data, error,
                    Math.max(1, attempts.size()), first, last);
            sink.write(letter).whenComplete((ok, e) -> {
                if (e != null) {
                    log.warn("dead letter for a record of {} (key {}) not written: {}", r.stream, r.partitionKey,
                            e.toString());
                }
            });
        } catch (RuntimeException e) {
            log.warn("dead letter for a record of {} (key {}) not written: {}", r.stream, r.partitionKey, e.toString());
        }
    }
}
