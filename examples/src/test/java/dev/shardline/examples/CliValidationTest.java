package dev.shardline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Exit codes: 2 with the usage for bad flags, 1 with one line for failures. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CliValidationTest {
    private static final LocalEndpoints local = LocalEndpoints.shared();

    @Test
    void badFlagsAreUsageErrors() {
        assertThat(Shardline.run(new String[0])).isEqualTo(2);
        assertThat(Shardline.run("no-such-verb")).isEqualTo(2);
        assertThat(local.run("trucks", "--stream", "s", "--duration", "1s", "--count", "3")).isEqualTo(2);
        assertThat(local.run("trucks", "--stream", "s", "--interval", "soon")).isEqualTo(2);
        assertThat(local.run("trucks", "--stream", "s", "--trucks", "0")).isEqualTo(2);
        assertThat(local.run("trucks")).isEqualTo(2);
        assertThat(local.run("replay", "--stream", "s")).isEqualTo(2);
        assertThat(local.run("replay", "--stream", "s", "--from-checkpoint")).isEqualTo(2);
        assertThat(local.run("replay", "--stream", "s", "--trim-horizon", "--at-timestamp", "2026-01-01T00:00:00Z"))
                .isEqualTo(2);
        assertThat(local.run("replay", "--stream", "s", "--at-timestamp", "yesterday")).isEqualTo(2);
        assertThat(local.run("replay", "--stream", "s", "--after-sequence", "shardId-000000000000=12x")).isEqualTo(2);
        assertThat(local.run("replay", "--stream", "s", "--trim-horizon", "--format", "csv")).isEqualTo(2);
        assertThat(local.run("replay", "--stream", "s", "--trim-horizon", "--to-stream", "s")).isEqualTo(2);
        assertThat(local.run("produce", "--stream", "s", "--key", "k", "--random-keys")).isEqualTo(2);
        assertThat(local.run("produce", "--stream", "s", "--key", "")).isEqualTo(2);
        assertThat(local.run("produce", "--stream", "s", "--ordering", "sideways")).isEqualTo(2);
        assertThat(local.run("status")).isEqualTo(2);
        assertThat(local.run("status", "--app", "ab")).isEqualTo(2);
        assertThat(local.run("status", "--app", "app", "--format", "yaml")).isEqualTo(2);
        assertThat(local.run("status", "--app", "app", "--watch", "10ms")).isEqualTo(2);
        assertThat(local.run("console", "--app", "app", "--port", "70000")).isEqualTo(2);
        assertThat(Shardline.run("demo", "--console", "--console-port", "-1")).isEqualTo(2);
    }

    @Test
    void failuresExitOne() {
        assertThat(local.run("trucks", "--stream", "missing", "--count", "1")).isEqualTo(1);
        assertThat(local.run("replay", "--stream", "missing", "--trim-horizon", "--until-now")).isEqualTo(1);
        assertThat(local.run("produce", "--stream", "missing", "--input", "/no/such/file")).isEqualTo(1);
        local.kinesis.createStream("present", 1);
        assertThat(local.run("replay", "--stream", "present", "--app", "no-such-app", "--from-checkpoint",
                "--until-now")).isEqualTo(1);
        assertThat(local.run("replay", "--stream", "present", "--after-sequence", "shardId-000000000009=1",
                "--until-now")).isEqualTo(2);
        LocalEndpoints.Result status = local.runCapturing("status", "--app", "no-such-app");
        assertThat(status.exitCode()).isEqualTo(1);
        // Nothing listens on port 1.
        assertThat(Shardline.run("status", "--app", "some-app", "--dynamodb-endpoint", "http://127.0.0.1:1",
                "--endpoint", "http://127.0.0.1:1")).isEqualTo(1);
        assertThat(Shardline.run("replay", "--stream", "present", "--trim-horizon", "--endpoint",
                "http://127.0.0.1:1")).isEqualTo(1);
    }
}
