package dev.shardline.producer;

import dev.shardline.aggregation.HashKeys;
import dev.shardline.aggregation.InvalidRecordException;
import dev.shardline.aggregation.Limits;
import dev.shardline.common.StreamIds;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder;

/**
 * Writes user records to Kinesis Data Streams the way Amazon's KPL does, in pure Java: records bound for the same
 * shard are aggregated (KPL format, readable by Amazon's KCL and Shardline's consumer), aggregates from all shards go
 * out in PutRecords calls, each shard is kept under its throughput limits, failures are retried with backoff, and
 * every accepted record's future completes, with a {@link SendResult} or an exception saying why.
 *
 * <pre>{@code
 * try (KinesisProducer producer = new KinesisProducer(ProducerConfig.builder().region(Region.EU_WEST_1).build())) {
 *     producer.send("orders", order.id(), json).thenAccept(r -> log.info("stored in {}", r.shardId()));
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@code send} does no I/O; it blocks only when {@link ProducerConfig#maxBufferedBytes()} are held
 * (back-pressure). Futures complete on {@link ProducerConfig#callbackExecutor()}, never on an SDK or Netty thread,
 * so a callback may block or call {@code send}. Delivery is at-least-once: a call that timed out may have been stored
 * and is retried.
 */
public final class KinesisProducer implements Producer {
    private static final Logger log = LoggerFactory.getLogger(KinesisProducer.class);
    private static final AtomicInteger IDS = new AtomicInteger();

    private final ProducerConfig config;
    private final KinesisAsyncClient client;
    private final boolean ownsClient;
    private final BufferLimiter buffer;
    private final RecordAccumulator accumulator;
    private final Sender sender;
    private final long ttlNanos;
    private final long maxBlockNanos;
    private volatile boolean closed;
    /** The last stream name that passed validation: most callers send to one stream, and a regex per record shows. */
    private volatile String lastValidStream;

    public KinesisProducer(ProducerConfig config) {
        this.config = config;
        this.ownsClient = config.client() == null;
        this.client = ownsClient ? buildClient(config) : config.client();
        this.buffer = new BufferLimiter(config.maxBufferedBytes());
        ProducerMetrics metrics = new ProducerMetrics(config.meterRegistry());
        ShardMap shardMap = new ShardMap(client, config.shardMapRefreshInterval(), config.requestTimeout(),
                ForkJoinPool.commonPool());
        this.accumulator = new RecordAccumulator(config, shardMap, metrics, buffer);
        metrics.gauges(this, p -> p.buffer.used(), KinesisProducer::outstandingRecords,
                p -> p.oldestRecordAge().toMillis());
        this.sender = new Sender(accumulator, client::putRecords, config.requestTimeout(), config.callbackExecutor(),
                config.deadLetterSink() == null ? r -> { } : new DeadLetters(config.deadLetterSink()), Time.SYSTEM);
        this.ttlNanos = config.recordTtl().toNanos();
        this.maxBlockNanos = config.maxBlockTime().toNanos();
        Thread thread = new Thread(sender, "shardline-producer-" + IDS.incrementAndGet());
        thread.setDaemon(true);
        sender.start(thread);
        log.debug("producer started: {}", config);
    }

    private static KinesisAsyncClient buildClient(ProducerConfig config) {
        KinesisAsyncClientBuilder b = KinesisAsyncClient.builder()
                .httpClientBuilder(NettyNioAsyncHttpClient.builder()
                        .maxConcurrency(Math.max(50, config.maxConcurrentRequests() * 2)))
                // the producer retries entries itself, with per-shard backoff
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
        if (config.region() != null) {
            b.region(config.region());
        }
        if (config.endpoint() != null) {
            b.endpointOverride(config.endpoint());
        }
        if (config.credentialsProvider() != null) {
            b.credentialsProvider(config.credentialsProvider());
        }
        return b.build();
    }

    /** {@link #send(String, String, String, byte[])} without an explicit hash key. */
    @Override
    public CompletableFuture<SendResult> send(String stream, String partitionKey, byte[] data) {
        return send(stream, partitionKey, null, data);
    }

    /**
     * Accepts a user record for {@code stream}, waiting up to {@link ProducerConfig#maxBlockTime()} for buffer space.
     *
     * @param stream          stream name, or stream ARN (for another account's stream)
     * @param partitionKey    1 to 256 Unicode characters; picks the shard unless {@code explicitHashKey} is given
     * @param explicitHashKey null, or a decimal in 0 .. 2^128-1 that picks the shard
     * @param data            the record (copied); data plus partition key at most {@link ProducerConfig#maxRecordBytes()}
     * @return completes with where the record was stored, or exceptionally with a {@link RecordExpiredException},
     *     {@link RecordFailedException} or {@link ProducerClosedException}
     * @throws InvalidRecordException  (an {@link IllegalArgumentException}) for a bad argument, naming it and the limit
     * @throws BufferFullException     if no buffer space came free within {@code maxBlockTime}
     * @throws ProducerClosedException if the producer is closed
     */
    @Override
    public CompletableFuture<SendResult> send(String stream, String partitionKey, String explicitHashKey, byte[] data) {
        return send(stream, partitionKey, explicitHashKey, data, true);
    }

    /**
     * Like {@link #send(String, String, String, byte[])}, but never blocks: throws {@link BufferFullException} at once
     * when the buffer is full.
     */
    @Override
    public CompletableFuture<SendResult> trySend(String stream, String partitionKey, String explicitHashKey, byte[] data) {
        return send(stream, partitionKey, explicitHashKey, data, false);
    }

    private CompletableFuture<SendResult> send(String stream, String partitionKey, String explicitHashKey, byte[] data,
            boolean block) {
        if (closed) {
            throw new ProducerClosedException("producer is closed", List.of());
        }
        checkStream(stream);
        Limits.checkPartitionKey(partitionKey);
        // encoded once: its MD5, its size and the aggregate's key table all use these bytes
        byte[] keyUtf8 = partitionKey.getBytes(StandardCharsets.UTF_8);
        BigInteger hashKey = explicitHashKey != null ? Limits.parseExplicitHashKey(explicitHashKey)
                : HashKeys.hashKey(keyUtf8);
        Limits.checkData(data, partitionKey, config.maxRecordBytes());
        int bytes = data.length + keyUtf8.length;
        if (!buffer.tryAcquire(bytes)) {
            if (!block) {
                throw bufferFull(bytes, Duration.ZERO);
            }
            try {
                if (!buffer.acquire(bytes, maxBlockNanos)) {
                    throw bufferFull(bytes, config.maxBlockTime());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BufferFullException("interrupted while waiting for buffer space; record not accepted");
            }
        }
        long now = System.nanoTime();
        PendingRecord r = new PendingRecord(stream, partitionKey, keyUtf8, explicitHashKey, data.clone(), hashKey, now,
                now + ttlNanos, bytes);
        if (closed) {
            buffer.release(bytes);
            throw new ProducerClosedException("producer is closed", List.of());
        }
        if (accumulator.append(r, now)) {
            sender.wake();
        }
        return r.future;
    }

    private BufferFullException bufferFull(int bytes, Duration waited) {
        return new BufferFullException("buffer full: " + buffer.used() + " of maxBufferedBytes " + buffer.limit()
                + " bytes held, no room for a " + bytes + "-byte record after waiting " + waited.toMillis()
                + " ms (maxBlockTime)");
    }

    private void checkStream(String stream) {
        if (stream != null && stream.equals(lastValidStream)) {
            return;
        }
        String problem = StreamIds.problem(stream);
        if (problem != null) {
            throw new InvalidRecordException("stream", problem);
        }
        lastValidStream = stream;
    }

    /**
     * Sends everything buffered now, without waiting for {@code maxBufferedTime}.
     *
     * @return completes when every record accepted before this call has completed (successfully or not)
     */
    @Override
    public CompletableFuture<Void> flush() {
        return flushHeld(null);
    }

    /**
     * Sends the records of {@code stream} buffered now, without waiting for {@code maxBufferedTime}.
     *
     * @param stream the stream name or ARN, as given to {@code send}
     * @return completes when every record of that stream accepted before this call has completed
     */
    @Override
    public CompletableFuture<Void> flush(String stream) {
        checkStream(stream);
        return flushHeld(stream);
    }

    /** Flushes one stream, or every stream when {@code stream} is null. */
    private CompletableFuture<Void> flushHeld(String stream) {
        CompletableFuture<Void> f = accumulator.flush(stream);
        sender.wake();
        return f;
    }

    /** User records accepted and not yet completed: the KPL's {@code getOutstandingRecordsCount()}. */
    @Override
    public int outstandingRecords() {
        return accumulator.outstandingRecords();
    }

    /** Age of the oldest record accepted and not yet completed (zero when none): a back-pressure signal. */
    @Override
    public Duration oldestRecordAge() {
        return Duration.ofNanos(accumulator.oldestRecordAgeNanos(System.nanoTime()));
    }

    /** User bytes held now (accepted, not completed). */
    public long bufferedBytes() {
        return buffer.used();
    }

    public ProducerConfig config() {
        return config;
    }

    /** {@link #close(Duration)} with {@link ProducerConfig#closeTimeout()}. */
    @Override
    public void close() {
        close(config.closeTimeout());
    }

    /**
     * Stops accepting records, flushes for at most {@code timeout}, fails what is still held with
     * {@link ProducerClosedException}, and releases the sender thread and the client it built.
     */
    public void close(Duration timeout) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            flush().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn("close: records still unacknowledged after {}; failing them", timeout);
        } catch (ExecutionException e) {
            log.debug("close: flush failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            sender.stop(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsClient) {
            client.close();
        }
    }
}
