package dev.shardline.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shardline.consumer.ConsumerConfig;
import dev.shardline.consumer.InitialPosition;
import dev.shardline.consumer.KinesisConsumer;
import dev.shardline.examples.console.ConsoleServer;
import dev.shardline.examples.status.ApplicationStatus;
import dev.shardline.examples.status.LeaseStatus;
import dev.shardline.examples.status.ShardState;
import dev.shardline.examples.status.StatusReader;
import dev.shardline.local.LocalClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * The console in a real headless browser (Debian's chromium): two workers and a split on LocalKinesis + DynamoDB
 * Local; the rendered page must name every open shard and every worker and draw the split's lineage. Also the
 * {@code console} verb's contract: its ready line and {@code GET /api/status}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ConsoleBrowserTest {
    private static final LocalEndpoints local = LocalEndpoints.shared();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void theRenderedPageNamesEveryOpenShardAndWorkerAndDrawsTheSplit() throws Exception {
        Optional<HeadlessChromium> browser = HeadlessChromium.find(dir);
        Assumptions.assumeTrue(browser.isPresent(), "no headless browser here: install Debian's chromium"
                + " (apt-get install -y chromium; the build does when it runs as root) or set CHROMIUM to one");
        String stream = "console-stream";
        String app = "console-app";
        local.kinesis.createStream(stream, 2);
        assertThat(local.run("trucks", "--stream", stream, "--trucks", "10", "--interval", "50ms", "--count", "2"))
                .isZero();
        try (KinesisAsyncClient kinesis = local.client();
             DynamoDbAsyncClient dynamo = LocalClients.dynamoDb(local.dynamoDb.endpoint());
             KinesisConsumer a = worker(app, stream, "worker-a", kinesis, dynamo);
             KinesisConsumer b = worker(app, stream, "worker-b", kinesis, dynamo)) {
            a.start();
            b.start();
            StatusReader reader = new StatusReader(dynamo, kinesis, app, List.of(), Duration.ofSeconds(5),
                    Duration.ofSeconds(1), Clock.systemUTC());
            Await.until("both workers reading", Duration.ofSeconds(60), reader::read, s -> s.exitCode() == 0
                    && owners(s).containsAll(List.of("worker-a", "worker-b")));
            local.splitFirstShard(stream);
            ApplicationStatus split = Await.until("the split's children read", Duration.ofSeconds(60), reader::read,
                    s -> s.exitCode() == 0 && s.leases().size() == 4
                            && s.leases().stream().filter(l -> l.state() == ShardState.OPEN).count() == 3
                            && owners(s).containsAll(List.of("worker-a", "worker-b")));

            try (ConsoleServer console = ConsoleServer.start(reader, null, 0, Duration.ofMillis(500),
                    Duration.ofMinutes(1))) {
                Await.until("the console's first sample", Duration.ofSeconds(30),
                        () -> get(console.uri().resolve("api/status")).statusCode(), code -> code == 200);
                long started = System.nanoTime();
                String dom = browser.get().dumpDom(console.uri(), 4000);
                long domMillis = (System.nanoTime() - started) / 1_000_000;
                assertThat(dom).as("the page rendered from /api/status").contains("data-rendered=");
                for (LeaseStatus lease : split.leases()) {
                    if (lease.state() == ShardState.OPEN) {
                        assertThat(dom).as("open shard " + lease.shardId()).contains(">" + lease.shardId() + "<");
                    }
                }
                assertThat(dom).contains(">worker-a<").contains(">worker-b<").contains(">console-app<");
                for (String child : List.of("shardId-000000000002", "shardId-000000000003")) {
                    assertThat(dom).as("an edge from the split parent to " + child)
                            .contains("data-parent=\"shardId-000000000000\" data-child=\"" + child + "\"");
                }
                assertThat(dom).containsPattern("class=\"node finished\"[^>]*data-shard=\"shardId-000000000000\"");
                assertThat(dom).contains("every shard has a live owner");

                Path png = Path.of("target", "console-screenshot.png");
                browser.get().screenshot(console.uri(), 4000, png, 1400, 1400);
                assertThat(Files.size(png)).isGreaterThan(10_000);
                System.out.println("console: DOM in " + domMillis + " ms with " + browser.get() + "; screenshot "
                        + png.toAbsolutePath());
            }
        }
    }

    @Test
    void theConsoleVerbPrintsItsAddressAndServesTheStatusJson() throws Exception {
        String stream = "console-verb-stream";
        String app = "console-verb-app";
        local.kinesis.createStream(stream, 1);
        try (KinesisAsyncClient kinesis = local.client();
             DynamoDbAsyncClient dynamo = LocalClients.dynamoDb(local.dynamoDb.endpoint());
             KinesisConsumer a = worker(app, stream, "worker-a", kinesis, dynamo)) {
            a.start();
            StringWriter out = new StringWriter();
            picocli.CommandLine cli = Shardline.commandLine();
            cli.setOut(new java.io.PrintWriter(out, true));
            List<String> args = new java.util.ArrayList<>(List.of("console", "--app", app, "--port", "0",
                    "--duration", "12s"));
            args.addAll(local.flags());
            CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> cli.execute(args.toArray(String[]::new)));
            String ready = Await.until("the ready line", Duration.ofSeconds(20), out::toString,
                    s -> s.contains("console: "));
            Matcher m = Pattern.compile("console: (http://127\\.0\\.0\\.1:\\d+/)").matcher(ready);
            assertThat(m.find()).as(ready).isTrue();
            URI uri = URI.create(m.group(1));
            JsonNode status = Await.until("a status with the worker's lease", Duration.ofSeconds(30), () -> {
                HttpResponse<String> r = get(uri.resolve("api/status"));
                try {
                    return r.statusCode() == 200 ? JSON.readTree(r.body()) : JSON.createObjectNode();
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }, s -> s.path("leases").size() == 1 && "worker-a".equals(s.path("leases").get(0).path("owner").asText()));
            assertThat(status.get("application").asText()).isEqualTo(app);
            assertThat(status.get("streams")).extracting(JsonNode::asText).containsExactly(stream);
            assertThat(status.get("workers").get(0).get("workerId").asText()).isEqualTo("worker-a");
            assertThat(get(uri.resolve("api/history")).body()).contains("\"shards\"").contains("shardId-000000000000");
            assertThat(get(uri).body()).contains("<script src=\"chart.umd.js\">");
            assertThat(get(uri.resolve("chart.umd.js")).body()).contains("Chart.js v4.4.1");
            assertThat(get(uri.resolve("nothing-here")).statusCode()).isEqualTo(404);
            assertThat(HTTP.send(HttpRequest.newBuilder(uri.resolve("api/status"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(405);
            assertThat(run.get(40, TimeUnit.SECONDS)).isZero();
        }
    }

    private static HttpResponse<String> get(URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static List<String> owners(ApplicationStatus status) {
        return status.leases().stream().filter(l -> l.state() == ShardState.OPEN && l.owner() != null)
                .map(LeaseStatus::owner).distinct().toList();
    }

    private static KinesisConsumer worker(String app, String stream, String id, KinesisAsyncClient kinesis,
            DynamoDbAsyncClient dynamo) {
        return new KinesisConsumer(ConsumerConfig.builder().applicationName(app).streamName(stream).workerId(id)
                .initialPosition(InitialPosition.trimHorizon()).failoverTime(Duration.ofSeconds(3))
                .leaseInterval(Duration.ofMillis(300)).shardSyncInterval(Duration.ofSeconds(1))
                .idleTimeBetweenReads(Duration.ofMillis(100)).meterRegistry(new SimpleMeterRegistry())
                .processorFactory(() -> input -> input.checkpointer().checkpoint().join())
                .kinesisClient(kinesis).dynamoDbClient(dynamo).build());
    }
}
