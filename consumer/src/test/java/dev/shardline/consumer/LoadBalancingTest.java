package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Balance by load end to end: two hot shards among eight cold ones, all on one worker; a second worker joins and the
 * hot shards end on different workers (measured throughput stored on the leases as KCL's throughputKBps).
 */
@Timeout(150)
class LoadBalancingTest {

    @Test
    void twoHotShardsAmongEightColdEndOnDifferentWorkers() throws Exception {
        try (Cluster cluster = new Cluster()) {
            String stream = Cluster.unique("hot");
            String app = Cluster.unique("app");
            cluster.kinesis.createStream(stream, 10);
            List<Shard> shards = cluster.kinesisClient.listShards(b -> b.streamName(stream)).join().shards();
            String hot1 = shards.get(3).shardId();
            String hot2 = shards.get(7).shardId();
            AtomicBoolean running = new AtomicBoolean(true);
            Thread load = new Thread(() -> {
                byte[] kb = new byte[1000];
                for (long tick = 0; running.get(); tick++) {
                    List<PutRecordsRequestEntry> batch = new ArrayList<>();
                    for (Shard s : shards) {
                        boolean hot = s.shardId().equals(hot1) || s.shardId().equals(hot2);
                        int n = hot ? 10 : (tick % 5 == 0 ? 1 : 0); // hot: ~50 KB/s; cold: 1 small record/s
                        for (int i = 0; i < n; i++) {
                            batch.add(PutRecordsRequestEntry.builder().partitionKey("k")
                                    .explicitHashKey(s.hashKeyRange().startingHashKey())
                                    .data(SdkBytes.fromByteArray(hot ? kb : new byte[50])).build());
                        }
                    }
                    try {
                        cluster.putAll(stream, batch);
                    } catch (RuntimeException e) {
                        return;
                    }
                    Cluster.sleep(200);
                }
            }, "load");
            load.setDaemon(true);
            load.start();
            try {
                SimpleMeterRegistry registry = new SimpleMeterRegistry();
                Recorder recorder = new Recorder();
                KinesisConsumer first = cluster.start(tuned(cluster.config(app, stream, "first", recorder))
                        .meterRegistry(registry).build());
                LeaseTable table = LeaseTable.builder(cluster.dynamoClient).applicationName(app).workerId("observer")
                        .build();
                Cluster.await("hot throughput stored on the leases", Duration.ofSeconds(60), () -> {
                    Map<String, Lease> byKey = leases(table);
                    return kbps(byKey.get(hot1)) > 10 && kbps(byKey.get(hot2)) > 10 && first.heldShards().size() == 10;
                });
                Map<String, Lease> before = leases(table);
                assertThat(before.values()).allMatch(l -> l.isOwnedBy("first"));
                assertThat(kbps(before.get(shards.get(0).shardId()))).isLessThan(kbps(before.get(hot1)) / 5);

                // Lag and throughput are watchable: per-shard gauges with stream and shard tags, and the maximum.
                assertThat(registry.find("shardline.consumer.millis.behind.latest").tag("stream", stream)
                        .tag("shard", hot1).gauge()).isNotNull();
                assertThat(registry.find("shardline.consumer.millis.behind.latest.max").gauge()).isNotNull();
                assertThat(registry.find("shardline.consumer.application.millis.behind.latest.max").gauges())
                        .extracting(Gauge::value).allMatch(v -> v >= 0);

                long joined = System.nanoTime();
                KinesisConsumer second = cluster.start(tuned(cluster.config(app, stream, "second", recorder)).build());
                Cluster.await("the hot shards on different workers", Duration.ofSeconds(60), () -> {
                    Map<String, Lease> now = leases(table);
                    return owner(now.get(hot1)).isPresent() && owner(now.get(hot2)).isPresent()
                            && !owner(now.get(hot1)).equals(owner(now.get(hot2)));
                });
                System.out.println("hot shards split " + (System.nanoTime() - joined) / 1_000_000 + " ms after the join");
                // And they stay apart (no flapping) while both workers keep balancing.
                long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
                while (System.nanoTime() < until) {
                    Map<String, Lease> now = leases(table);
                    assertThat(owner(now.get(hot1))).isNotEqualTo(owner(now.get(hot2)));
                    Cluster.sleep(200);
                }
                assertThat(first.heldShards()).isNotEmpty();
                assertThat(second.heldShards()).isNotEmpty();
                Map<String, Long> counts = leases(table).values().stream()
                        .collect(Collectors.groupingBy(l -> l.owner().orElse("-"), Collectors.counting()));
                System.out.println("split by lease count: " + counts);
            } finally {
                running.set(false);
                load.join(5_000);
            }
        }
    }

    private static ConsumerConfig.Builder tuned(ConsumerConfig.Builder b) {
        return b.throughputReportInterval(Duration.ofMillis(500)).loadDamping(Duration.ofSeconds(5))
                .initialPosition(InitialPosition.latest());
    }

    private static Map<String, Lease> leases(LeaseTable table) {
        return table.listLeases().join().stream().collect(Collectors.toMap(Lease::leaseKey, l -> l));
    }

    private static double kbps(Lease l) {
        return l == null ? 0 : l.throughputKBps().orElse(0.0);
    }

    private static Optional<String> owner(Lease l) {
        return l == null ? Optional.empty() : l.owner();
    }
}
