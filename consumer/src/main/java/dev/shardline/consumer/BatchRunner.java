package dev.shardline.consumer;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.checkpoint.LeaseLostException;
import dev.shardline.producer.DeadLetter;
import dev.shardline.producer.DeadLetterSink;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one lane's share of a batch through the processor under the {@link FailurePolicy}: retries with backoff, then
 * stops or bisects ({@link Bisector}) and dead-letters the records that fail alone. Each record's slot is finished
 * when a call that included it succeeded or when its dead letter is stored. Asynchronous: nothing here blocks a
 * thread, backoff included, so a lane waiting to retry holds no thread.
 *
 * <p>The returned future completes normally when every record is finished, or exceptionally with a
 * {@link ProcessingStoppedException} (retries used up under {@code thenStop}, or the sink failed), the
 * {@link LeaseLostException} a checkpoint raised, or a {@link CancellationException} when the pipeline was cancelled.
 */
final class BatchRunner {
    private static final Logger log = LoggerFactory.getLogger(BatchRunner.class);

    /** Hands records to the processor; the stage completes when it is done with them. */
    interface Call {
        CompletionStage<Void> process(List<Item> items);
    }

    /** When a retry may run: an executor that runs tasks after {@code delay}. */
    interface Delays {
        Executor after(Duration delay);
    }

    /** Reports what happened (metrics and checkpoints); every method has a no-op default for tests. */
    interface Listener {
        default void failed(int records) {
        }

        default void retried() {
        }

        default void bisected() {
        }

        /** A dead letter was stored and its record finished. */
        default void deadLettered(DeadLetter letter) {
        }
    }

    /** One record in flight, its slot in the low-water mark, and its failures so far. */
    static final class Item {
        final UserRecord record;
        final LowWaterMark.Slot slot;
        int attempts;
        Instant firstFailure;
        Instant lastFailure;

        Item(UserRecord record, LowWaterMark.Slot slot) {
            this.record = record;
            this.slot = slot;
        }
    }

    /** The shard stops: retries are used up under {@code thenStop}, or the dead-letter sink failed. */
    static final class ProcessingStoppedException extends RuntimeException {
        ProcessingStoppedException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final FailurePolicy policy;
    private final String stream;
    private final String shardId;
    private final LowWaterMark marks;
    private final Delays delays;
    private final Clock clock;
    private final Listener listener;

    BatchRunner(FailurePolicy policy, String stream, String shardId, LowWaterMark marks, Delays delays, Clock clock,
                Listener listener) {
        this.policy = policy;
        this.stream = stream;
        this.shardId = shardId;
        this.marks = marks;
        this.delays = delays;
        this.clock = clock;
        this.listener = listener;
    }

    /** Processes {@code items} (one lane's records, in shard order) until each is finished or the shard stops. */
    CompletableFuture<Void> run(List<Item> items, Call call, BooleanSupplier cancelled) {
        return withRetries(items, call, cancelled, 0).thenCompose(failure -> {
            if (failure == null) {
                return done();
            }
            if (policy.deadLetterSink().isEmpty()) {
                return CompletableFuture.failedFuture(new ProcessingStoppedException("shard " + shardId
                        + ": processRecords failed " + (policy.retries() + 1) + " times on the same "
                        + items.size() + " records", failure));
            }
            if (items.size() == 1) {
                return deadLetter(items.get(0), failure);
            }
            return bisect(items, call, cancelled);
        });
    }

    /**
     * Tries {@code items} with the policy's retries. Completes with null on success, with the last failure when the
     * retries are used up, or exceptionally (lease lost, cancelled).
     */
    private CompletableFuture<Throwable> withRetries(List<Item> items, Call call, BooleanSupplier cancelled,
                                                     int retry) {
        return once(items, call, cancelled).thenCompose(failure -> {
            if (failure == null || retry >= policy.retries()) {
                return CompletableFuture.completedFuture(failure);
            }
            Duration pause = policy.backoff(retry + 1);
            listener.retried();
            log.warn("shard {}: processRecords failed on {} records (attempt {}), retrying in {} ms: {}", shardId,
                    items.size(), retry + 1, pause.toMillis(), failure.toString());
            return CompletableFuture.supplyAsync(() -> null, delays.after(pause))
                    .thenCompose(x -> withRetries(items, call, cancelled, retry + 1));
        });
    }

    /** One call: null on success (slots finished), the failure otherwise; exceptional for lease lost / cancelled. */
    private CompletableFuture<Throwable> once(List<Item> items, Call call, BooleanSupplier cancelled) {
        if (cancelled.getAsBoolean()) {
            return CompletableFuture.failedFuture(new CancellationException("shard " + shardId + ": cancelled"));
        }
        CompletionStage<Void> stage;
        try {
            stage = call.process(items);
            if (stage == null) {
                stage = CompletableFuture.failedFuture(new NullPointerException("processRecordsAsync returned null"));
            }
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.handle((ok, err) -> {
            if (err == null) {
                items.forEach(i -> marks.finish(i.slot));
                return null;
            }
            Throwable cause = unwrap(err);
            if (isLeaseLost(cause)) {
                throw new CompletionException(cause);
            }
            Instant now = clock.instant();
            for (Item i : items) {
                i.attempts++;
                if (i.firstFailure == null) {
                    i.firstFailure = now;
                }
                i.lastFailure = now;
            }
            listener.failed(items.size());
            return cause;
        }).toCompletableFuture();
    }

    private CompletableFuture<Void> bisect(List<Item> items, Call call, BooleanSupplier cancelled) {
        Bisector bisector = new Bisector(items.size());
        listener.bisected();
        log.warn("shard {}: {} records still fail after {} retries; bisecting to isolate the ones that fail alone",
                shardId, items.size(), policy.retries());
        return step(bisector, items, call, cancelled);
    }

    private CompletableFuture<Void> step(Bisector bisector, List<Item> items, Call call, BooleanSupplier cancelled) {
        Bisector.Range r = bisector.next();
        if (r == null) {
            return done();
        }
        List<Item> part = items.subList(r.from(), r.to());
        if (r.size() == 1) {
            // A record alone gets the full retries before it counts as failing alone.
            return withRetries(part, call, cancelled, 0).thenCompose(failure -> {
                if (failure == null) {
                    bisector.succeeded(r);
                    return step(bisector, items, call, cancelled);
                }
                bisector.failed(r);
                return deadLetter(part.get(0), failure).thenCompose(x -> step(bisector, items, call, cancelled));
            });
        }
        return once(part, call, cancelled).thenCompose(failure -> {
            if (failure == null) {
                bisector.succeeded(r);
            } else {
                bisector.failed(r);
                listener.bisected();
            }
            return step(bisector, items, call, cancelled);
        });
    }

    private CompletableFuture<Void> deadLetter(Item item, Throwable failure) {
        DeadLetterSink sink = policy.deadLetterSink().orElseThrow();
        UserRecord r = item.record;
        DeadLetter letter = DeadLetter.fromConsumer(stream, shardId, r.sequenceNumber(), r.subSequenceNumber(),
                r.partitionKey(), r.explicitHashKey(), r.dataBytes(), failure, item.attempts, item.firstFailure,
                item.lastFailure);
        CompletableFuture<Void> written;
        try {
            written = sink.write(letter);
            if (written == null) {
                written = CompletableFuture.failedFuture(new NullPointerException("DeadLetterSink.write returned null"));
            }
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        return written.handle((ok, err) -> {
            if (err != null) {
                log.error("shard {}: dead letter for {}/{} (key {}) could not be stored; stopping the shard", shardId,
                        r.sequenceNumber(), r.subSequenceNumber(), r.partitionKey(), unwrap(err));
                throw new ProcessingStoppedException("shard " + shardId + ": the dead-letter sink failed for record "
                        + r.sequenceNumber() + "/" + r.subSequenceNumber(), unwrap(err));
            }
            log.error("shard {}: record {}/{} (key {}) failed alone {} times; dead-lettered: {}", shardId,
                    r.sequenceNumber(), r.subSequenceNumber(), r.partitionKey(), item.attempts, failure.toString());
            marks.finish(item.slot);
            listener.deadLettered(letter);
            return null;
        });
    }

    private static CompletableFuture<Void> done() {
        return CompletableFuture.completedFuture(null);
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static boolean isLeaseLost(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof LeaseLostException) {
                return true;
            }
        }
        return false;
    }
}
