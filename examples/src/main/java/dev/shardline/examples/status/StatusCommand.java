package dev.shardline.examples.status;

import dev.shardline.examples.cli.ApplicationOptions;
import dev.shardline.examples.cli.CliErrors;
import dev.shardline.examples.cli.ConnectionOptions;
import dev.shardline.examples.cli.DurationConverter;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** {@code shardline status}: the state of a consumer application, read-only. */
@Command(name = "status", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The state of a consumer application, read-only: every lease (stream, shard, state open,"
                + " closed, finished or waiting on parents, owner and whether it is alive, checkpoint, how far behind"
                + " the tip it is, parents and children) and every worker (leases held, heartbeat age).",
                "Exit 0 when every shard that should be read (open, or closed and not finished) has a live owner,"
                + " 3 when one has none, 1 when the application cannot be read."})
public final class StatusCommand implements Callable<Integer> {
    /** Bound on each DynamoDB and Kinesis call. */
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(5);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    ApplicationOptions application;

    @Option(names = "--format", paramLabel = "table|json", defaultValue = "table",
            description = "A readable table (default) or one JSON object per refresh.")
    String format;

    @Option(names = "--watch", paramLabel = "D", converter = DurationConverter.class,
            description = "Refresh every D (in place on a terminal) until interrupted.")
    Duration watch;

    @Override
    public Integer call() throws Exception {
        String app = application.app(spec.commandLine());
        boolean json = switch (format) {
            case "table" -> false;
            case "json" -> true;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--format must be table or json, was '" + format + "'");
        };
        if (watch != null && watch.compareTo(Duration.ofMillis(500)) < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--watch must be at least 500ms, was "
                    + watch.toMillis() + "ms");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (KinesisAsyncClient kinesis = connection.kinesis(); DynamoDbAsyncClient dynamoDb = connection.dynamoDb()) {
            StatusReader reader = new StatusReader(dynamoDb, kinesis, app, application.streams(), CALL_TIMEOUT,
                    Duration.ZERO, Clock.systemUTC());
            if (watch == null) {
                ApplicationStatus status = reader.read();
                out.print(json ? StatusJson.write(status) + "\n" : StatusTable.render(status, false));
                out.flush();
                return status.exitCode();
            }
            return watch(reader, json, out);
        }
    }

    /** Refreshes until interrupted; a failed read is shown and retried on the next refresh. */
    private int watch(StatusReader reader, boolean json, PrintWriter out) throws InterruptedException {
        boolean terminal = System.console() != null && !json;
        int code = CliErrors.FAILURE;
        while (true) {
            long started = System.nanoTime();
            String text;
            try {
                ApplicationStatus status = reader.read();
                code = status.exitCode();
                text = json ? StatusJson.write(status) + "\n" : StatusTable.render(status, terminal);
            } catch (RuntimeException e) {
                code = CliErrors.FAILURE;
                text = "error: " + CliErrors.oneLine(e) + "\n";
            }
            if (terminal) {
                out.print("\u001b[H\u001b[2J" + text + "\n(every " + watch.toMillis() + " ms; Ctrl-C to stop)\n");
            } else {
                out.print(json ? text : text + "\n");
            }
            out.flush();
            if (out.checkError()) {
                return code; // the reader of our output went away
            }
            long wait = watch.toMillis() - (System.nanoTime() - started) / 1_000_000;
            if (wait > 0) {
                Thread.sleep(wait);
            }
        }
    }
}
