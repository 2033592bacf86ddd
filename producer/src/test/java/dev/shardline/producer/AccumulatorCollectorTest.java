package dev.shardline.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.aggregation.Deaggregator;
import dev.shardline.aggregation.HashKeys;
import dev.shardline.aggregation.UserRecord;
import io.github.resilience4j.core.IntervalFunction;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class AccumulatorCollectorTest {
    private static final IntervalFunction BACKOFF = IntervalFunction.ofExponentialRandomBackoff(Duration.ofMillis(100),
            2.0, 0.5, Duration.ofSeconds(5));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private ShardQueue queue(String shard, int maxBytes, int maxCount, boolean limited) {
        return new ShardQueue("s", shard, maxBytes, maxCount,
                new ShardRateLimiter(limited, 1000, 1024 * 1024, BACKOFF, 0), registry.counter("t", "shard", shard),
                new ProducerMetrics(registry).shard("s", shard));
    }

    private static PendingRecord record(String pk, int size) {
        byte[] data = new byte[size];
        byte[] text = pk.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(text, 0, data, 0, Math.min(text.length, size));
        return new PendingRecord("s", pk, null, data, HashKeys.hashKey(pk), 0, Long.MAX_VALUE, size + pk.length());
    }

    @Test
    void closesAnAggregateWhenTheNextRecordDoesNotFitAndKeepsOrder() {
        ShardQueue q = queue("shard-0", 1024, 1000, false);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            keys.add("k" + i);
            q.append(record("k" + i, 100), 0);
        }
        q.closeOpen();
        List<String> seen = new ArrayList<>();
        for (Aggregate a : q.ready) {
            assertThat(a.sizeBytes()).isLessThanOrEqualTo(1024);
            List<UserRecord> users = Deaggregator.deaggregate(List.of(UserRecord.kinesisRecord("1",
                    a.record.partitionKey(), a.record.data(), Instant.EPOCH)), null);
            assertThat(users).hasSize(a.records.size());
            for (int i = 0; i < users.size(); i++) {
                assertThat(users.get(i).partitionKey()).isEqualTo(a.records.get(i).partitionKey);
                seen.add(users.get(i).partitionKey());
            }
        }
        assertThat(q.ready.size()).isGreaterThan(5);
        assertThat(seen).isEqualTo(keys);
    }

    @Test
    void countLimitClosesTheAggregateAtOnce() {
        ShardQueue q = queue("shard-0", 64 * 1024, 3, false);
        assertThat(q.append(record("a", 10), 0)).isFalse();
        assertThat(q.append(record("b", 10), 0)).isFalse();
        assertThat(q.append(record("c", 10), 0)).isTrue();
        assertThat(q.hasOpen()).isFalse();
        assertThat(q.ready).hasSize(1);
        assertThat(q.ready.peek().record.userRecordCount()).isEqualTo(3);
    }

    @Test
    void batchesRespectEntryAndByteLimits() {
        List<ShardQueue> shards = new ArrayList<>();
        for (int s = 0; s < 4; s++) {
            ShardQueue q = queue("shard-" + s, 1024, 1, false);
            for (int i = 0; i < 300; i++) {
                q.append(record("k" + s + "-" + i, 1000), 0);
            }
            shards.add(q);
        }
        Collector collector = new Collector(500, 200 * 1024, false);
        List<Aggregate> batch = collector.collect(shards, 0, 0);
        long bytes = batch.stream().mapToLong(Aggregate::sizeBytes).sum();
        assertThat(bytes).isLessThanOrEqualTo(200 * 1024).isGreaterThan(190 * 1024);
        Collector byCount = new Collector(500, 5 * 1024 * 1024, false);
        int total = batch.size();
        List<Aggregate> second = byCount.collect(shards, 1, 0);
        assertThat(second).hasSize(500);
        total += second.size();
        assertThat(total + shards.stream().mapToInt(q -> q.ready.size()).sum()).isEqualTo(1200);
    }

    @Test
    void aHotShardDoesNotStarveTheOthers() {
        List<ShardQueue> shards = new ArrayList<>();
        ShardQueue hot = queue("hot", 1024, 1, false);
        for (int i = 0; i < 2000; i++) {
            hot.append(record("h" + i, 100), 0);
        }
        shards.add(hot);
        for (int s = 0; s < 3; s++) {
            ShardQueue q = queue("cold-" + s, 1024, 1, false);
            for (int i = 0; i < 5; i++) {
                q.append(record("c" + s + "-" + i, 100), 0);
            }
            shards.add(q);
        }
        List<Aggregate> batch = new Collector(20, 5 * 1024 * 1024, false).collect(shards, 0, 0);
        Map<String, Integer> perShard = new HashMap<>();
        batch.forEach(a -> perShard.merge(a.predictedShardId, 1, Integer::sum));
        assertThat(perShard).containsEntry("cold-0", 5).containsEntry("cold-1", 5).containsEntry("cold-2", 5)
                .containsEntry("hot", 5);
    }

    @Test
    void rateLimitedShardWaitsWhileOthersFlow() {
        ShardQueue limited = queue("limited", 64 * 1024, 1, true);
        ShardQueue free = queue("free", 64 * 1024, 1, false);
        for (int i = 0; i < 200; i++) {
            limited.append(record("l" + i, 100), 0);
            free.append(record("f" + i, 100), 0);
        }
        limited.limiter.onThrottle(0);
        List<Aggregate> batch = new Collector(500, 5 * 1024 * 1024, false).collect(List.of(limited, free), 0, 0);
        assertThat(batch).hasSize(200).allMatch(a -> a.predictedShardId.equals("free"));
        assertThat(limited.ready).hasSize(200);
    }

    @Test
    void strictOrderingTakesOneEntryPerShardAndSkipsShardsInFlight() {
        ShardQueue a = queue("a", 1024, 1, false);
        ShardQueue b = queue("b", 1024, 1, false);
        for (int i = 0; i < 10; i++) {
            a.append(record("a" + i, 10), 0);
            b.append(record("b" + i, 10), 0);
        }
        Collector strict = new Collector(500, 5 * 1024 * 1024, true);
        List<Aggregate> first = strict.collect(List.of(a, b), 0, 0);
        assertThat(first).extracting(x -> x.records.get(0).partitionKey).containsExactlyInAnyOrder("a0", "b0");
        a.inFlight = 1;
        List<Aggregate> second = strict.collect(List.of(a, b), 0, 0);
        assertThat(second).extracting(x -> x.records.get(0).partitionKey).containsExactly("b1");
    }

    @Test
    void expiredRecordsLeaveTheAggregateAndTheRestIsRepacked() {
        ShardQueue q = queue("a", 64 * 1024, 100, false);
        for (int i = 0; i < 6; i++) {
            byte[] data = ("v" + i).getBytes(StandardCharsets.UTF_8);
            q.append(new PendingRecord("s", "k" + i, null, data, HashKeys.hashKey("k" + i), 0, i % 2 == 0 ? 10 : 1000,
                    10), 0);
        }
        q.closeOpen();
        Aggregate agg = q.ready.peek();
        List<PendingRecord> expired = agg.removeExpired(500, 1024 * 1024);
        assertThat(expired).extracting(r -> r.partitionKey).containsExactly("k0", "k2", "k4");
        List<UserRecord> users = Deaggregator.deaggregate(List.of(UserRecord.kinesisRecord("1",
                agg.record.partitionKey(), agg.record.data(), Instant.EPOCH)), null);
        assertThat(users).extracting(UserRecord::dataAsUtf8).containsExactly("v1", "v3", "v5");
    }
}
