package dev.shardline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.local.LocalClients;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalCommandTest {
    /** A running {@code shardline local}: what it printed, its exit code to come, its plain endpoint. */
    private record Running(StringWriter out, CompletableFuture<Integer> exit, URI endpoint) {
    }

    /** Runs {@code shardline local} on free ports with {@code args} and waits until it is ready. */
    private static Running local(String... args) throws InterruptedException {
        StringWriter out = new StringWriter();
        CommandLine cli = Shardline.commandLine();
        cli.setOut(new PrintWriter(out, true));
        List<String> all = new ArrayList<>(List.of("local", "--port", "0", "--tls-port", "0", "--dynamodb-port",
                "0"));
        all.addAll(List.of(args));
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(
                () -> cli.execute(all.toArray(String[]::new)));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!out.toString().contains("ready") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Matcher m = Pattern.compile("kinesis: +(http://127\\.0\\.0\\.1:\\d+)").matcher(out.toString());
        assertThat(m.find()).as(out.toString()).isTrue();
        return new Running(out, exit, URI.create(m.group(1)));
    }

    @Test
    void servesStreamsAndPrintsEndpoints() throws Exception {
        Running local = local("--create-stream", "orders:3", "--no-limits", "--duration", "3s");
        StringWriter out = local.out();
        CompletableFuture<Integer> exit = local.exit();
        assertThat(out.toString()).contains("dynamodb:    http://127.0.0.1:").contains("limits:      off");
        try (KinesisAsyncClient client = LocalClients.kinesis(local.endpoint())) {
            assertThat(client.listShards(b -> b.streamName("orders")).get().shards()).hasSize(3);
        }
        assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
        assertThat(out.toString()).contains("stopped");
    }

    @Test
    void requireSignatureRefusesUnsignedRequestsAndServesTheSdk() throws Exception {
        // Long enough for a loaded machine to make its first SDK client and three calls before the server stops.
        Running local = local("--create-stream", "signed:1", "--require-signature", "--shard-limit", "5",
                "--duration", "15s");
        assertThat(local.out().toString()).contains("signatures:  required");
        URI endpoint = local.endpoint();
        java.net.http.HttpResponse<String> unsigned = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(endpoint).timeout(java.time.Duration.ofSeconds(20))
                        .header("X-Amz-Target", "Kinesis_20131202.ListStreams")
                        .header("Content-Type", "application/x-amz-json-1.1")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(unsigned.headers().firstValue("x-amzn-ErrorType")).hasValue("MissingAuthenticationTokenException");
        try (KinesisAsyncClient client = LocalClients.kinesis(endpoint)) {
            assertThat(client.listStreams().get().streamNames()).containsExactly("signed");
            assertThat(client.describeLimits(b -> { }).get().shardLimit()).isEqualTo(5);
        }
        assertThat(local.exit().get(45, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void rejectsABadStreamSpecWithUsageExitCode() {
        StringWriter err = new StringWriter();
        CommandLine cli = Shardline.commandLine();
        cli.setErr(new PrintWriter(err, true));
        assertThat(cli.execute("local", "--create-stream", "orders")).isEqualTo(2);
        assertThat(err.toString()).contains("NAME:SHARDS");
        assertThat(cli.execute("local", "--fault", "explode")).isEqualTo(2);
    }
}
