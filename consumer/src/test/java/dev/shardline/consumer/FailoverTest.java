package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A worker in a child JVM killed without closing: the other worker takes its leases and resumes from its checkpoints. */
@Timeout(120)
class FailoverTest {

    @Test
    void killedWorkerLosesItsLeasesWithinFailoverPlusAnIntervalAndOthersResumeFromItsCheckpoints() throws Exception {
        try (Cluster cluster = new Cluster()) {
            String stream = Cluster.unique("failover");
            String app = Cluster.unique("app");
            cluster.kinesis.createStream(stream, 4);
            cluster.put(stream, 40, 0, 3);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    WorkerMain.class.getName(), cluster.kinesis.endpoint().toString(),
                    cluster.dynamo.endpoint().toString(), app, stream, "victim")
                    .redirectErrorStream(true);
            pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
            Process victim = pb.start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(victim.getInputStream(),
                        StandardCharsets.UTF_8));
                Thread drain = new Thread(() -> out.lines().forEach(l -> {
                    if (l.contains("ready")) {
                        synchronized (victim) {
                            victim.notifyAll();
                        }
                    }
                }));
                drain.setDaemon(true);
                drain.start();
                LeaseTable table = LeaseTable.builder(cluster.dynamoClient).applicationName(app).workerId("observer")
                        .build();
                Cluster.await("victim holds 4 leases", Duration.ofSeconds(60), () -> owners(table, "victim") == 4);
                Recorder recorder = new Recorder();
                KinesisConsumer survivor = cluster.start(cluster.config(app, stream, "survivor", recorder).build());
                Cluster.await("2/2", Duration.ofSeconds(20), () -> survivor.heldShards().size() == 2
                        && owners(table, "victim") == 2);
                // Everything the victim still holds is processed and checkpointed (it checkpoints every batch).
                Set<String> victimShards = table.listLeases().join().stream().filter(l -> l.isOwnedBy("victim"))
                        .map(Lease::leaseKey).collect(Collectors.toSet());
                Cluster.await("victim checkpoints", Duration.ofSeconds(20), () -> table.listLeases().join().stream()
                        .filter(l -> victimShards.contains(l.leaseKey())).noneMatch(l -> l.checkpoint().isSentinel()));
                Cluster.sleep(300);
                Map<String, String> checkpointsAtKill = table.listLeases().join().stream()
                        .filter(l -> victimShards.contains(l.leaseKey()))
                        .collect(Collectors.toMap(Lease::leaseKey, l -> l.checkpoint().sequenceNumber()));

                long killed = System.nanoTime();
                victim.destroyForcibly();
                assertThat(victim.waitFor(10, TimeUnit.SECONDS)).isTrue();
                Cluster.await("survivor holds 4", Duration.ofSeconds(10), () -> survivor.heldShards().size() == 4);
                Duration takeover = Duration.ofNanos(System.nanoTime() - killed);
                ConsumerConfig c = cluster.config(app, stream, "x", recorder).build();
                // failoverTime + one interval, plus the round in flight and the await's polling.
                assertThat(takeover).isLessThan(c.failoverTime().plus(c.leaseInterval()).plus(Duration.ofMillis(700)));

                // The survivor resumes after the victim's checkpoints: the victim's old records do not come again.
                Cluster.await("initialized", Duration.ofSeconds(10), () -> recorder.events("initialize").size() == 4);
                List<Recorder.Seen> replayed = recorder.seen.stream()
                        .filter(s -> victimShards.contains(s.shardId())).toList();
                assertThat(replayed).isEmpty();
                cluster.put(stream, 40, 3, 2);
                Cluster.await("new records", Duration.ofSeconds(20), () -> recorder.byKey.values().stream()
                        .mapToInt(v -> (int) v.stream().filter(d -> d.endsWith(":3") || d.endsWith(":4")).count())
                        .sum() == 80);
                assertThat(recorder.seen.stream().filter(s -> victimShards.contains(s.shardId())))
                        .allSatisfy(s -> assertThat(new java.math.BigInteger(s.sequenceNumber()))
                                .isGreaterThan(new java.math.BigInteger(checkpointsAtKill.get(s.shardId()))));
                System.out.println("failover takeover after kill: " + takeover.toMillis() + " ms");
            } finally {
                victim.destroyForcibly();
            }
        }
    }

    private static long owners(LeaseTable table, String owner) {
        try {
            return table.listLeases().join().stream().filter(l -> l.isOwnedBy(owner)).count();
        } catch (RuntimeException tableNotYetCreated) {
            return 0;
        }
    }
}
