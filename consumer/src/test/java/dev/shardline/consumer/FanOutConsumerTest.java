package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.local.FanOutConfig;
import dev.shardline.local.LocalKinesis;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.kinesis.model.Shard;

/** The fan-out worker end to end: SubscribeToShard over HTTP/2 (TLS) against LocalKinesis, real SDK. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(90)
class FanOutConsumerTest {
    private Cluster cluster;

    @BeforeAll
    void up() {
        // Subscriptions of seconds instead of 5 minutes, so resubscription happens many times per test.
        cluster = new Cluster(LocalKinesis.builder().port(0).tlsPort(0).limitsEnabled(true)
                .fanOut(FanOutConfig.builder().subscriptionLifetime(Duration.ofSeconds(2))
                        .keepAliveInterval(Duration.ofMillis(500)).takeoverWindow(Duration.ofSeconds(1)).build()));
    }

    @AfterAll
    void down() {
        cluster.close();
    }

    private ConsumerConfig.Builder fanOut(String app, String stream, String worker, Recorder recorder) {
        return cluster.config(app, stream, worker, recorder).kinesisClient(cluster.kinesisH2)
                .retrieval(Retrieval.fanOut(app + "-efo"));
    }

    @Test
    void survivesSubscriptionEndsAndDroppedConnectionsWithoutLoss() {
        String stream = Cluster.unique("efo");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 4);
        Recorder recorder = new Recorder();
        cluster.start(fanOut(app, stream, "w1", recorder).build());
        int keys = 12;
        // Written over ~7 s: several 2-second subscription lifetimes pass, plus forced ends and drops.
        for (int round = 0; round < 14; round++) {
            cluster.put(stream, keys, round * 5, 5);
            if (round == 4) {
                assertThat(cluster.kinesis.fanOut().faults().endActive()).isPositive();
            }
            if (round == 8) {
                assertThat(cluster.kinesis.fanOut().faults().dropActive()).isPositive();
            }
            Cluster.sleep(500);
        }
        Cluster.await("every record", Duration.ofSeconds(30), () -> recorder.distinctData() == keys * 70L);
        PollingConsumerTest.assertInOrderPerKey(recorder, keys, 70);
        // Resubscription continues after the last continuation: nothing is read twice.
        assertThat(recorder.count()).isEqualTo(keys * 70L);
    }

    @Test
    void closedShardHandsOverToChildrenInOrder() {
        String stream = Cluster.unique("efo-split");
        String app = Cluster.unique("app");
        cluster.kinesis.createStream(stream, 1);
        Recorder recorder = new Recorder();
        cluster.start(fanOut(app, stream, "w1", recorder).build());
        int keys = 10;
        cluster.put(stream, keys, 0, 10);
        Shard s0 = cluster.kinesisClient.listShards(r -> r.streamName(stream)).join().shards().get(0);
        BigInteger mid = new BigInteger(s0.hashKeyRange().endingHashKey()).shiftRight(1);
        cluster.kinesisClient.splitShard(r -> r.streamName(stream).shardToSplit(s0.shardId())
                .newStartingHashKey(mid.toString())).join();
        Cluster.await("stream ACTIVE", Duration.ofSeconds(10), () -> cluster.kinesisClient
                .describeStreamSummary(r -> r.streamName(stream)).join().streamDescriptionSummary()
                .streamStatusAsString().equals("ACTIVE"));
        cluster.put(stream, keys, 10, 10);
        Cluster.await("every record", Duration.ofSeconds(30), () -> recorder.distinctData() == keys * 20L);
        PollingConsumerTest.assertInOrderPerKey(recorder, keys, 20);
        assertThat(recorder.events("shardEnded")).extracting(Recorder.Event::shardId).containsExactly(s0.shardId());
        List<String> children = recorder.seen.stream().map(Recorder.Seen::shardId).distinct()
                .filter(id -> !id.equals(s0.shardId())).toList();
        assertThat(children).hasSize(2);
    }

    @Test
    void closeHandsLeasesOverWithinASecond() {
        PollingConsumerTest.assertCloseHandsLeasesOver(cluster, "efo-handoff", this::fanOut);
    }
}
