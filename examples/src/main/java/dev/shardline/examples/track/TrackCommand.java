package dev.shardline.examples.track;

import dev.shardline.consumer.ConsumerConfig;
import dev.shardline.consumer.InitialPosition;
import dev.shardline.consumer.KinesisConsumer;
import dev.shardline.consumer.Retrieval;
import dev.shardline.examples.cli.ApplicationName;
import dev.shardline.examples.cli.ConnectionOptions;
import dev.shardline.examples.cli.DurationConverter;
import dev.shardline.examples.cli.Streams;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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

/** {@code shardline track}: the tracker consumer. */
@Command(name = "track", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The tracker: a KinesisConsumer application that keeps the latest position of every truck,"
                + " checks each truck's sequence numbers (gaps, reorderings, duplicates) and checkpoints to the"
                + " lease table (named after --app) every few seconds.",
                "Shows a live table on a terminal (a status line every few seconds otherwise) and a summary at the"
                + " end; runs for --duration or until interrupted."})
public final class TrackCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--stream", required = true, paramLabel = "S", description = "The stream to read; repeat it to"
            + " read several streams as one multi-stream application (lease keys in KCL's multi-stream form).")
    List<String> streams;

    @Option(names = "--app", required = true, paramLabel = "A", description = "Application name = lease table name.")
    String app;

    @Option(names = "--fan-out", paramLabel = "NAME", description = "Read with enhanced fan-out through stream"
            + " consumer NAME (registered when missing) instead of polling.")
    String fanOut;

    @Option(names = "--duration", paramLabel = "D", converter = DurationConverter.class,
            description = "Stop (gracefully, checkpointing) after this long.")
    Duration duration;

    @Option(names = "--initial-position", paramLabel = "trim-horizon|latest", defaultValue = "trim-horizon",
            description = "Where shards never checkpointed start (default: ${DEFAULT-VALUE}).")
    String initialPosition;

    @Option(names = "--checkpoint-interval", paramLabel = "D", defaultValue = "5s", converter = DurationConverter.class,
            description = "Checkpoint each shard at most this often (default: ${DEFAULT-VALUE}).")
    Duration checkpointInterval;

    @Override
    public Integer call() throws Exception {
        InitialPosition initial = switch (initialPosition.toLowerCase(Locale.ROOT)) {
            case "trim-horizon", "trim_horizon" -> InitialPosition.trimHorizon();
            case "latest" -> InitialPosition.latest();
            default -> throw usage("--initial-position must be trim-horizon or latest, was '" + initialPosition + "'");
        };
        if (duration != null && duration.isZero()) {
            throw usage("--duration must be positive");
        }
        ApplicationName.check(spec.commandLine(), app);
        PrintStream err = System.err;
        FleetTracker tracker = new FleetTracker(null);
        try (KinesisAsyncClient kinesis = fanOut != null ? connection.kinesisHttp2() : connection.kinesis();
             DynamoDbAsyncClient dynamoDb = connection.dynamoDb()) {
            for (String s : streams) {
                Streams.requireStream(kinesis, s);
            }
            ConsumerConfig.Builder builder = ConsumerConfig.builder();
            if (streams.size() == 1) {
                builder.streamName(streams.get(0)); // one stream: lease keys are shard ids, as before
            } else {
                builder.streams(streams.toArray(String[]::new));
            }
            boolean several = streams.size() > 1;
            ConsumerConfig config = builder.applicationName(app)
                    .kinesisClient(kinesis).dynamoDbClient(dynamoDb).initialPosition(initial)
                    .retrieval(fanOut != null ? Retrieval.fanOut(fanOut) : Retrieval.polling())
                    .processorFactory(() -> new TrackerProcessor(tracker, checkpointInterval, several)).build();
            CountDownLatch stop = new CountDownLatch(1);
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                stop.countDown();
                try {
                    stopped.await(15, TimeUnit.SECONDS); // let the graceful close checkpoint
                } catch (InterruptedException ignored) {
                    // exiting anyway
                }
            }, "shardline-track-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            boolean terminal = System.console() != null;
            try (KinesisConsumer consumer = new KinesisConsumer(config)) {
                consumer.start();
                err.println("track: worker " + consumer.workerId() + " on stream" + (several ? "s " : " ")
                        + String.join(", ", streams) + ", application " + app
                        + (fanOut != null ? ", fan-out consumer " + fanOut : ", polling"));
                long end = duration == null ? Long.MAX_VALUE : System.nanoTime() + duration.toNanos();
                long every = terminal ? 1000 : 5000;
                while (!stop.await(Math.max(1, Math.min(every, (end - System.nanoTime()) / 1_000_000)),
                        TimeUnit.MILLISECONDS) && System.nanoTime() < end) {
                    if (terminal) {
                        err.print("\033[H\033[2J" + FleetTable.render(tracker, 20, System.currentTimeMillis()));
                    } else {
                        err.println("track: " + tracker.summary() + " lag_ms=" + Math.max(0, tracker.maxLag()));
                    }
                    err.flush();
                }
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // Ctrl-C: the hook is waiting for us
                }
                spec.commandLine().getOut().println("track: " + tracker.summary());
                spec.commandLine().getOut().flush();
                stopped.countDown();
            }
        }
        return 0;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
