package dev.shardline.examples.produce;

import dev.shardline.aggregation.Limits;
import dev.shardline.examples.cli.CliErrors;
import dev.shardline.examples.cli.SendTally;
import dev.shardline.examples.cli.ConnectionOptions;
import dev.shardline.examples.cli.Streams;
import dev.shardline.producer.KinesisProducer;
import dev.shardline.producer.ProducerConfig;
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/** {@code shardline produce}: one record per input line, through the producer. */
@Command(name = "produce", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send one record per input line (the line without its newline is the data) through the"
                + " producer. Prints how many were sent and failed; exits 1 if any failed."})
public final class ProduceCommand implements Callable<Integer> {
    private static final int MAX_REPORTED_FAILURES = 5;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--stream", required = true, paramLabel = "S", description = "The stream to send to.")
    String stream;

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Keys keys;

    static final class Keys {
        @Option(names = "--key-field", paramLabel = "F", description = "Partition key = field F of the JSON line.")
        String field;

        @Option(names = "--random-keys", description = "A random partition key per line (the default).")
        boolean random;

        @Option(names = "--key", paramLabel = "K", description = "The same partition key K for every line.")
        String fixed;
    }

    @Option(names = "--input", paramLabel = "FILE", description = "Read lines from FILE (default: stdin).")
    Path input;

    /** How strictly a key's records keep their order. */
    enum Ordering {
        strict, per_shard
    }

    @Option(names = "--ordering", paramLabel = "strict|per-shard", converter = OrderingConverter.class,
            description = {"strict (default): a key's records are stored in input order, even across retries and"
                    + " reshards (one call in flight per shard).",
                    "per-shard: several calls in flight per shard, faster; a retried record may land after newer"
                            + " records of its shard."})
    Ordering ordering = Ordering.strict;

    static final class OrderingConverter implements CommandLine.ITypeConverter<Ordering> {
        @Override
        public Ordering convert(String value) {
            return switch (value) {
                case "strict" -> Ordering.strict;
                case "per-shard" -> Ordering.per_shard;
                default -> throw new CommandLine.TypeConversionException(
                        "'" + value + "' is not an ordering (strict, per-shard)");
            };
        }
    }

    @Override
    public Integer call() throws Exception {
        KeyChooser chooser = chooser();
        PrintStream err = System.err;
        SendTally tally = new SendTally();
        if (input != null && !input.toFile().isFile()) {
            throw new IllegalStateException("--input " + input + ": no such file");
        }
        try (KinesisAsyncClient kinesis = connection.kinesis()) {
            Streams.requireStream(kinesis, stream);
            // 8 MiB holds ~80k lines of 100 B in flight, more than any stream takes from one process; the default
            // 64 MiB let a file that reads faster than it sends pile up (docs/benchmarks.md: GC and the SDK's
            // per-call body copies grew with the backlog).
            try (KinesisProducer producer = new KinesisProducer(ProducerConfig.builder().client(kinesis)
                    .strictOrdering(ordering == Ordering.strict).maxBufferedBytes(8L << 20).build());
                 InputStream in = input != null ? new FileInputStream(input.toFile()) : System.in;
                 BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                long number = 0;
                while ((line = lines.readLine()) != null) {
                    number++;
                    long lineNumber = number;
                    tally.onSent();
                    try {
                        String key = chooser.keyFor(line);
                        CompletableFuture<?> result = producer.send(stream, key, line.getBytes(StandardCharsets.UTF_8));
                        result.whenComplete((ok, error) -> {
                            if (error == null) {
                                tally.onAcknowledged();
                            } else {
                                report(err, tally, lineNumber, error);
                            }
                        });
                    } catch (RuntimeException e) {
                        report(err, tally, lineNumber, e);
                    }
                }
                producer.flush().get(10, TimeUnit.MINUTES);
                tally.awaitOutcomes(Duration.ofSeconds(30));
            }
        }
        // "sent" counts the lines Kinesis acknowledged.
        spec.commandLine().getOut().printf("sent=%d failed=%d%n", tally.acknowledged(), tally.failed());
        spec.commandLine().getOut().flush();
        return tally.failed() > 0 ? CliErrors.FAILURE : 0;
    }

    private static void report(PrintStream err, SendTally tally, long line, Throwable error) {
        if (tally.onFailed(error) <= MAX_REPORTED_FAILURES) {
            err.println("error: line " + line + ": " + CliErrors.oneLine(error));
        }
    }

    private KeyChooser chooser() {
        if (keys == null || keys.random) {
            return KeyChooser.random();
        }
        if (keys.field != null) {
            if (keys.field.isEmpty()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--key-field must name a field");
            }
            return KeyChooser.field(keys.field);
        }
        try {
            Limits.checkPartitionKey(keys.fixed);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--key: " + e.getMessage());
        }
        return KeyChooser.fixed(keys.fixed);
    }
}
