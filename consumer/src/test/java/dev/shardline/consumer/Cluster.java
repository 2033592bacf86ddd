package dev.shardline.consumer;

import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalDynamoDb;
import dev.shardline.local.LocalKinesis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;

/** Test fixture: LocalKinesis + DynamoDB Local + real SDK clients, and consumers made on them. */
final class Cluster implements AutoCloseable {
    private static final AtomicInteger NAMES = new AtomicInteger();

    final LocalKinesis kinesis;
    final LocalDynamoDb dynamo;
    final KinesisAsyncClient kinesisClient;
    final KinesisAsyncClient kinesisH2;
    final DynamoDbAsyncClient dynamoClient;
    private final List<KinesisConsumer> consumers = new ArrayList<>();

    Cluster() {
        this(LocalKinesis.builder().port(0).tlsPort(0).limitsEnabled(true));
    }

    Cluster(LocalKinesis.Builder builder) {
        kinesis = builder.build().start();
        dynamo = new LocalDynamoDb().start();
        kinesisClient = LocalClients.kinesis(kinesis.endpoint());
        kinesisH2 = LocalClients.kinesis(kinesis.tlsEndpoint());
        dynamoClient = LocalClients.dynamoDb(dynamo.endpoint());
    }

    static String unique(String prefix) {
        return prefix + "-" + NAMES.incrementAndGet() + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    }

    /** A config with test timings: failover 1 s, lease interval 200 ms, TRIM_HORIZON. */
    ConsumerConfig.Builder config(String app, String stream, String worker, Recorder recorder) {
        return ConsumerConfig.builder()
                .applicationName(app)
                .streamName(stream)
                .workerId(worker)
                .processorFactory(recorder.factory(worker))
                .initialPosition(InitialPosition.trimHorizon())
                .failoverTime(Duration.ofSeconds(1))
                .leaseInterval(Duration.ofMillis(200))
                .shardSyncInterval(Duration.ofSeconds(2))
                .idleTimeBetweenReads(Duration.ofMillis(50))
                .retryBackoff(Duration.ofMillis(20))
                .meterRegistry(new SimpleMeterRegistry())
                .kinesisClient(kinesisClient)
                .dynamoDbClient(dynamoClient);
    }

    KinesisConsumer start(ConsumerConfig config) {
        KinesisConsumer c = new KinesisConsumer(config);
        synchronized (consumers) {
            consumers.add(c);
        }
        c.start();
        return c;
    }

    /** Puts {@code perKey} records for each key ("key-i" -> data "key-i:n"), n = from..from+perKey-1, in order per key. */
    void put(String stream, int keys, int from, int perKey) {
        for (int n = from; n < from + perKey; n++) {
            List<PutRecordsRequestEntry> batch = new ArrayList<>();
            for (int k = 0; k < keys; k++) {
                batch.add(PutRecordsRequestEntry.builder().partitionKey("key-" + k)
                        .data(SdkBytes.fromUtf8String("key-" + k + ":" + n)).build());
            }
            putAll(stream, batch);
        }
    }

    /** Puts entries, retrying failed ones in order, so per-key order of acceptance is kept. */
    void putAll(String stream, List<PutRecordsRequestEntry> entries) {
        // One entry per key per call keeps per-key order even when some entries are retried.
        List<PutRecordsRequestEntry> pending = entries;
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            List<PutRecordsRequestEntry> sent = pending;
            PutRecordsResponse r = kinesisClient.putRecords(b -> b.streamName(stream).records(sent)).join();
            List<PutRecordsRequestEntry> failed = new ArrayList<>();
            for (int i = 0; i < r.records().size(); i++) {
                if (r.records().get(i).errorCode() != null) {
                    failed.add(pending.get(i));
                }
            }
            pending = failed;
            if (!pending.isEmpty()) {
                sleep(Math.min(500, 20L << Math.min(attempt, 4)));
            }
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what);
            }
            sleep(20);
        }
    }

    @Override
    public void close() {
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        synchronized (consumers) {
            for (KinesisConsumer c : consumers) {
                closing.add(CompletableFuture.runAsync(c::close));
            }
        }
        closing.forEach(CompletableFuture::join);
        kinesisClient.close();
        kinesisH2.close();
        dynamoClient.close();
        kinesis.close();
        dynamo.close();
    }
}
