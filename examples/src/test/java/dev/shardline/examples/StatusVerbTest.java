package dev.shardline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import dev.shardline.consumer.ConsumerConfig;
import dev.shardline.consumer.InitialPosition;
import dev.shardline.consumer.KinesisConsumer;
import dev.shardline.consumer.RecordProcessor;
import dev.shardline.local.LocalClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * {@code shardline status} against LocalKinesis and DynamoDB Local: a real {@code track} process and an in-process
 * worker share a stream, a shard is split, then the {@code track} process is killed with SIGKILL.
 *
 * <p>The in-process survivor runs with an 8 s failover time while {@code track} announces the default 3 s, so there is
 * a window of several seconds where the killed worker is dead by its own failover time but its leases have not moved
 * yet: status must exit 3 there, and 0 once the survivor has taken over.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class StatusVerbTest {
    private static final LocalEndpoints local = LocalEndpoints.shared();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void showsEveryLeaseItsStateAndOwnerAndExits3AfterAKillUntilTheTakeover() throws Exception {
        String stream = "status-stream";
        String app = "status-app";
        local.kinesis.createStream(stream, 2);
        assertThat(local.run("trucks", "--stream", stream, "--trucks", "10", "--interval", "50ms", "--count", "3"))
                .isZero();

        Process track = startTrack(stream, app);
        try (KinesisAsyncClient kinesis = local.client();
             DynamoDbAsyncClient dynamo = LocalClients.dynamoDb(local.dynamoDb.endpoint())) {
            String victim = workerIdOf(track);
            KinesisConsumer survivor = new KinesisConsumer(ConsumerConfig.builder().applicationName(app)
                    .streamName(stream).workerId("survivor").initialPosition(InitialPosition.trimHorizon())
                    .failoverTime(Duration.ofSeconds(8)).leaseInterval(Duration.ofMillis(500))
                    .heartbeatInterval(Duration.ofSeconds(1)).shardSyncInterval(Duration.ofSeconds(1))
                    .idleTimeBetweenReads(Duration.ofMillis(100)).meterRegistry(new SimpleMeterRegistry())
                    .processorFactory(StatusVerbTest::checkpointingProcessor)
                    .kinesisClient(kinesis).dynamoDbClient(dynamo).build());
            try (survivor) {
                survivor.start();
                // Both workers read: one shard each (the tracker joined first, the survivor takes its share).
                JsonNode both = awaitStatus(app, "each worker holding a lease, all alive", s -> s.exitCode() == 0
                        && ownersOfOpen(s.json()).containsAll(List.of(victim, "survivor"))).json();
                assertThat(both.get("workers")).extracting(w -> w.get("workerId").asText())
                        .containsExactlyInAnyOrder(victim, "survivor");

                local.splitFirstShard(stream);
                JsonNode split = awaitStatus(app, "the split parent finished and its children read", s ->
                        s.exitCode() == 0 && states(s.json()).values().stream().filter("finished"::equals).count() == 1
                                && states(s.json()).values().stream().filter("open"::equals).count() == 3).json();
                LeaseTable table = LeaseTable.builder(dynamo).applicationName(app).workerId("test").build();
                assertMatchesLeaseTable(split, table.listLeases().join(), stream);
                JsonNode parent = lease(split, "shardId-000000000000");
                assertThat(parent.get("state").asText()).isEqualTo("finished");
                assertThat(parent.get("childShardIds")).extracting(JsonNode::asText)
                        .containsExactly("shardId-000000000002", "shardId-000000000003");
                for (String child : List.of("shardId-000000000002", "shardId-000000000003")) {
                    assertThat(lease(split, child).get("parentShardIds")).extracting(JsonNode::asText)
                            .containsExactly("shardId-000000000000");
                    assertThat(lease(split, child).get("millisBehindLatest").isNumber()).isTrue();
                }
                LocalEndpoints.Result text = local.runCapturing("status", "--app", app);
                assertThat(text.out()).contains("stream " + stream).contains("shardId-000000000000")
                        .containsPattern("[├└]─ shardId-000000000002").containsPattern("└─ shardId-000000000003")
                        .contains(victim).contains("survivor");

                // kill -9: nothing is released, the heartbeat goes stale
                List<String> victimLeases = new ArrayList<>();
                leasesOf(split, victim).forEach(victimLeases::add);
                assertThat(victimLeases).isNotEmpty();
                track.destroyForcibly();
                assertThat(track.waitFor(10, TimeUnit.SECONDS)).isTrue();
                JsonNode dead = awaitStatus(app, "exit 3 with " + victim + " dead", s -> s.exitCode() == 3).json();
                for (String shard : victimLeases) {
                    JsonNode l = lease(dead, shard);
                    if (l.get("state").asText().equals("open")) {
                        assertThat(l.get("owner").asText()).isEqualTo(victim);
                        assertThat(l.get("ownerAlive").asBoolean(true)).isFalse();
                    }
                }
                assertThat(dead.get("problems").toString()).contains(victim).contains("dead");

                JsonNode after = awaitStatus(app, "exit 0 after the takeover", s -> s.exitCode() == 0).json();
                assertThat(ownersOfOpen(after)).containsOnly("survivor");
                assertThat(states(after)).containsValues("finished", "open");
            }
        } finally {
            track.destroyForcibly();
        }
    }

    private record Status(int exitCode, JsonNode json) {
        @Override
        public String toString() {
            return "exit " + exitCode + " " + json;
        }
    }

    private static Status status(String app) {
        LocalEndpoints.Result r = local.runCapturing("status", "--app", app, "--format", "json");
        try {
            return new Status(r.exitCode(), r.out().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.out()));
        } catch (java.io.IOException e) {
            throw new AssertionError("status printed no JSON: " + r.out(), e);
        }
    }

    private static Status awaitStatus(String app, String what, java.util.function.Predicate<Status> done) {
        return Await.until(what, Duration.ofSeconds(60), () -> status(app), done);
    }

    private static Map<String, String> states(JsonNode status) {
        Map<String, String> states = new HashMap<>();
        status.path("leases").forEach(l -> states.put(l.get("shardId").asText(), l.get("state").asText()));
        return states;
    }

    private static List<String> ownersOfOpen(JsonNode status) {
        List<String> owners = new ArrayList<>();
        status.path("leases").forEach(l -> {
            if (l.get("state").asText().equals("open") && !l.get("owner").isNull()) {
                owners.add(l.get("owner").asText());
            }
        });
        return owners;
    }

    private static List<String> leasesOf(JsonNode status, String worker) {
        List<String> leases = new ArrayList<>();
        status.get("workers").forEach(w -> {
            if (w.get("workerId").asText().equals(worker)) {
                w.get("leases").forEach(l -> leases.add(l.asText()));
            }
        });
        return leases;
    }

    private static JsonNode lease(JsonNode status, String shardId) {
        for (JsonNode l : status.get("leases")) {
            if (l.get("shardId").asText().equals(shardId)) {
                return l;
            }
        }
        throw new AssertionError("no lease " + shardId + " in " + status);
    }

    /** Every lease of the table is in the status, with its owner and checkpoint as stored. */
    private static void assertMatchesLeaseTable(JsonNode status, List<Lease> leases, String stream) {
        assertThat(status.get("leases")).hasSize(leases.size());
        for (Lease stored : leases) {
            JsonNode shown = lease(status, stored.leaseKey());
            assertThat(shown.get("stream").asText()).isEqualTo(stream);
            assertThat(shown.get("owner").isNull() ? null : shown.get("owner").asText())
                    .as(stored.leaseKey()).isEqualTo(stored.owner().orElse(null));
            assertThat(shown.get("checkpoint").asText()).isNotBlank();
        }
    }

    private static RecordProcessor checkpointingProcessor() {
        return input -> input.checkpointer().checkpoint().join();
    }

    /** {@code shardline track} in its own JVM (so SIGKILL is a real kill), with the test's class path. */
    private static Process startTrack(String stream, String app) throws java.io.IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                Shardline.class.getName(), "track", "--stream", stream, "--app", app, "--checkpoint-interval", "1s"));
        command.addAll(local.flags());
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.environment().put("DDB_LOCAL_TELEMETRY", "0");
        return pb.start();
    }

    /** Reads the child's output (always, so it never blocks on a full pipe) and returns its worker id. */
    private static String workerIdOf(Process track) throws Exception {
        CompletableFuture<String> id = new CompletableFuture<>();
        Pattern started = Pattern.compile("track: worker (\\S+) on stream");
        Thread drain = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(track.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    Matcher m = started.matcher(line);
                    if (m.find()) {
                        id.complete(m.group(1));
                    }
                }
            } catch (java.io.IOException ignored) {
                // the process ended
            }
            id.completeExceptionally(new AssertionError("track ended without starting"));
        }, "track-output");
        drain.setDaemon(true);
        drain.start();
        return id.get(60, TimeUnit.SECONDS);
    }
}
