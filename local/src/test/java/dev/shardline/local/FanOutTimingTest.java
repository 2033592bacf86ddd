package dev.shardline.local;

import static dev.shardline.local.FanOutTestSupport.activeConsumer;
import static dev.shardline.local.FanOutTestSupport.position;
import static dev.shardline.local.FanOutTestSupport.put;
import static dev.shardline.local.FanOutTestSupport.sleep;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardline.local.FanOutTestSupport.Recorder;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;

/**
 * The time-driven behaviour of subscriptions, each on its own LocalKinesis configured for it: keep-alives, the
 * lifetime, the takeover window (default semantics, on a manual clock), the read rate, and flow control against
 * a slow subscriber.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FanOutTimingTest {
    private static final String SHARD0 = "shardId-000000000000";
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private LocalKinesis server(LocalKinesis.Builder builder) {
        LocalKinesis kinesis = builder.build().start();
        closeables.add(kinesis);
        return kinesis;
    }

    private KinesisAsyncClient client(URI endpoint) {
        KinesisAsyncClient client = FanOutTestSupport.http2Client(endpoint);
        closeables.add(client);
        return client;
    }

    private Recorder recorder(long perEventDelayMillis) {
        Recorder r = new Recorder(perEventDelayMillis);
        closeables.add(r::close);
        return r;
    }

    @Test
    void idleShardGetsKeepAlivesAndTheirContinuationResumesWithoutLoss() {
        LocalKinesis kinesis = server(LocalKinesis.builder()
                .fanOut(FanOutConfig.builder().keepAliveInterval(Duration.ofMillis(150))
                        .takeoverWindow(Duration.ZERO).build()));
        KinesisAsyncClient client = client(kinesis.endpoint());
        String arn = kinesis.createStream("idle", 1);
        String consumer = activeConsumer(client, arn, "idle");

        Recorder r = recorder(0).subscribe(client, consumer, SHARD0, position(ShardIteratorType.TRIM_HORIZON, null));
        List<SubscribeToShardEvent> keepAlives = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            keepAlives.add(r.next(2_000));
        }
        for (SubscribeToShardEvent e : keepAlives) {
            assertThat(e.records()).isEmpty();
            assertThat(e.continuationSequenceNumber()).isNotNull();
            assertThat(e.millisBehindLatest()).isZero();
        }
        // Resuming after an empty shard's continuation must not skip the shard's first record.
        String emptyContinuation = keepAlives.get(3).continuationSequenceNumber();
        r.close();
        List<byte[]> sent = put(client, "idle", "0", 3, 20, "first");
        Recorder resumed = recorder(0).subscribe(client, consumer, SHARD0,
                position(ShardIteratorType.AFTER_SEQUENCE_NUMBER, emptyContinuation));
        resumed.awaitRecords(3, 5_000);
        assertThat(resumed.data()).containsExactlyElementsOf(sent);

        // Once records were sent, keep-alives carry the last one's sequence number.
        String last = resumed.all.get(resumed.all.size() - 1).continuationSequenceNumber();
        SubscribeToShardEvent keepAlive = resumed.next(2_000);
        while (!keepAlive.records().isEmpty()) {
            keepAlive = resumed.next(2_000);
        }
        assertThat(keepAlive.continuationSequenceNumber()).isEqualTo(last);
        assertThat(new java.math.BigInteger(last))
                .isGreaterThan(new java.math.BigInteger(emptyContinuation));
    }

    @Test
    void theFirstEventOnAnIdleShardComesWithoutWaitingForAKeepAlive() {
        // A keep-alive interval longer than the wait: only a prompt first event can pass.
        Latest latest = subscribeLatest(Duration.ofMinutes(10), "prompt");
        KinesisAsyncClient client = latest.client();
        Recorder r = latest.recorder();
        SubscribeToShardEvent first = r.next(30_000);
        assertThat(first.records()).isEmpty();
        assertThat(first.continuationSequenceNumber()).isNotNull();
        assertThat(first.millisBehindLatest()).isZero();
        List<byte[]> sent = put(client, "prompt", "0", 2, 10, "x");
        r.awaitRecords(2, 30_000);
        assertThat(r.data()).containsExactlyElementsOf(sent);
    }

    @Test
    void aSubscriptionEndsNormallyAfterItsLifetime() {
        LocalKinesis kinesis = server(LocalKinesis.builder()
                .fanOut(FanOutConfig.builder().subscriptionLifetime(Duration.ofMillis(700)).build()));
        KinesisAsyncClient client = client(kinesis.tlsEndpoint());
        String arn = kinesis.createStream("lifetime", 1);
        String consumer = activeConsumer(client, arn, "short");
        long start = System.nanoTime();
        Recorder r = recorder(0).subscribe(client, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        r.awaitDone(10_000);
        assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(700));
        assertThat(r.error).isNull();
        assertThat(r.completed).isTrue();
        assertThat(r.gotInitialResponse).isTrue();
    }

    @Test
    void takeoverFollowsTheServiceDefaultFiveSecondWindow() {
        ManualClock clock = new ManualClock(Instant.parse("2026-03-01T00:00:00Z"));
        LocalKinesis kinesis = server(LocalKinesis.builder().clock(clock));
        assertThat(kinesis.fanOut().config().takeoverWindow()).isEqualTo(Duration.ofSeconds(5));
        KinesisAsyncClient client = client(kinesis.endpoint());
        String arn = kinesis.createStream("takeover", 1);
        String consumer = activeConsumer(client, arn, "lease-holder");

        Recorder first = recorder(0).subscribe(client, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        first.awaitResponse(10_000);
        clock.advance(Duration.ofMillis(4_999));
        Recorder tooSoon = recorder(0).subscribe(client, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        tooSoon.awaitDone(5_000);
        assertThat(tooSoon.error).isInstanceOf(ResourceInUseException.class);
        assertThat(tooSoon.gotInitialResponse).isFalse();

        clock.advance(Duration.ofMillis(1));
        Recorder second = recorder(0).subscribe(client, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        second.awaitResponse(10_000);
        first.awaitDone(5_000);
        assertThat(first.error).isInstanceOf(ResourceInUseException.class).hasMessageContaining("taken over");

        List<byte[]> sent = put(client, "takeover", "0", 5, 10, "new-owner");
        second.awaitRecords(5, 5_000);
        assertThat(second.data()).containsExactlyElementsOf(sent);
        assertThat(first.records.get()).isZero();
        // The refused call did not reset the window: right after the takeover, another one is refused again.
        Recorder third = recorder(0).subscribe(client, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        third.awaitDone(5_000);
        assertThat(third.error).isInstanceOf(ResourceInUseException.class);
    }

    @Test
    void anInactiveConsumerIsRefused() {
        LocalKinesis kinesis = server(LocalKinesis.builder()
                .fanOut(FanOutConfig.builder().consumerStatusDelay(Duration.ofMinutes(10)).build()));
        KinesisAsyncClient client = client(kinesis.endpoint());
        String arn = kinesis.createStream("creating", 1);
        String consumer = client.registerStreamConsumer(b -> b.streamARN(arn).consumerName("slowpoke")).join()
                .consumer().consumerARN();
        Recorder r = recorder(0).subscribe(client, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        r.awaitDone(5_000);
        assertThat(r.error).isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("CREATING");
    }

    @Test
    void readsAreHeldToTheConfiguredRatePerSubscription() {
        LocalKinesis kinesis = server(LocalKinesis.builder()
                .fanOut(FanOutConfig.builder().readBytesPerSecond(100 * 1024).maxEventBytes(16 * 1024).build()));
        KinesisAsyncClient client = client(kinesis.endpoint());
        String arn = kinesis.createStream("rate", 1);
        String consumer = activeConsumer(client, arn, "rated");
        // 300 KiB stored: one second's worth may go at once, the other 200 KiB take about two seconds.
        List<byte[]> sent = put(client, "rate", "0", 300, 1024 - 8, "r");
        long start = System.nanoTime();
        Recorder r = recorder(0).subscribe(client, consumer, SHARD0, position(ShardIteratorType.TRIM_HORIZON, null));
        r.awaitRecords(300, 20_000);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(1_700);
        assertThat(r.data()).containsExactlyElementsOf(sent);
    }

    @Test
    void aSlowSubscriberHoldsTheServerToItsWindowWhile50MiBArePut() {
        int window = 1024 * 1024;
        LocalKinesis kinesis = server(LocalKinesis.builder().limitsEnabled(false));
        KinesisAsyncClient producer = client(kinesis.endpoint());
        KinesisAsyncClient subscriberClient = KinesisAsyncClient.builder()
                .endpointOverride(kinesis.endpoint())
                .region(LocalClients.REGION)
                .credentialsProvider(LocalClients.credentials())
                .httpClient(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2)
                        .http2Configuration(h -> h.initialWindowSize(window)).build())
                .build();
        closeables.add(subscriberClient);
        String arn = kinesis.createStream("slow", 1);
        String consumer = activeConsumer(producer, arn, "slow");
        // ~25 MiB/s taken by the subscriber: slower than the puts, so the server's window fills up.
        Recorder r = recorder(40).subscribe(subscriberClient, consumer, SHARD0,
                position(ShardIteratorType.TRIM_HORIZON, null));
        r.awaitResponse(10_000);
        int size = 50 * 1024;
        int count = 1024;
        List<byte[]> sent = put(producer, "slow", "0", count, size, "big");
        r.awaitRecords(count, 45_000);

        SubscriptionStats stats = kinesis.fanOut().subscriptions().stream()
                .filter(s -> s.consumerArn().equals(consumer)).findFirst().orElseThrow();
        assertThat(stats.recordsSent()).isEqualTo(count);
        assertThat(stats.bytesSent()).isGreaterThan(50L * 1024 * 1024);
        // Flow control engaged (bytes did queue) and bounded the queue by the window plus one event.
        assertThat(stats.maxBytesQueued()).isGreaterThan(64 * 1024);
        assertThat(stats.maxBytesQueued()).isLessThanOrEqualTo(window + stats.maxEventBytes());
        List<byte[]> received = r.data();
        assertThat(received).hasSize(count);
        for (int i = 0; i < count; i++) {
            assertThat(received.get(i)).as("record %d", i).isEqualTo(sent.get(i));
        }
    }

    @Test
    void deletingTheStreamEndsItsSubscriptions() {
        Latest latest = subscribeLatest(Duration.ofMillis(100), "doomed");
        KinesisAsyncClient client = latest.client();
        String consumer = latest.consumer();
        Recorder r = latest.recorder();
        r.awaitResponse(10_000);
        client.deleteStream(b -> b.streamName("doomed")).join();
        r.awaitDone(5_000);
        assertThat(r.error).isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("doomed");
        assertThatThrownBy(() -> client.describeStreamConsumer(b -> b.consumerARN(consumer)).join())
                .hasCauseInstanceOf(ResourceNotFoundException.class);
    }

    /** A subscription at LATEST on a fresh server's one-shard stream. */
    private record Latest(KinesisAsyncClient client, String consumer, Recorder recorder) {
    }

    /** A server with this keep-alive interval, a one-shard stream and consumer named {@code name}, subscribed. */
    private Latest subscribeLatest(Duration keepAlive, String name) {
        LocalKinesis kinesis = server(LocalKinesis.builder()
                .fanOut(FanOutConfig.builder().keepAliveInterval(keepAlive).build()));
        KinesisAsyncClient client = client(kinesis.endpoint());
        String consumer = activeConsumer(client, kinesis.createStream(name, 1), name);
        Recorder r = recorder(0).subscribe(client, consumer, SHARD0, position(ShardIteratorType.LATEST, null));
        return new Latest(client, consumer, r);
    }
}
