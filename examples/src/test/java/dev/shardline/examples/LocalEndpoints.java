package dev.shardline.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalDynamoDb;
import dev.shardline.local.LocalKinesis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Shard;

/** LocalKinesis and DynamoDB Local for the verb tests, with helpers to run verbs and read their output. */
final class LocalEndpoints implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LocalEndpoints shared;

    final LocalKinesis kinesis;
    final LocalDynamoDb dynamoDb;

    LocalEndpoints() {
        kinesis = LocalKinesis.builder().port(0).tlsPort(0).build().start();
        dynamoDb = new LocalDynamoDb().start();
    }

    /** One pair of servers for every test class of the run (each class uses its own stream names). */
    static synchronized LocalEndpoints shared() {
        if (shared == null) {
            shared = new LocalEndpoints();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "local-endpoints-close"));
        }
        return shared;
    }

    URI endpoint() {
        return kinesis.endpoint();
    }

    /** The connection flags for these endpoints. */
    List<String> flags() {
        return List.of("--endpoint", kinesis.endpoint().toString(), "--dynamodb-endpoint",
                dynamoDb.endpoint().toString());
    }

    /** Runs a verb with the connection flags appended. */
    int run(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(flags());
        return Shardline.run(all.toArray(String[]::new));
    }

    /** Runs a verb with the connection flags appended; returns its exit code and what it printed on stdout. */
    Result runCapturing(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(flags());
        return capture(all.toArray(String[]::new));
    }

    /** Runs a command line as given; returns its exit code and what it printed on stdout. */
    static Result capture(String... args) {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine commandLine = Shardline.commandLine();
        commandLine.setOut(new java.io.PrintWriter(out, true));
        int code = commandLine.execute(args);
        return new Result(code, out.toString());
    }

    record Result(int exitCode, String out) {
    }

    KinesisAsyncClient client() {
        return LocalClients.kinesis(kinesis.endpoint());
    }

    /** Splits the stream's first open shard in the middle of its hash range and waits until it is ACTIVE. */
    void splitFirstShard(String stream) throws InterruptedException {
        try (KinesisAsyncClient client = client()) {
            Shard shard = client.listShards(b -> b.streamName(stream)).join().shards().stream()
                    .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null).findFirst().orElseThrow();
            BigInteger start = new BigInteger(shard.hashKeyRange().startingHashKey());
            BigInteger end = new BigInteger(shard.hashKeyRange().endingHashKey());
            client.splitShard(b -> b.streamName(stream).shardToSplit(shard.shardId())
                    .newStartingHashKey(start.add(end).shiftRight(1).add(BigInteger.ONE).toString())).join();
            for (int i = 0; i < 500; i++) {
                if (client.describeStreamSummary(b -> b.streamName(stream)).join().streamDescriptionSummary()
                        .streamStatusAsString().equals("ACTIVE")) {
                    return;
                }
                Thread.sleep(10);
            }
            throw new IllegalStateException("stream did not become ACTIVE after the split");
        }
    }

    static List<JsonNode> readJsonLines(Path file) {
        try {
            List<JsonNode> lines = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                lines.add(JSON.readTree(line));
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        kinesis.close();
        dynamoDb.close();
    }
}
