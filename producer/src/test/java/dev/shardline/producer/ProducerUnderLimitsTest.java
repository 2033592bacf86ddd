package dev.shardline.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.aggregation.HashKeyRange;
import dev.shardline.aggregation.HashKeys;
import dev.shardline.common.Futures;
import dev.shardline.local.Fault;
import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalKinesis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Shard;

/** The producer against LocalKinesis with Kinesis' shard limits on: overload, resharding, strict ordering under faults. */
class ProducerUnderLimitsTest {
    private static LocalKinesis kinesis;
    private static KinesisAsyncClient client;

    @BeforeAll
    static void start() {
        kinesis = LocalKinesis.builder().port(0).tlsPort(0).limitsEnabled(true).build().start();
        client = LocalClients.kinesisBuilder(kinesis.endpoint())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        kinesis.close();
    }

    /** Every attempt of a completed record: from its result, or from the exception it failed with. */
    private static List<Attempt> attempts(CompletableFuture<SendResult> f) {
        try {
            return f.join().attempts();
        } catch (RuntimeException e) {
            Throwable cause = Futures.unwrap(e);
            assertThat(cause).isInstanceOf(RecordExpiredException.class);
            return ((ProducerException) cause).attempts();
        }
    }

    @Test
    @Timeout(120)
    void twiceTheCapacityOfFourShards() throws Exception {
        String stream = "overload";
        kinesis.createStream(stream, 4);
        int capacityPerSecond = 4 * ProducerConfig.SHARD_RECORDS_PER_SECOND;
        int offeredPerSecond = 2 * capacityPerSecond;
        Duration offerFor = Duration.ofSeconds(20);
        List<CompletableFuture<SendResult>> futures = new ArrayList<>();
        List<String> data = new ArrayList<>();
        Instant t0 = Instant.now();
        // Plain 100-byte records, so that the 1,000 records/s per shard bind; a share of 1.5 (KPL's default
        // RateLimit=150) overshoots on purpose: the adaptive limit has to find the real capacity from the throttles.
        try (KinesisProducer producer = new KinesisProducer(ProducerConfig.builder().client(client)
                .meterRegistry(new SimpleMeterRegistry()).aggregationEnabled(false).rateLimitShare(1.5)
                .recordTtl(Duration.ofSeconds(5)).build())) {
            long start = System.nanoTime();
            long offerNanos = offerFor.toNanos();
            int sent = 0;
            while (true) {
                long elapsed = System.nanoTime() - start;
                if (elapsed >= offerNanos) {
                    break;
                }
                long due = elapsed * offeredPerSecond / 1_000_000_000L;
                for (; sent < due; sent++) {
                    String d = String.format("%08d", sent) + "-" + "p".repeat(91);
                    data.add(d);
                    futures.add(producer.send(stream, PartitionKeys.random(), d.getBytes(StandardCharsets.UTF_8)));
                }
                LockSupport.parkNanos(1_000_000);
            }
            producer.flush().get(30, TimeUnit.SECONDS);
        }
        assertThat(futures.size()).isGreaterThan(offeredPerSecond * 19);

        Set<String> acked = new HashSet<>();
        List<Attempt> all = new ArrayList<>();
        long ackedInTime = 0;
        Instant offerEnd = t0.plus(offerFor);
        for (int i = 0; i < futures.size(); i++) {
            CompletableFuture<SendResult> f = futures.get(i);
            assertThat(f).isDone();
            all.addAll(attempts(f));
            if (!f.isCompletedExceptionally()) {
                acked.add(data.get(i));
                List<Attempt> a = f.join().attempts();
                Attempt last = a.get(a.size() - 1);
                if (last.startedAt().isBefore(offerEnd)) {
                    ackedInTime++;
                }
            }
        }
        long throttled = all.stream().filter(a -> Errors.THROTTLED.equals(a.errorCode())).count();
        assertThat(throttled).as("throttles occur").isGreaterThan(0);
        // after 10 s: fewer than 5% of entries throttled in any 5 s window
        double worst = 0;
        for (long from = 10_000; from + 5_000 <= offerFor.toMillis() + 5_000; from += 500) {
            Instant a = t0.plusMillis(from);
            Instant b = a.plusMillis(5_000);
            List<Attempt> window = all.stream()
                    .filter(x -> !x.startedAt().isBefore(a) && x.startedAt().isBefore(b)).toList();
            long thr = window.stream().filter(x -> Errors.THROTTLED.equals(x.errorCode())).count();
            if (!window.isEmpty()) {
                worst = Math.max(worst, (double) thr / window.size());
                assertThat((double) thr / window.size()).as("throttled share in [%d ms, +5 s) of %d entries", from,
                        window.size()).isLessThan(0.05);
            }
        }
        System.out.printf("overload: offered=%d acked=%d ackedWithin20s=%d (%.0f%% of capacity) throttledEntries=%d "
                + "worstWindowAfter10s=%.2f%%%n", futures.size(), acked.size(), ackedInTime,
                100.0 * ackedInTime / (capacityPerSecond * 20.0), throttled, 100 * worst);
        assertThat(ackedInTime).as("accepted within the 20 s").isGreaterThanOrEqualTo((long) (0.8 * capacityPerSecond * 20));
        List<StreamReader.Read> read = StreamReader.readAll(client, stream);
        Set<String> readData = new HashSet<>();
        read.forEach(r -> readData.add(r.data()));
        assertThat(read).hasSize(readData.size());
        assertThat(readData).isEqualTo(acked);
    }

    @Test
    @Timeout(90)
    void aSplitWhileSendingLosesNothingAndResendsStrayAggregates() throws Exception {
        String stream = "splitting";
        kinesis.createStream(stream, 2);
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        List<CompletableFuture<SendResult>> futures = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> data = new ArrayList<>();
        try (KinesisProducer producer = new KinesisProducer(ProducerConfig.builder().client(client).meterRegistry(meters)
                .maxBufferedTime(Duration.ofMillis(100)).build())) {
            long start = System.nanoTime();
            int perSecond = 1500;
            boolean split = false;
            int sent = 0;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
                long elapsed = System.nanoTime() - start;
                if (!split && elapsed > TimeUnit.SECONDS.toNanos(2)) {
                    Shard parent = StreamReader.shards(client, stream).get(0);
                    HashKeyRange range = StreamReader.range(parent);
                    BigInteger middle = range.startingHashKey().add(range.endingHashKey()).shiftRight(1);
                    client.splitShard(b -> b.streamName(stream).shardToSplit(parent.shardId())
                            .newStartingHashKey(middle.toString())).get(10, TimeUnit.SECONDS);
                    split = true;
                }
                for (long due = elapsed * perSecond / 1_000_000_000L; sent < due; sent++) {
                    String key = PartitionKeys.random();
                    String d = "r" + sent;
                    keys.add(key);
                    data.add(d);
                    futures.add(producer.send(stream, key, d.getBytes(StandardCharsets.UTF_8)));
                }
                LockSupport.parkNanos(2_000_000);
            }
            producer.flush().get(30, TimeUnit.SECONDS);
        }
        Map<String, HashKeyRange> ranges = new HashMap<>();
        StreamReader.shards(client, stream).forEach(s -> ranges.put(s.shardId(), StreamReader.range(s)));
        assertThat(ranges).hasSize(4);
        Set<String> read = new HashSet<>();
        StreamReader.readAll(client, stream).forEach(r -> read.add(r.partitionKey() + "/" + r.data()));
        for (int i = 0; i < futures.size(); i++) {
            SendResult result = futures.get(i).get(1, TimeUnit.SECONDS);
            assertThat(ranges.get(result.shardId()).contains(HashKeys.hashKey(keys.get(i))))
                    .as("%s owns key %s", result.shardId(), keys.get(i)).isTrue();
            assertThat(read).contains(keys.get(i) + "/" + data.get(i));
        }
        assertThat(meters.get("shardline.producer.records.resent").counter().count()).isGreaterThan(0);
    }

    @Test
    @Timeout(90)
    void strictOrderingHoldsPerKeyUnderThrottlesAndServerErrors() throws Exception {
        String stream = "ordered";
        kinesis.createStream(stream, 3);
        var throttles = kinesis.faults().inject(Fault.throttleRecords().operation("PutRecords").stream(stream).rate(0.2));
        var errors = kinesis.faults().inject(Fault.internalFailure().operation("PutRecords").stream(stream).rate(0.1));
        int keys = 30;
        int perKey = 100;
        List<CompletableFuture<SendResult>> futures = new ArrayList<>();
        try (KinesisProducer producer = new KinesisProducer(ProducerConfig.builder().client(client)
                .meterRegistry(new SimpleMeterRegistry()).strictOrdering(true).maxBufferedTime(Duration.ofMillis(20))
                .retryInitialBackoff(Duration.ofMillis(20)).retryMaxBackoff(Duration.ofMillis(200)).build())) {
            for (int seq = 0; seq < perKey; seq++) {
                for (int k = 0; k < keys; k++) {
                    futures.add(producer.send(stream, "key-" + k, ("key-" + k + ":" + seq).getBytes(StandardCharsets.UTF_8)));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(15));
            }
            producer.flush().get(60, TimeUnit.SECONDS);
        } finally {
            throttles.remove();
            errors.remove();
        }
        long retried = 0;
        for (CompletableFuture<SendResult> f : futures) {
            if (f.get(1, TimeUnit.SECONDS).attempts().size() > 1) {
                retried++;
            }
        }
        assertThat(retried).as("the faults were hit").isGreaterThan(0);
        Map<String, List<Integer>> order = new HashMap<>();
        for (StreamReader.Read r : StreamReader.readAll(client, stream)) {
            String[] parts = r.data().split(":");
            order.computeIfAbsent(parts[0], x -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
        }
        assertThat(order).hasSize(keys);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            expected.add(i);
        }
        order.forEach((key, seqs) -> assertThat(seqs).as(key).isEqualTo(expected));
    }

    @Test
    @Timeout(90)
    void strictOrderingHoldsPerKeyAcrossASplit() throws Exception {
        String stream = "ordered-split";
        kinesis.createStream(stream, 2);
        int keys = 40;
        int perKey = 120;
        List<CompletableFuture<SendResult>> futures = new ArrayList<>();
        try (KinesisProducer producer = new KinesisProducer(ProducerConfig.builder().client(client)
                .meterRegistry(new SimpleMeterRegistry()).strictOrdering(true).maxBufferedTime(Duration.ofMillis(20))
                .build())) {
            for (int seq = 0; seq < perKey; seq++) {
                if (seq == perKey / 2) {
                    Shard parent = StreamReader.shards(client, stream).get(0);
                    HashKeyRange range = StreamReader.range(parent);
                    BigInteger middle = range.startingHashKey().add(range.endingHashKey()).shiftRight(1);
                    client.splitShard(b -> b.streamName(stream).shardToSplit(parent.shardId())
                            .newStartingHashKey(middle.toString())).get(10, TimeUnit.SECONDS);
                }
                for (int k = 0; k < keys; k++) {
                    futures.add(producer.send(stream, "truck-" + k, ("truck-" + k + ":" + seq).getBytes(StandardCharsets.UTF_8)));
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            producer.flush().get(60, TimeUnit.SECONDS);
        }
        for (CompletableFuture<SendResult> f : futures) {
            f.get(1, TimeUnit.SECONDS);
        }
        // Parents are listed (and so read) before their children: per key, the read order is the stored order.
        Map<String, List<Integer>> order = new HashMap<>();
        for (StreamReader.Read r : StreamReader.readAll(client, stream)) {
            String[] parts = r.data().split(":");
            order.computeIfAbsent(parts[0], x -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
        }
        assertThat(order).hasSize(keys);
        order.forEach((key, seqs) -> {
            Set<Integer> seen = new HashSet<>();
            int max = -1;
            for (int seq : seqs) {
                boolean duplicate = !seen.add(seq);
                assertThat(duplicate || seq > max).as("%s: %d arrived after %d (%s)", key, seq, max, seqs).isTrue();
                max = Math.max(max, seq);
            }
            assertThat(seen).as(key).hasSize(perKey);
        });
    }
}
