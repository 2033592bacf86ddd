package dev.shardline.producer;

import dev.shardline.aggregation.InvalidRecordException;
import dev.shardline.aggregation.Limits;
import dev.shardline.common.StreamIds;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * An in-memory {@link Producer} for unit tests of code that sends records (Kafka's {@code MockProducer} is the
 * model). It sends nothing: it records every accepted record in {@link #history()} and completes the futures when
 * told to ({@link #completeNext()}, {@link #failNext(Throwable)}), or at once in auto-complete mode. It checks its
 * arguments as {@link KinesisProducer} does, so bad input fails the same way, and it can act as if its buffer were
 * full ({@link #bufferFull(boolean)}).
 *
 * <pre>{@code
 * MockProducer producer = new MockProducer();           // futures stay pending until the test says
 * OrderService service = new OrderService(producer);     // the code under test takes a Producer
 * CompletableFuture<Void> placed = service.place(order);
 * assertThat(producer.history()).singleElement()
 *         .satisfies(r -> assertThat(r.partitionKey()).isEqualTo(order.id()));
 * producer.failNext(new RecordExpiredException("expired", List.of()));
 * assertThat(placed).isCompletedExceptionally();
 * }</pre>
 *
 * <p>Thread-safe. Futures complete on the thread that calls {@code completeNext}, {@code failNext}, {@code flush},
 * {@code close} or (auto-complete) {@code send}.
 */
public final class MockProducer implements Producer {
    private final boolean autoComplete;
    private final List<SentRecord> history = new ArrayList<>();
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private final Map<String, Long> sequences = new HashMap<>();
    private boolean bufferFull;
    private boolean closed;

    /** One record accepted by {@code send} or {@code trySend}, in the order accepted. */
    public record SentRecord(String stream, String partitionKey, String explicitHashKey, byte[] data) {
        /** The data as UTF-8 text. */
        public String dataAsUtf8() {
            return new String(data, StandardCharsets.UTF_8);
        }
    }

    private record Pending(SentRecord record, CompletableFuture<SendResult> future, long acceptedNanos) {
    }

    /** A mock whose futures stay pending until {@link #completeNext()} or {@link #failNext(Throwable)}. */
    public MockProducer() {
        this(false);
    }

    /** @param autoComplete true: every send's future completes successfully at once */
    public MockProducer(boolean autoComplete) {
        this.autoComplete = autoComplete;
    }

    @Override
    public CompletableFuture<SendResult> send(String stream, String partitionKey, String explicitHashKey, byte[] data) {
        return accept(stream, partitionKey, explicitHashKey, data);
    }

    @Override
    public CompletableFuture<SendResult> trySend(String stream, String partitionKey, String explicitHashKey, byte[] data) {
        return accept(stream, partitionKey, explicitHashKey, data);
    }

    private CompletableFuture<SendResult> accept(String stream, String partitionKey, String explicitHashKey,
            byte[] data) {
        String problem = StreamIds.problem(stream);
        if (problem != null) {
            throw new InvalidRecordException("stream", problem);
        }
        Limits.checkPartitionKey(partitionKey);
        if (explicitHashKey != null) {
            Limits.parseExplicitHashKey(explicitHashKey);
        }
        Limits.checkData(data, partitionKey, Limits.DEFAULT_MAX_RECORD_BYTES);
        Pending p;
        synchronized (this) {
            if (closed) {
                throw new ProducerClosedException("producer is closed", List.of());
            }
            if (bufferFull) {
                throw new BufferFullException("buffer full (simulated by MockProducer.bufferFull(true))");
            }
            SentRecord record = new SentRecord(stream, partitionKey, explicitHashKey, data.clone());
            history.add(record);
            p = new Pending(record, new CompletableFuture<>(), System.nanoTime());
            if (!autoComplete) {
                pending.addLast(p);
                return p.future;
            }
        }
        p.future.complete(result(p));
        return p.future;
    }

    /**
     * Completes the oldest pending future successfully (shard {@code shardId-000000000000}, sequence numbers
     * counting up per stream).
     *
     * @return false if no future was pending
     */
    public boolean completeNext() {
        Pending p;
        synchronized (this) {
            p = pending.pollFirst();
        }
        if (p == null) {
            return false;
        }
        p.future.complete(result(p));
        return true;
    }

    /**
     * Fails the oldest pending future with {@code error} (for example a {@link RecordExpiredException} or
     * {@link RecordFailedException}).
     *
     * @return false if no future was pending
     */
    public boolean failNext(Throwable error) {
        Pending p;
        synchronized (this) {
            p = pending.pollFirst();
        }
        if (p == null) {
            return false;
        }
        p.future.completeExceptionally(error);
        return true;
    }

    private SendResult result(Pending p) {
        long seq;
        synchronized (this) {
            seq = sequences.merge(p.record.stream(), 1L, Long::sum);
        }
        return new SendResult("shardId-000000000000", String.valueOf(seq), 0,
                List.of(new Attempt(Instant.now(), Duration.ZERO, null, null)));
    }

    /** While true, {@code send} and {@code trySend} throw {@link BufferFullException} (as when the buffer is full). */
    public synchronized MockProducer bufferFull(boolean full) {
        this.bufferFull = full;
        return this;
    }

    /** Every record accepted so far, oldest first (a copy). */
    public synchronized List<SentRecord> history() {
        return List.copyOf(history);
    }

    /** Forgets the history (pending futures stay pending). */
    public synchronized void clear() {
        history.clear();
    }

    /** Completes every pending future successfully, as a real flush would once the records are stored. */
    @Override
    public CompletableFuture<Void> flush() {
        while (completeNext()) {
            // until none is pending
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Completes the pending futures of {@code stream} successfully; others stay pending. */
    @Override
    public CompletableFuture<Void> flush(String stream) {
        List<Pending> of = new ArrayList<>();
        synchronized (this) {
            pending.removeIf(p -> p.record.stream().equals(stream) && of.add(p));
        }
        of.forEach(p -> p.future.complete(result(p)));
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized int outstandingRecords() {
        return pending.size();
    }

    @Override
    public synchronized Duration oldestRecordAge() {
        Pending oldest = pending.peekFirst();
        return oldest == null ? Duration.ZERO : Duration.ofNanos(System.nanoTime() - oldest.acceptedNanos);
    }

    /** Flushes (completes what is pending), then refuses further sends with {@link ProducerClosedException}. */
    @Override
    public void close() {
        flush();
        synchronized (this) {
            closed = true;
        }
    }

    /** True once {@link #close()} was called. */
    public synchronized boolean closed() {
        return closed;
    }
}
