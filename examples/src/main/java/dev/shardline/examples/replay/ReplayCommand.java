package dev.shardline.examples.replay;

import dev.shardline.examples.cli.ConnectionOptions;
import dev.shardline.examples.cli.InstantConverter;
import dev.shardline.examples.cli.ProgressLine;
import dev.shardline.examples.cli.Streams;
import dev.shardline.producer.KinesisProducer;
import dev.shardline.producer.ProducerConfig;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Shard;

/** {@code shardline replay}: re-reads a stream, de-aggregated, in order per shard. */
@Command(name = "replay", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Re-read a stream, de-aggregated, in order per shard, from an application's checkpoints "
                + "(read, never written), the trim horizon, a time, or after given sequence numbers.",
                "Closed shards are followed into their children in order. Progress goes to stderr."})
public final class ReplayCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--stream", required = true, paramLabel = "S", description = "The stream to read.")
    String stream;

    @Option(names = "--app", paramLabel = "A", description = "The application whose lease table (named A) holds"
            + " the checkpoints to start from (with --from-checkpoint).")
    String app;

    @Option(names = "--from-checkpoint", description = "Start each shard after the application's checkpoint.")
    boolean fromCheckpoint;

    @Option(names = "--trim-horizon", description = "Start at the oldest record of every shard.")
    boolean trimHorizon;

    @Option(names = "--at-timestamp", paramLabel = "ISO8601", converter = InstantConverter.class,
            description = "Start at the first record that arrived at or after this time.")
    Instant atTimestamp;

    @Option(names = "--after-sequence", paramLabel = "SHARD=SEQ", description = "Start SHARD after sequence number"
            + " SEQ; may repeat; shards not named start at the trim horizon.")
    Map<String, String> afterSequence;

    @Option(names = "--until-now", description = "Stop at the records that arrived before replay started"
            + " (default: keep following the stream until interrupted).")
    boolean untilNow;

    @Option(names = "--format", paramLabel = "jsonl|text", defaultValue = "jsonl", converter = FormatConverter.class,
            description = "jsonl: one JSON object per record (default); text: the data as UTF-8, one per line.")
    RecordFormat format;

    @Option(names = "--out", paramLabel = "FILE", description = "Write to FILE instead of stdout.")
    Path out;

    @Option(names = "--to-stream", paramLabel = "S2", description = "Re-publish to stream S2 through the producer"
            + " (keeping partition keys) instead of writing.")
    String toStream;

    @Option(names = "--unwrap-dead-letters", description = "The stream holds dead letters (DeadLetterSink.toStream):"
            + " --to-stream re-publishes each original record with its original keys; --format jsonl writes each"
            + " dead letter's JSON, text its original data. Records that are not dead letters are skipped, reported,"
            + " and make the exit code 1.")
    boolean unwrapDeadLetters;

    @Override
    @SuppressWarnings("try") // the progress line is only closed
    public Integer call() throws Exception {
        validate();
        Instant until = untilNow ? Instant.now() : null;
        PrintStream err = System.err;
        try (KinesisAsyncClient kinesis = connection.kinesis()) {
            List<Shard> shards = Streams.listShards(kinesis, stream);
            ReplayPlan plan = plan(shards);
            plan.warnings().forEach(w -> err.println("warning: " + w));
            if (toStream != null) {
                return republish(kinesis, plan, until, err);
            }
            try (OutputStream output = out != null ? new BufferedOutputStream(new FileOutputStream(out.toFile()))
                    : new BufferedOutputStream(new FileOutputStream(java.io.FileDescriptor.out), 1 << 16)) {
                DeadLetterUnwrapper letters = unwrapDeadLetters
                        ? new DeadLetterUnwrapper(DeadLetterUnwrapper.writer(format, output)) : null;
                ShardWalker walker = new ShardWalker(kinesis, stream, plan, until, letters != null ? letters
                        : (shardId, record) -> format.write(shardId, record, output));
                long started = System.nanoTime();
                Thread flusher = flushOnExit(output);
                try (ProgressLine progress = ProgressLine.start(err, () -> status(walker, started))) {
                    walker.run();
                } finally {
                    Runtime.getRuntime().removeShutdownHook(flusher);
                }
                walker.warnings().forEach(w -> err.println("warning: " + w));
                if (letters != null && notDeadLetters(letters, err)) {
                    return 1;
                }
            }
        }
        return 0;
    }

    private static boolean notDeadLetters(DeadLetterUnwrapper letters, PrintStream err) {
        if (letters.notLetters() == 0) {
            return false;
        }
        err.println("error: " + letters.notLetters() + " records were not dead letters and were skipped, the first: "
                + letters.firstProblem());
        return true;
    }

    @SuppressWarnings("try") // the progress line is only closed
    private int republish(KinesisAsyncClient kinesis, ReplayPlan plan, Instant until, PrintStream err)
            throws Exception {
        Streams.requireStream(kinesis, toStream);
        try (KinesisProducer producer = new KinesisProducer(ProducerConfig.builder().client(kinesis)
                .strictOrdering(true).build())) {
            Republisher republisher = new Republisher(producer, toStream);
            DeadLetterUnwrapper letters = unwrapDeadLetters ? new DeadLetterUnwrapper(republisher::accept) : null;
            ShardWalker walker = new ShardWalker(kinesis, stream, plan, until, letters != null ? letters : republisher);
            long started = System.nanoTime();
            try (ProgressLine progress = ProgressLine.start(err, () -> status(walker, started)
                    + " acknowledged=" + republisher.tally().acknowledged() + " failed=" + republisher.tally().failed())) {
                walker.run();
                republisher.drain();
            }
            walker.warnings().forEach(w -> err.println("warning: " + w));
            if (republisher.tally().failed() > 0) {
                err.println("error: " + republisher.tally().failed() + " records failed to reach " + toStream + ", the first: "
                        + republisher.tally().firstFailure());
                return 1;
            }
            if (letters != null && notDeadLetters(letters, err)) {
                return 1;
            }
        }
        return 0;
    }

    private void validate() {
        if (toStream != null && out != null) {
            throw usage("--to-stream and --out are mutually exclusive");
        }
        if (toStream != null && toStream.equals(stream)) {
            throw usage("--to-stream must name another stream than --stream");
        }
        int modes = (fromCheckpoint || (app != null && !trimHorizon && atTimestamp == null && afterSequence == null)
                ? 1 : 0) + (trimHorizon ? 1 : 0) + (atTimestamp != null ? 1 : 0) + (afterSequence != null ? 1 : 0);
        if (modes != 1) {
            throw usage("choose exactly one start: --app A --from-checkpoint, --trim-horizon, --at-timestamp or"
                    + " --after-sequence");
        }
        if (fromCheckpoint && app == null) {
            throw usage("--from-checkpoint needs --app A (the application whose lease table to read)");
        }
        if (app != null && !fromCheckpoint && (trimHorizon || atTimestamp != null || afterSequence != null)) {
            throw usage("--app is only used with --from-checkpoint");
        }
        if (afterSequence != null) {
            for (Map.Entry<String, String> entry : afterSequence.entrySet()) {
                try {
                    StartPosition.checkSequence(entry.getValue());
                } catch (IllegalArgumentException e) {
                    throw usage("--after-sequence " + entry.getKey() + "=" + entry.getValue() + ": " + e.getMessage());
                }
            }
        }
    }

    private ReplayPlan plan(List<Shard> shards) {
        if (trimHorizon) {
            return ReplayPlan.trimHorizon(shards);
        }
        if (atTimestamp != null) {
            return ReplayPlan.atTimestamp(shards, atTimestamp);
        }
        if (afterSequence != null) {
            try {
                return ReplayPlan.afterSequences(shards, new LinkedHashMap<>(afterSequence));
            } catch (IllegalArgumentException e) {
                throw usage(e.getMessage());
            }
        }
        try (DynamoDbAsyncClient dynamoDb = connection.dynamoDb()) {
            return ReplayPlan.fromCheckpoints(shards, LeaseCheckpoints.read(dynamoDb, app));
        }
    }

    private static String status(ShardWalker walker, long startedNanos) {
        double seconds = Math.max(0.001, (System.nanoTime() - startedNanos) / 1e9);
        return String.format("replay: records=%d rate=%.0f/s shards=%d/%d lag_ms=%d", walker.records(),
                walker.records() / seconds, walker.shardsFinished(), walker.shardsTotal(), walker.lagMillis());
    }

    /** Ctrl-C while following the stream: what was read so far still reaches the output. */
    private static Thread flushOnExit(OutputStream output) {
        Thread hook = new Thread(() -> {
            try {
                output.flush();
            } catch (IOException ignored) {
                // exiting anyway
            }
        }, "shardline-replay-flush");
        Runtime.getRuntime().addShutdownHook(hook);
        return hook;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    static final class FormatConverter implements CommandLine.ITypeConverter<RecordFormat> {
        @Override
        public RecordFormat convert(String value) {
            try {
                return RecordFormat.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
