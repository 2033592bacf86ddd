package dev.shardline.examples.trucks;

import dev.shardline.examples.cli.ConnectionOptions;
import dev.shardline.examples.cli.DurationConverter;
import dev.shardline.examples.cli.ProgressLine;
import dev.shardline.examples.cli.Streams;
import dev.shardline.producer.KinesisProducer;
import dev.shardline.producer.ProducerConfig;
import java.io.PrintStream;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** {@code shardline trucks}: the GPS truck fleet producer. */
@Command(name = "trucks", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"The GPS truck fleet: each truck sends one JSON position (truckId, run, seq, timestampMillis,"
                + " lat, lon, speedKmh, headingDeg, odometerKm) per interval, partition key = truck id.",
                "Runs until --duration or --count, or until interrupted; progress on stderr, a summary at the end."})
public final class TrucksCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--stream", required = true, paramLabel = "S", description = "The stream to send to.")
    String stream;

    @Option(names = "--trucks", paramLabel = "N", defaultValue = "100", description = "Number of trucks"
            + " (default: ${DEFAULT-VALUE}).")
    int trucks;

    @Option(names = "--interval", paramLabel = "D", defaultValue = "3s", converter = DurationConverter.class,
            description = "How often each truck reports (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--duration", paramLabel = "D", converter = DurationConverter.class,
            description = "Stop after this long.")
    Duration duration;

    @Option(names = "--count", paramLabel = "N", description = "Stop after each truck has sent N positions.")
    Long count;

    @Override
    @SuppressWarnings("try") // the progress line is only closed
    public Integer call() throws Exception {
        if (trucks < 1 || trucks > 100_000) {
            throw usage("--trucks must be between 1 and 100000, was " + trucks);
        }
        if (interval.isZero()) {
            throw usage("--interval must be positive");
        }
        if (duration != null && count != null) {
            throw usage("--duration and --count are mutually exclusive");
        }
        if (duration != null && duration.isZero()) {
            throw usage("--duration must be positive");
        }
        if (count != null && count < 1) {
            throw usage("--count must be at least 1, was " + count);
        }
        PrintStream err = System.err;
        try (KinesisAsyncClient kinesis = connection.kinesis()) {
            Streams.requireStream(kinesis, stream);
            String run = UUID.randomUUID().toString().substring(0, 8);
            Fleet fleet = new Fleet(trucks, run, System.nanoTime());
            try (KinesisProducer producer = new KinesisProducer(ProducerConfig.builder().client(kinesis)
                    .strictOrdering(true).build())) {
                FleetRunner runner = new FleetRunner(fleet, producer, stream, interval,
                        interval.toMillis() / 1000.0, null);
                Thread main = Thread.currentThread();
                Thread stopper = new Thread(() -> {
                    runner.stop();
                    try {
                        main.join(10_000);
                    } catch (InterruptedException ignored) {
                        // exiting anyway
                    }
                }, "shardline-trucks-stop");
                Runtime.getRuntime().addShutdownHook(stopper);
                long started = System.nanoTime();
                err.printf("trucks: %d trucks, run %s, one position each per %s to stream %s%n", trucks, run,
                        format(interval), stream);
                try (ProgressLine progress = ProgressLine.start(err, () -> status(runner, started))) {
                    runner.run(duration, count == null ? 0 : count, Duration.ofSeconds(60));
                } finally {
                    try {
                        Runtime.getRuntime().removeShutdownHook(stopper);
                    } catch (IllegalStateException shuttingDown) {
                        // Ctrl-C: the hook is running
                    }
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                spec.commandLine().getOut().printf("trucks: sent=%d acknowledged=%d failed=%d in %.1f s (%.0f/s)%n",
                        runner.tally().sent(), runner.tally().acknowledged(), runner.tally().failed(), seconds, runner.tally().sent() / seconds);
                spec.commandLine().getOut().flush();
                if (runner.tally().failed() > 0) {
                    err.println("error: " + runner.tally().failed() + " positions failed, the first: " + runner.tally().firstFailure());
                    return 1;
                }
            }
        }
        return 0;
    }

    static String status(FleetRunner runner, long startedNanos) {
        double seconds = Math.max(0.001, (System.nanoTime() - startedNanos) / 1e9);
        return String.format("trucks: sent=%d acknowledged=%d failed=%d rate=%.0f/s", runner.tally().sent(),
                runner.tally().acknowledged(), runner.tally().failed(), runner.tally().sent() / seconds);
    }

    private static String format(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
