package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.local.LocalClients;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * A worker cut off from DynamoDB (every call of its DynamoDB client fails, as with connections refused) while it
 * still reaches Kinesis: it fences itself before the other worker takes its shards, processes no record of a shard
 * after the other started it, and takes its share back by handoff once DynamoDB answers again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class PartitionTest {
    private Cluster cluster;

    @BeforeAll
    void up() {
        cluster = new Cluster();
    }

    @AfterAll
    void down() {
        cluster.close();
    }

    /** Fails every call while {@code cut} is set, before anything is sent. */
    static final class Cut implements ExecutionInterceptor {
        final AtomicBoolean cut = new AtomicBoolean();
        final AtomicInteger refused = new AtomicInteger();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (cut.get()) {
                refused.incrementAndGet();
                throw SdkClientException.create("injected partition: connection refused");
            }
        }
    }

    @ParameterizedTest(name = "processor swallows checkpoint errors: {0}")
    @ValueSource(booleans = {false, true})
    void aWorkerCutOffFromDynamoDbFencesBeforeTheTakeoverAndRejoinsAfterTheHeal(boolean swallow) throws Exception {
        String stream = Cluster.unique("cut");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 4);
        Recorder recorder = new Recorder();
        recorder.swallowCheckpointErrors = swallow;
        Cut cut = new Cut();
        DynamoDbAsyncClient cutClient = DynamoDbAsyncClient.builder()
                .endpointOverride(cluster.dynamo.endpoint()).region(LocalClients.REGION)
                .credentialsProvider(LocalClients.credentials())
                .httpClient(NettyNioAsyncHttpClient.builder().build())
                .overrideConfiguration(o -> o.addExecutionInterceptor(cut))
                .build();
        AtomicBoolean producing = new AtomicBoolean(true);
        AtomicInteger sent = new AtomicInteger();
        Thread producer = new Thread(() -> {
            for (int n = 0; producing.get(); n++) {
                cluster.put(stream, 16, n, 1);
                sent.addAndGet(16);
                Cluster.sleep(20);
            }
        });
        KinesisConsumer victim = null;
        try {
            victim = cluster.start(cluster.config(app, stream, "victim", recorder)
                    .dynamoDbClient(cutClient).build());
            KinesisConsumer other = cluster.start(cluster.config(app, stream, "other", recorder).build());
            producer.start();
            KinesisConsumer v = victim;
            Cluster.await("2/2", Duration.ofSeconds(20), () -> v.heldShards().size() == 2
                    && other.heldShards().size() == 2);
            Set<String> victims = v.heldShards();
            Cluster.await("both deliver", Duration.ofSeconds(10), () -> recorder.seen.stream()
                    .map(Recorder.Seen::worker).distinct().count() == 2);

            long cutAt = System.nanoTime();
            cut.cut.set(true);
            Cluster.await("other holds all 4", Duration.ofSeconds(15), () -> other.heldShards().size() == 4);
            Cluster.await("other initialized the victim's shards", Duration.ofSeconds(10), () -> victims.stream()
                    .allMatch(s -> initializedAfter(recorder, "other", s, cutAt) > 0));
            for (String shard : victims) {
                long otherStarted = initializedAfter(recorder, "other", shard, cutAt);
                long lastByVictim = recorder.seen.stream()
                        .filter(r -> r.worker().equals("victim") && r.shardId().equals(shard))
                        .mapToLong(Recorder.Seen::atNanos).max().orElse(0);
                assertThat(lastByVictim).as("victim's last record of %s before other started it", shard)
                        .isLessThan(otherStarted);
                long fenced = recorder.events("leaseLost").stream()
                        .filter(e -> e.worker().equals("victim") && e.shardId().equals(shard) && e.atNanos() > cutAt)
                        .mapToLong(Recorder.Event::atNanos).min().orElseThrow();
                assertThat(fenced).as("victim fenced %s before the takeover", shard).isLessThan(otherStarted);
                System.out.printf("partition (swallow=%s): %s fenced %d ms after the cut, taken over %d ms after it%n",
                        swallow, shard, (fenced - cutAt) / 1_000_000, (otherStarted - cutAt) / 1_000_000);
            }
            assertThat(victim.heldShards()).isEmpty();
            assertThat(cut.refused.get()).isPositive();

            long healAt = System.nanoTime();
            cut.cut.set(false);
            Cluster.await("victim rejoined with its share", Duration.ofSeconds(20),
                    () -> v.heldShards().size() == 2 && other.heldShards().size() == 2);
            Cluster.await("victim delivers again", Duration.ofSeconds(10), () -> recorder.seen.stream()
                    .anyMatch(r -> r.worker().equals("victim") && r.atNanos() > healAt));
            producing.set(false);
            producer.join();
            Cluster.await("every record", Duration.ofSeconds(30), () -> recorder.distinctData() == sent.get());
            List<Recorder.Seen> overlaps = recorder.overlapping();
            assertThat(overlaps).as("records processed by one worker after another started the shard").isEmpty();
            PollingConsumerTest.assertInOrderPerKey(recorder, 16, sent.get() / 16);
            System.out.printf("partition (swallow=%s): %d records, %d deliveries, shards by worker %s%n", swallow,
                    sent.get(), recorder.count(), recorder.seen.stream().collect(Collectors.groupingBy(
                            Recorder.Seen::worker, Collectors.mapping(Recorder.Seen::shardId, Collectors.toSet()))));
        } finally {
            producing.set(false);
            producer.join();
            cut.cut.set(false);
            if (victim != null) {
                victim.close();
            }
            cutClient.close();
        }
    }

    private static long initializedAfter(Recorder recorder, String worker, String shard, long after) {
        return recorder.events("initialize").stream()
                .filter(e -> e.worker().equals(worker) && e.shardId().equals(shard) && e.atNanos() > after)
                .mapToLong(Recorder.Event::atNanos).min().orElse(0);
    }
}
