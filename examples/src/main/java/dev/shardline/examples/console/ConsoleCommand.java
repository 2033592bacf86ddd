package dev.shardline.examples.console;

import dev.shardline.examples.cli.ApplicationOptions;
import dev.shardline.examples.cli.ConnectionOptions;
import dev.shardline.examples.cli.DurationConverter;
import dev.shardline.examples.status.StatusReader;
import java.io.PrintWriter;
import java.net.BindException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** {@code shardline console}: the application's state as a live web page on 127.0.0.1. */
@Command(name = "console", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"A live web page of a consumer application on 127.0.0.1: its workers and the leases each holds,"
                + " per-shard lag and records per second over the last minutes, the shard lineage, heartbeats; dead"
                + " owners and waiting shards highlighted. GET /api/status returns the JSON of status --format json.",
                "Prints 'console: http://127.0.0.1:PORT/' when ready and serves until interrupted."})
public final class ConsoleCommand implements Callable<Integer> {
    /** How often the application is read, and the page refreshes. */
    static final Duration REFRESH = Duration.ofSeconds(1);
    /** How often each shard is read for its lag (each read counts against the shard's 5 reads/s). */
    static final Duration LAG_REFRESH = Duration.ofSeconds(5);
    /** How much history the charts show. */
    static final Duration HISTORY = Duration.ofMinutes(5);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    ApplicationOptions application;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--duration", paramLabel = "D", converter = DurationConverter.class,
            description = "Stop after this long (default: until interrupted).")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        String app = application.app(spec.commandLine());
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--port must be 0 to 65535, was " + port);
        }
        PrintWriter out = spec.commandLine().getOut();
        try (KinesisAsyncClient kinesis = connection.kinesis(); DynamoDbAsyncClient dynamoDb = connection.dynamoDb();
             ConsoleServer console = start(new StatusReader(dynamoDb, kinesis, app, application.streams(),
                     Duration.ofSeconds(5), LAG_REFRESH, Clock.systemUTC()), null, port)) {
            out.println("console: " + console.uri());
            out.flush();
            CountDownLatch stop = new CountDownLatch(1);
            if (duration == null) {
                stop.await();
            } else {
                stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        return 0;
    }

    /** Starts a console at the usual pace, with a clear failure when the port is taken. */
    public static ConsoleServer start(StatusReader reader, ShardTraffic traffic, int port) throws java.io.IOException {
        try {
            return ConsoleServer.start(reader, traffic, port, REFRESH, HISTORY);
        } catch (BindException e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + " (" + e.getMessage()
                    + "): choose another port", e);
        }
    }
}
