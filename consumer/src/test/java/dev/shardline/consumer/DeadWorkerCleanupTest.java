package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.checkpoint.ExtendedSequenceNumber;
import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import dev.shardline.checkpoint.WorkerHeartbeats;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A killed worker's heartbeat item is deleted by a live worker once it has been dead for
 * {@link Liveness#KEEP_DEAD_FOR_FAILOVERS} failover times and no lease names it; never before its lease moved.
 * DynamoDB Local and LocalKinesis, test timings (failover 1 s).
 */
@Timeout(120)
class DeadWorkerCleanupTest {

    @Test
    void aDeadWorkersHeartbeatItemIsDeletedOnceItsLeaseMovedAndItStayedDeadLongEnough() throws Exception {
        try (Cluster cluster = new Cluster()) {
            String stream = Cluster.unique("sweep");
            String app = Cluster.unique("app");
            cluster.kinesis.createStream(stream, 2);
            // "ghost" beat once, took shard 0's lease and was killed: its item and its lease stay behind.
            LeaseTable ghostTable = LeaseTable.builder(cluster.dynamoClient).applicationName(app).workerId("ghost")
                    .build();
            ghostTable.createIfMissing().join();
            WorkerHeartbeats ghost = new WorkerHeartbeats(ghostTable);
            ghost.createIfMissing().join();
            long ghostBeat = ghost.beat().join();
            String shard0 = "shardId-000000000000";
            assertThat(ghostTable.createLeaseIfAbsent(Lease.builder(shard0).owner("ghost")
                    .checkpoint(ExtendedSequenceNumber.TRIM_HORIZON).build()).join()).isTrue();

            Recorder recorder = new Recorder();
            ConsumerConfig config = cluster.config(app, stream, "w1", recorder).build();
            long started = System.nanoTime();
            KinesisConsumer w1 = cluster.start(config);
            WorkerHeartbeats reader = new WorkerHeartbeats(LeaseTable.builder(cluster.dynamoClient)
                    .applicationName(app).workerId("reader").build());

            Cluster.await("w1 takes the dead worker's lease", Duration.ofSeconds(30),
                    () -> w1.heldShards().contains(shard0));
            Duration keep = config.failoverTime().multipliedBy(Liveness.KEEP_DEAD_FOR_FAILOVERS);
            long sawGone = -1;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (System.nanoTime() < deadline) {
                Optional<WorkerHeartbeats.Beat> beat = reader.read("ghost").join();
                if (beat.isEmpty()) {
                    sawGone = System.nanoTime();
                    break;
                }
                // still there: it may only stay while unchanged (nobody wrote to it but the ghost's one beat)
                assertThat(beat.get().heartbeat()).isEqualTo(ghostBeat);
                Cluster.sleep(100);
            }
            assertThat(sawGone).as("the ghost's heartbeat item was deleted within 90 s").isPositive();
            assertThat(Duration.ofNanos(sawGone - started)).as("deleted no sooner than the keep time after w1 started")
                    .isGreaterThanOrEqualTo(keep);
            assertThat(ghostTable.getLease(shard0).join().orElseThrow().owner()).contains("w1");
            assertThat(reader.read("w1").join()).as("the live worker's item stays").isPresent();
        }
    }
}
