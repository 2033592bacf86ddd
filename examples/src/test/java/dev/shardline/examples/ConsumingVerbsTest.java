package dev.shardline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.shardline.examples.trucks.TruckPosition;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** track and demo against LocalKinesis and DynamoDB Local, and replay from the tracker's checkpoints. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConsumingVerbsTest {
    private static final LocalEndpoints local = LocalEndpoints.shared();

    @TempDir
    Path dir;

    @Test
    void trackStopThenReplayFromItsCheckpointGetsEverythingAfterAndNothingBefore() {
        local.kinesis.createStream("tracked", 2);
        assertThat(local.run("trucks", "--stream", "tracked", "--trucks", "10", "--interval", "50ms", "--count", "3"))
                .isZero();
        LocalEndpoints.Result track = local.runCapturing("track", "--stream", "tracked", "--app", "tracker-app",
                "--duration", "6s");
        assertThat(track.exitCode()).isZero();
        assertThat(track.out()).contains("records=30 trucks=10 in_order=30 gaps=0 missing=0 out_of_order=0"
                + " duplicates=0");

        // A second run of the fleet after the tracker stopped: replay from its checkpoints gets exactly that run.
        assertThat(local.run("trucks", "--stream", "tracked", "--trucks", "10", "--interval", "50ms", "--count", "2"))
                .isZero();
        Path out = dir.resolve("after-checkpoint.jsonl");
        assertThat(local.run("replay", "--stream", "tracked", "--app", "tracker-app", "--from-checkpoint",
                "--until-now", "--out", out.toString())).isZero();
        List<TruckPosition> replayed = LocalEndpoints.readJsonLines(out).stream()
                .map(l -> TruckPosition.parse(Base64.getDecoder().decode(l.get("data").asText()))).toList();
        assertThat(replayed).hasSize(20);
        assertThat(replayed).extracting(TruckPosition::run).containsOnly(replayed.get(0).run());
        assertThat(replayed).extracting(TruckPosition::seq).containsOnly(1L, 2L);

        // The replay wrote nothing: a second one from the same checkpoints gets the same records.
        Path again = dir.resolve("again.jsonl");
        assertThat(local.run("replay", "--stream", "tracked", "--app", "tracker-app", "--from-checkpoint",
                "--until-now", "--out", again.toString())).isZero();
        assertThat(LocalEndpoints.readJsonLines(again)).extracting(JsonNode::toString)
                .containsExactlyElementsOf(LocalEndpoints.readJsonLines(out).stream().map(JsonNode::toString).toList());
    }

    @Test
    void trackWithEnhancedFanOutOverH2c() {
        local.kinesis.createStream("pushed", 2);
        assertThat(local.run("trucks", "--stream", "pushed", "--trucks", "8", "--interval", "50ms", "--count", "5"))
                .isZero();
        LocalEndpoints.Result track = local.runCapturing("track", "--stream", "pushed", "--app", "pushed-app",
                "--fan-out", "pushed-efo", "--duration", "6s");
        assertThat(track.exitCode()).isZero();
        assertThat(track.out()).contains("records=40 trucks=8 in_order=40 gaps=0 missing=0 out_of_order=0"
                + " duplicates=0");
    }

    @Test
    void trackReadsSeveralStreamsAsOneMultiStreamApplication() {
        local.kinesis.createStream("fleet-east", 2);
        local.kinesis.createStream("fleet-west", 1);
        assertThat(local.run("trucks", "--stream", "fleet-east", "--trucks", "6", "--interval", "50ms", "--count", "3"))
                .isZero();
        assertThat(local.run("trucks", "--stream", "fleet-west", "--trucks", "4", "--interval", "50ms", "--count", "3"))
                .isZero();
        LocalEndpoints.Result track = local.runCapturing("track", "--stream", "fleet-east", "--stream", "fleet-west",
                "--app", "fleet-app", "--duration", "6s");
        assertThat(track.exitCode()).isZero();
        assertThat(track.out()).contains("records=30").contains("missing=0 out_of_order=0 duplicates=0");
    }

    @Test
    void trackValidatesItsFlags() {
        assertThat(local.run("track", "--stream", "s")).isEqualTo(2);
        assertThat(local.run("track", "--stream", "s", "--app", "a!")).isEqualTo(2);
        assertThat(local.run("track", "--stream", "s", "--app", "app", "--initial-position", "middle")).isEqualTo(2);
        assertThat(local.run("track", "--stream", "missing", "--app", "app", "--duration", "1s")).isEqualTo(1);
        assertThat(Shardline.run("demo", "--shards", "0")).isEqualTo(2);
        assertThat(Shardline.run("demo", "--duration", "1s")).isEqualTo(2);
    }

    @Test
    void demoLosesNothingAcrossTheSplit() {
        LocalEndpoints.Result demo = LocalEndpoints.capture("demo", "--duration", "4s", "--trucks", "20",
                "--shards", "2");
        assertThat(demo.out()).containsPattern("summary: sent=(\\d+) acknowledged=\\1 received=\\1 lost=0"
                + " duplicates=\\d+ out_of_order=0 p50_ms=\\d+ p99_ms=\\d+\\n");
        assertThat(demo.exitCode()).isZero();
    }
}
