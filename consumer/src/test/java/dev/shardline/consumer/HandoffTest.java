package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every move between live workers is a graceful handoff: workers joining one by one, then a rolling restart, all
 * under load, with processors that checkpoint every batch and in shutdownRequested. Nothing is processed by two
 * workers at once, nothing twice, nothing lost, per-key order kept.
 */
@Timeout(150)
class HandoffTest {

    @Test
    void joinsAndARollingRestartUnderLoadHandEveryShardOverWithoutOverlapOrDuplicates() throws Exception {
        try (Cluster cluster = new Cluster()) {
            String stream = Cluster.unique("roll");
            String app = Cluster.unique("app");
            cluster.kinesis.createStream(stream, 6);
            Recorder recorder = new Recorder();
            AtomicBoolean producing = new AtomicBoolean(true);
            AtomicInteger rounds = new AtomicInteger();
            int keys = 24;
            Thread producer = new Thread(() -> {
                for (int n = 0; producing.get(); n++) {
                    cluster.put(stream, keys, n, 1);
                    rounds.incrementAndGet();
                    Cluster.sleep(15);
                }
            });
            List<KinesisConsumer> running = new ArrayList<>();
            try {
                running.add(cluster.start(cluster.config(app, stream, "w1", recorder).build()));
                Cluster.await("w1 holds 6", Duration.ofSeconds(20), () -> running.get(0).heldShards().size() == 6);
                producer.start();
                Cluster.await("records flow", Duration.ofSeconds(10), () -> recorder.count() > 100);
                // Joins: each newcomer gets its share by handoff.
                for (String w : List.of("w2", "w3")) {
                    long t0 = System.nanoTime();
                    running.add(cluster.start(cluster.config(app, stream, w, recorder).build()));
                    int share = 6 / running.size();
                    Cluster.await(w + " has its share", Duration.ofSeconds(20),
                            () -> running.stream().allMatch(c -> c.heldShards().size() == share));
                    System.out.printf("join of %s: every worker at its share after %d ms%n", w,
                            (System.nanoTime() - t0) / 1_000_000);
                }
                // Rolling restart: each worker closes and a new one (same id) starts in its place.
                for (int i = 0; i < running.size(); i++) {
                    KinesisConsumer old = running.get(i);
                    String id = old.workerId();
                    long t0 = System.nanoTime();
                    old.close();
                    long closed = System.nanoTime();
                    running.set(i, cluster.start(cluster.config(app, stream, id, recorder).build()));
                    Cluster.await("back to 2/2/2 after restarting " + id, Duration.ofSeconds(20),
                            () -> running.stream().allMatch(c -> c.heldShards().size() == 2));
                    System.out.printf("rolling restart of %s: close() %d ms, 2/2/2 again %d ms after close%n", id,
                            (closed - t0) / 1_000_000, (System.nanoTime() - closed) / 1_000_000);
                }
            } finally {
                producing.set(false);
                producer.join();
            }
            int sent = rounds.get() * keys;
            Cluster.await("every record", Duration.ofSeconds(30), () -> recorder.distinctData() == sent);
            assertThat(recorder.overlapping()).as("processed by one worker after another started the shard").isEmpty();
            assertThat(recorder.count()).as("no record twice: every move checkpointed and handed over").isEqualTo(sent);
            PollingConsumerTest.assertInOrderPerKey(recorder, keys, rounds.get());
            assertThat(recorder.events("shutdownRequested")).as("handoffs").hasSizeGreaterThanOrEqualTo(10);
            // No move was a take (on a loaded machine a worker may still fence itself when a beat is slow: safe, and
            // not a move between live workers).
            assertThat(recorder.leaseLostReasons).as("moves that were takes").noneMatch(r -> r.startsWith("taken"));
            LeaseTable table = LeaseTable.builder(cluster.dynamoClient).applicationName(app).workerId("reader").build();
            assertThat(table.listLeases().join()).hasSize(6).allSatisfy(l -> assertThat(l.isInHandoff())
                    .as("handoff of %s finished", l.leaseKey()).isFalse()).extracting(Lease::leaseKey).doesNotHaveDuplicates();
        }
    }
}
