package dev.shardline.producer;

import dev.shardline.common.StreamIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/**
 * The producer's I/O, on one thread (Kafka's {@code Sender}): drains batches from the {@link RecordAccumulator},
 * turns each into a PutRecords request for the {@code putRecords} function (the SDK client in production, a script
 * in tests), hands each answer back to the accumulator on this thread, and completes user futures on the callback
 * executor, never on this thread or an SDK thread. It decides nothing.
 */
final class Sender implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Sender.class);

    private final RecordAccumulator accumulator;
    private final Function<PutRecordsRequest, CompletableFuture<PutRecordsResponse>> putRecords;
    private final Duration requestTimeout;
    private final Executor callbackExecutor;
    private final Consumer<PendingRecord> failedForGood;
    private final Time time;
    private final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
    private volatile boolean stopping;
    private volatile Thread thread;

    /** A batch's answer, queued by the SDK thread for the sender thread. */
    private record Answer(Batch batch, PutRecordsResponse response, Throwable error) {
    }

    /**
     * @param failedForGood told (on the callback executor, after the future) of every record that expired or failed
     *                      with a non-retryable error
     */
    Sender(RecordAccumulator accumulator, Function<PutRecordsRequest, CompletableFuture<PutRecordsResponse>> putRecords,
            Duration requestTimeout, Executor callbackExecutor, Consumer<PendingRecord> failedForGood, Time time) {
        this.accumulator = accumulator;
        this.putRecords = putRecords;
        this.requestTimeout = requestTimeout;
        this.callbackExecutor = callbackExecutor;
        this.failedForGood = failedForGood;
        this.time = time;
    }

    void start(Thread thread) {
        this.thread = thread;
        thread.start();
    }

    /** Wakes the loop; once stopped, completes at once what the accumulator failed since (a send racing close). */
    void wake() {
        if (stopping) {
            dispatchCompletions();
            return;
        }
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    @Override
    public void run() {
        while (!stopping) {
            try {
                long parkNanos = runOnce();
                if (!stopping && parkNanos > 0) {
                    LockSupport.parkNanos(this, parkNanos);
                }
            } catch (RuntimeException | Error e) {
                log.error("producer sender loop failed; continuing", e);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }

    /** One pass: hands back the answers that came in, sends what is ready. Returns how long to sleep. */
    long runOnce() {
        long now = time.nanoTime();
        Answer a;
        while ((a = answers.poll()) != null) {
            if (a.error != null) {
                log.debug("PutRecords to {} failed: {}", a.batch.streamName(), a.error.toString());
                accumulator.failed(a.batch, a.error, now);
            } else {
                accumulator.completed(a.batch, a.response, now);
            }
        }
        RecordAccumulator.Drained drained = accumulator.drain(now);
        for (Batch batch : drained.batches()) {
            send(batch);
        }
        dispatchCompletions();
        return drained.waitNanos();
    }

    private void send(Batch batch) {
        List<PutRecordsRequestEntry> entries = new ArrayList<>(batch.entries.size());
        for (Aggregate a : batch.entries) {
            entries.add(PutRecordsRequestEntry.builder()
                    .data(SdkBytes.fromByteArrayUnsafe(a.record.data()))
                    .partitionKey(a.record.partitionKey())
                    .explicitHashKey(a.record.explicitHashKey())
                    .build());
        }
        String stream = batch.streamName();
        PutRecordsRequest request = PutRecordsRequest.builder().records(entries)
                .streamName(StreamIds.nameParam(stream)).streamARN(StreamIds.arnParam(stream))
                .overrideConfiguration(o -> o.apiCallTimeout(requestTimeout)).build();
        batch.started(time.instant(), time.nanoTime());
        try {
            putRecords.apply(request).whenComplete((response, error) -> {
                answers.add(new Answer(batch, response, error));
                wake();
            });
        } catch (RuntimeException e) {
            answers.add(new Answer(batch, null, e));
        }
    }

    /** Completes the futures of the records given an outcome, on the callback executor. */
    void dispatchCompletions() {
        List<PendingRecord> done = accumulator.takeCompletions();
        if (done.isEmpty()) {
            return;
        }
        Runnable task = () -> {
            for (PendingRecord r : done) {
                r.complete();
            }
            for (PendingRecord r : done) {
                if (r.error() instanceof RecordExpiredException || r.error() instanceof RecordFailedException) {
                    failedForGood.accept(r);
                }
            }
        };
        try {
            callbackExecutor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    /** Stops the loop, then fails every record still held with {@link ProducerClosedException}. */
    void stop(Duration wait) throws InterruptedException {
        stopping = true;
        Thread t = thread;
        if (t != null) {
            LockSupport.unpark(t);
            t.join(Math.max(1, wait.toMillis()));
        }
        accumulator.abort();
        dispatchCompletions();
    }
}
