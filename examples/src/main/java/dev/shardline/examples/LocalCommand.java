package dev.shardline.examples;

import dev.shardline.examples.cli.DurationConverter;
import dev.shardline.local.Fault;
import dev.shardline.local.LocalDynamoDb;
import dev.shardline.local.LocalKinesis;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code shardline local}: serves the local Kinesis endpoint (HTTP/1.1 and h2c on --port, TLS on --tls-port) and
 * DynamoDB Local until interrupted, printing the endpoints once ready.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Serve a local Kinesis endpoint and DynamoDB Local on 127.0.0.1 until interrupted.")
public final class LocalCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "4567",
            description = "Kinesis port, HTTP/1.1 and h2c (default ${DEFAULT-VALUE}; 0 = any free port)")
    int port;

    @Option(names = "--tls-port", paramLabel = "PORT", defaultValue = "4443",
            description = "Kinesis TLS port, self-signed certificate (default ${DEFAULT-VALUE}; 0 = any free port)")
    int tlsPort;

    @Option(names = "--dynamodb-port", paramLabel = "PORT", defaultValue = "8000",
            description = "DynamoDB Local port (default ${DEFAULT-VALUE}; 0 = any free port)")
    int dynamoDbPort;

    @Option(names = "--create-stream", paramLabel = "NAME:SHARDS",
            description = "Create a stream at start (repeatable), e.g. orders:4")
    List<String> streams = new ArrayList<>();

    @Option(names = "--no-limits", description = "Turn the per-shard throughput limits off (for benchmarks)")
    boolean noLimits;

    @Option(names = "--require-signature", description = "Refuse Kinesis requests without an AWS SigV4 "
            + "Authorization header (MissingAuthenticationTokenException), to test a client's credential set-up; "
            + "the signature itself is not verified")
    boolean requireSignature;

    @Option(names = "--shard-limit", paramLabel = "N", description = "The account's open-shard limit "
            + "(LimitExceededException past it; default 500, none with --no-limits)")
    Integer shardLimit;

    @Option(names = "--fault", paramLabel = "SPEC",
            description = "Inject a fault (repeatable): KIND[,op=OPERATION][,stream=NAME][,next=N][,rate=R]"
                    + "[,latency=DURATION]; KIND is throttle, throttle-records, internal-failure, "
                    + "service-unavailable, latency or drop. E.g. throttle,op=PutRecords,rate=0.1")
    List<String> faults = new ArrayList<>();

    @Option(names = "--status-delay", paramLabel = "DURATION", converter = DurationConverter.class,
            defaultValue = "0ms", description = "How long streams stay CREATING/UPDATING (default 0ms)")
    Duration statusDelay;

    @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Stop after this long instead of waiting for an interrupt")
    Duration duration;

    @Override
    public Integer call() throws Exception {
        List<String[]> parsedStreams = new ArrayList<>();
        for (String spec : streams) {
            String[] parts = spec.split(":", 2);
            if (parts.length != 2 || parts[0].isEmpty() || !parts[1].matches("\\d{1,5}")
                    || Integer.parseInt(parts[1]) < 1) {
                throw new CommandLine.ParameterException(this.spec.commandLine(),
                        "--create-stream must be NAME:SHARDS with SHARDS >= 1, was '" + spec + "'");
            }
            parsedStreams.add(parts);
        }
        List<Fault> parsedFaults = new ArrayList<>();
        for (String spec : faults) {
            try {
                parsedFaults.add(Fault.parse(spec));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(this.spec.commandLine(), "--fault: " + e.getMessage());
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stop = new CountDownLatch(1);
        if (shardLimit != null && (shardLimit < 1 || shardLimit > 1_000_000)) {
            throw new CommandLine.ParameterException(this.spec.commandLine(),
                    "--shard-limit must be 1..1000000, was " + shardLimit);
        }
        LocalKinesis.Builder builder = LocalKinesis.builder().port(port).tlsPort(tlsPort).limitsEnabled(!noLimits)
                .statusDelay(statusDelay).requireSignature(requireSignature);
        if (shardLimit != null) {
            builder.shardLimit(shardLimit);
        }
        try (LocalKinesis kinesis = builder.build().start();
                LocalDynamoDb dynamo = new LocalDynamoDb(dynamoDbPort).start()) {
            for (String[] stream : parsedStreams) {
                kinesis.createStream(stream[0], Integer.parseInt(stream[1]));
            }
            parsedFaults.forEach(kinesis.faults()::inject);
            Thread hook = new Thread(stop::countDown, "shardline-local-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("kinesis:     " + kinesis.endpoint() + "  (HTTP/1.1 and h2c)");
            out.println("kinesis-tls: " + kinesis.tlsEndpoint() + "  (self-signed: use --insecure)");
            out.println("sts:         " + kinesis.endpoint() + " and " + kinesis.tlsEndpoint()
                    + "  (GetCallerIdentity)");
            out.println("dynamodb:    " + dynamo.endpoint());
            out.println("limits:      " + (noLimits ? "off" : "on (per shard: writes 1 MiB/s, 1000 records/s; "
                    + "reads 5 calls/s, 2 MiB/s)"));
            if (requireSignature) {
                out.println("signatures:  required (unsigned requests get MissingAuthenticationTokenException)");
            }
            for (String[] stream : parsedStreams) {
                out.println("stream:      " + stream[0] + " (" + stream[1] + " shards) " + kinesis.streamArn(stream[0]));
            }
            parsedFaults.forEach(f -> out.println("fault:       " + f));
            out.println("ready (Ctrl-C to stop)");
            out.flush();
            if (duration != null) {
                stop.await(duration.toMillis(), TimeUnit.MILLISECONDS);
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                } catch (IllegalStateException shuttingDown) {
                    // already stopping
                }
            } else {
                stop.await();
            }
        }
        out.println("stopped");
        out.flush();
        return 0;
    }
}
