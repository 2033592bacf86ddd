package dev.shardline.consumer;

import dev.shardline.producer.DeadLetterSink;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What the consumer does when {@link RecordProcessor#processRecords} throws (or an {@link AsyncRecordProcessor}'s
 * stage fails): retry the same records with doubling backoff, then either stop or bisect and dead-letter.
 *
 * <pre>{@code
 * FailurePolicy.retry(3).thenStop()                                        // the default: release the lease
 * FailurePolicy.retry(3).backoff(Duration.ofMillis(100), Duration.ofSeconds(5))
 *         .thenDeadLetter(DeadLetterSink.toFile(Path.of("dead-letters.jsonl")))
 * }</pre>
 *
 * <ul>
 *   <li>{@link Retry#thenStop()}: after the retries the processor gets {@code leaseLost}, the lease is released and
 *       the shard is read again from its last checkpoint (by this or another worker): nothing is skipped.</li>
 *   <li>{@link Retry#thenDeadLetter(DeadLetterSink)}: after the retries the batch is split in halves, a half that
 *       fails is split again (each part tried once, in shard order), and a single record that fails gets the
 *       retries again on its own; only a record that still fails alone goes to the sink, with its metadata. Once
 *       the sink has it stored, the record counts as done: the consumer checkpoints at the low-water mark (every
 *       record up to it processed or dead-lettered), so a restart does not deliver it again. Records before it
 *       count as done because {@code processRecords} returned for them. A sink that fails stops the shard as
 *       {@code thenStop} does: a record is never skipped without trace.</li>
 * </ul>
 * Every retry, every split and every dead letter is counted ({@code shardline.consumer.process.retries},
 * {@code .bisections}, {@code .dead.letters}). A {@code LeaseLostException} from a checkpoint is never retried.
 * Immutable.
 */
public final class FailurePolicy {
    private final int retries;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final DeadLetterSink sink;

    private FailurePolicy(int retries, Duration initialBackoff, Duration maxBackoff, DeadLetterSink sink) {
        this.retries = retries;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.sink = sink;
    }

    /**
     * Retry a failed batch up to {@code attempts} more times (so it is tried {@code attempts + 1} times), with a
     * backoff doubling from 200 ms up to 30 s unless {@link Retry#backoff} says otherwise.
     *
     * @throws IllegalArgumentException if {@code attempts} is negative
     */
    public static Retry retry(int attempts) {
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must be >= 0, got " + attempts);
        }
        return new Retry(attempts, Duration.ofMillis(200), Duration.ofSeconds(30));
    }

    /** The first half of a policy: how often and how fast to retry. */
    public static final class Retry {
        private final int attempts;
        private final Duration initial;
        private final Duration max;

        private Retry(int attempts, Duration initial, Duration max) {
            this.attempts = attempts;
            this.initial = initial;
            this.max = max;
        }

        /**
         * The pause before the first retry, doubling on each one up to {@code max}.
         *
         * @throws IllegalArgumentException if {@code initial} is negative or {@code max} is below it
         */
        public Retry backoff(Duration initial, Duration max) {
            Objects.requireNonNull(initial, "initial");
            Objects.requireNonNull(max, "max");
            if (initial.isNegative() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff: initial must be >= 0 and max >= initial, got "
                        + initial + " and " + max);
            }
            return new Retry(attempts, initial, max);
        }

        /** After the retries, stop: the lease is released and the shard read again from its checkpoint. */
        public FailurePolicy thenStop() {
            return new FailurePolicy(attempts, initial, max, null);
        }

        /** After the retries, bisect the batch and hand the records that fail alone to {@code sink}. */
        public FailurePolicy thenDeadLetter(DeadLetterSink sink) {
            return new FailurePolicy(attempts, initial, max, Objects.requireNonNull(sink, "sink"));
        }
    }

    /** Retries after the first failure. */
    public int retries() {
        return retries;
    }

    /** The pause before the {@code retry}-th retry (1-based): initial × 2^(retry−1), at most the maximum. */
    public Duration backoff(int retry) {
        if (retry < 1 || initialBackoff.isZero()) {
            return initialBackoff;
        }
        long ms = initialBackoff.toMillis();
        for (int i = 1; i < retry && ms < maxBackoff.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
    }

    /** The dead-letter sink, when the policy bisects. */
    public Optional<DeadLetterSink> deadLetterSink() {
        return Optional.ofNullable(sink);
    }

    @Override
    public String toString() {
        return "retry(" + retries + ").backoff(" + initialBackoff + ", " + maxBackoff + ")."
                + (sink == null ? "thenStop()" : "thenDeadLetter(" + sink + ")");
    }
}
