package dev.shardline.examples.demo;

import dev.shardline.consumer.ConsumerConfig;
import dev.shardline.consumer.InitialPosition;
import dev.shardline.consumer.KinesisConsumer;
import dev.shardline.consumer.Retrieval;
import dev.shardline.examples.cli.ConnectionOptions;
import dev.shardline.examples.console.ConsoleCommand;
import dev.shardline.examples.console.ConsoleServer;
import dev.shardline.examples.console.ShardTraffic;
import dev.shardline.examples.status.StatusReader;
import dev.shardline.examples.cli.DurationConverter;
import dev.shardline.examples.cli.ProgressLine;
import dev.shardline.examples.track.FleetTracker;
import dev.shardline.examples.track.TrackerProcessor;
import dev.shardline.examples.trucks.Fleet;
import dev.shardline.examples.trucks.FleetRunner;
import dev.shardline.examples.trucks.TruckPosition;
import dev.shardline.local.LocalDynamoDb;
import dev.shardline.local.LocalKinesis;
import dev.shardline.producer.KinesisProducer;
import dev.shardline.producer.ProducerConfig;
import dev.shardline.producer.SendResult;
import java.io.PrintStream;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * {@code shardline demo}: in one process, LocalKinesis and DynamoDB Local, a stream, the truck fleet (faster than
 * real time) and the tracker, with a shard split midway; then the contract's summary line. Exit 0 only if no
 * acknowledged position was lost and none arrived out of order.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the whole thing on this machine: a local Kinesis endpoint and DynamoDB Local, a stream,"
                + " the truck fleet producing through the producer and the tracker consuming through the consumer,"
                + " with a shard split midway.",
                "Ends with: summary: sent=N acknowledged=N received=N lost=N duplicates=N out_of_order=N p50_ms=N"
                + " p99_ms=N. Exit 0 only if lost=0 and out_of_order=0."})
public final class DemoCommand implements Callable<Integer> {
    static final String STREAM = "trucks";
    static final String APPLICATION = "shardline-demo";
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(30);

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--trucks", paramLabel = "N", defaultValue = "100", description = "Trucks (default: ${DEFAULT-VALUE}).")
    int trucks;

    @Option(names = "--shards", paramLabel = "N", defaultValue = "4", description = "Shards of the stream at the"
            + " start (default: ${DEFAULT-VALUE}); one more after the split.")
    int shards;

    @Option(names = "--duration", paramLabel = "D", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long the fleet drives (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(names = "--interval", paramLabel = "D", defaultValue = "500ms", converter = DurationConverter.class,
            description = "How often each truck reports; each report moves it 3 s of simulated time"
                    + " (default: ${DEFAULT-VALUE}).")
    Duration interval;

    @Option(names = "--fan-out", description = "Track with enhanced fan-out (HTTP/2) instead of polling.")
    boolean fanOut;

    @Option(names = "--console", description = "Open the console on the tracker's application while the demo runs"
            + " (prints 'console: http://127.0.0.1:PORT/').")
    boolean console;

    @Option(names = "--console-port", paramLabel = "P", defaultValue = "8080",
            description = "The console's port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0: any free port).")
    int consolePort;

    @Override
    public Integer call() throws Exception {
        if (trucks < 1 || trucks > 10_000) {
            throw usage("--trucks must be between 1 and 10000, was " + trucks);
        }
        if (shards < 1 || shards > 64) {
            throw usage("--shards must be between 1 and 64, was " + shards);
        }
        if (duration.compareTo(Duration.ofSeconds(2)) < 0 || duration.compareTo(Duration.ofHours(1)) > 0) {
            throw usage("--duration must be between 2s and 1h, was " + duration.toMillis() + "ms");
        }
        if (interval.isZero()) {
            throw usage("--interval must be positive");
        }
        if (consolePort < 0 || consolePort > 65535) {
            throw usage("--console-port must be 0 to 65535, was " + consolePort);
        }
        PrintStream err = System.err;
        DeliveryLedger ledger = new DeliveryLedger();
        FleetTracker tracker = new FleetTracker((position, nanoTime) ->
                ledger.received(position.truckId(), position.seq(), nanoTime));
        err.println("demo: starting a local Kinesis endpoint and DynamoDB Local...");
        try (LocalKinesis kinesis = LocalKinesis.builder().port(0).tlsPort(0).build().start();
             LocalDynamoDb dynamo = new LocalDynamoDb().start()) {
            ConnectionOptions connection = fanOut
                    ? ConnectionOptions.localInsecure(kinesis.tlsEndpoint(), dynamo.endpoint())
                    : ConnectionOptions.local(kinesis.endpoint(), dynamo.endpoint());
            kinesis.createStream(STREAM, shards);
            err.printf("demo: stream %s with %d shards at %s, DynamoDB Local at %s%n", STREAM, shards,
                    kinesis.endpoint(), dynamo.endpoint());
            try (KinesisAsyncClient client = connection.kinesis();
                 DynamoDbAsyncClient dynamoDb = connection.dynamoDb()) {
                return run(client, dynamoDb, ledger, tracker, err);
            }
        }
    }

    @SuppressWarnings("try") // the progress line is only closed
    private int run(KinesisAsyncClient client, DynamoDbAsyncClient dynamoDb, DeliveryLedger ledger,
            FleetTracker tracker, PrintStream err) throws Exception {
        ConsumerConfig consumerConfig = ConsumerConfig.builder().applicationName(APPLICATION).streamName(STREAM)
                .kinesisClient(client).dynamoDbClient(dynamoDb).initialPosition(InitialPosition.trimHorizon())
                .retrieval(fanOut ? Retrieval.fanOut(APPLICATION) : Retrieval.polling())
                .shardSyncInterval(Duration.ofSeconds(1))
                .processorFactory(() -> new TrackerProcessor(tracker, Duration.ofSeconds(2))).build();
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "shardline-demo-split");
            thread.setDaemon(true);
            return thread;
        });
        Map<String, long[]> written = new ConcurrentHashMap<>();
        try (KinesisConsumer consumer = new KinesisConsumer(consumerConfig);
             KinesisProducer producer = new KinesisProducer(ProducerConfig.builder().client(client)
                     .strictOrdering(true).build());
             ConsoleServer consoleServer = console ? startConsole(client, dynamoDb, tracker, written) : null) {
            consumer.start();
            awaitLeases(consumer, shards, Duration.ofSeconds(15));
            err.printf("demo: tracker %s holds %d shards (%s); %d trucks report every %s for %s%n",
                    fanOut ? "(enhanced fan-out)" : "(polling)", consumer.heldShards().size(),
                    String.join(", ", consumer.heldShards()), trucks, interval.toMillis() + "ms",
                    duration.toSeconds() + "s");
            FleetRunner fleet = new FleetRunner(new Fleet(trucks, "demo", 42), producer, STREAM, interval, 3.0,
                    new FleetRunner.Listener() {
                        @Override
                        public void sent(TruckPosition position, long nanoTime) {
                            ledger.sent(position.truckId(), position.seq(), nanoTime);
                        }

                        @Override
                        public void acknowledged(TruckPosition position, SendResult result) {
                            ledger.acknowledged(position.truckId(), position.seq());
                            long[] count = written.computeIfAbsent(result.shardId(), s -> new long[1]);
                            synchronized (count) {
                                count[0]++;
                            }
                        }

                        @Override
                        public void failed(TruckPosition position, Throwable reason) {
                            ledger.failed(position.truckId(), position.seq(), reason);
                        }
                    });
            long started = System.nanoTime();
            timer.schedule(() -> split(client, err), duration.toMillis() / 2, TimeUnit.MILLISECONDS);
            try (ProgressLine progress = ProgressLine.start(err, () -> status(ledger, tracker, started))) {
                fleet.run(duration, 0, Duration.ofSeconds(30));
                drain(ledger, tracker, openShards(client));
            }
            if (fleet.tally().failed() > 0) {
                err.println("demo: " + fleet.tally().failed() + " positions failed to send, the first: " + fleet.tally().firstFailure());
            }
        } finally {
            timer.shutdownNow();
        }
        String summary = ledger.summaryLine();
        spec.commandLine().getOut().println(summary);
        spec.commandLine().getOut().flush();
        return ledger.success() ? 0 : 1;
    }

    /** The console on the tracker's application, with records in (acknowledged) and out (processed) per shard. */
    private ConsoleServer startConsole(KinesisAsyncClient client, DynamoDbAsyncClient dynamoDb, FleetTracker tracker,
            Map<String, long[]> written) throws java.io.IOException {
        ShardTraffic traffic = new ShardTraffic() {
            @Override
            public Map<String, Totals> written() {
                Map<String, Totals> out = new HashMap<>();
                written.forEach((shard, count) -> {
                    synchronized (count) {
                        out.put(shard, new Totals(count[0], 0));
                    }
                });
                return out;
            }

            @Override
            public Map<String, Totals> processed() {
                return tracker.processedByShard();
            }
        };
        StatusReader reader = new StatusReader(dynamoDb, client, APPLICATION, List.of(STREAM), Duration.ofSeconds(5),
                Duration.ofSeconds(2), Clock.systemUTC());
        ConsoleServer server = ConsoleCommand.start(reader, traffic, consolePort);
        spec.commandLine().getOut().println("console: " + server.uri());
        spec.commandLine().getOut().flush();
        return server;
    }

    /**
     * Waits until every acknowledged position was received, or until the tracker has caught up: every open shard
     * is being read (so every closed parent was finished) at MillisBehindLatest 0, and nothing new came for 5 s.
     * At most {@link #DRAIN_LIMIT}.
     */
    private static void drain(DeliveryLedger ledger, FleetTracker tracker, Set<String> openShards)
            throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_LIMIT.toNanos();
        long lastReceived = -1;
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline && ledger.lost() > 0) {
            long received = ledger.received();
            if (received != lastReceived) {
                lastReceived = received;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(5)
                    && tracker.shardLag().keySet().containsAll(openShards) && tracker.maxLag() <= 0) {
                return; // caught up everywhere and nothing new for 5 s: what is missing is lost
            }
            Thread.sleep(50);
        }
    }

    private static Set<String> openShards(KinesisAsyncClient client) {
        return client.listShards(b -> b.streamName(STREAM)).join().shards().stream()
                .filter(s -> s.sequenceNumberRange().endingSequenceNumber() == null)
                .map(Shard::shardId).collect(Collectors.toSet());
    }

    private static void awaitLeases(KinesisConsumer consumer, int shards, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (consumer.heldShards().size() < shards && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Splits the open shard with the widest hash range in the middle, while the fleet is driving. */
    private static void split(KinesisAsyncClient client, PrintStream err) {
        try {
            Shard widest = null;
            BigInteger widestSize = BigInteger.valueOf(-1);
            for (Shard shard : client.listShards(b -> b.streamName(STREAM)).join().shards()) {
                if (shard.sequenceNumberRange().endingSequenceNumber() != null) {
                    continue;
                }
                BigInteger size = new BigInteger(shard.hashKeyRange().endingHashKey())
                        .subtract(new BigInteger(shard.hashKeyRange().startingHashKey()));
                if (size.compareTo(widestSize) > 0) {
                    widest = shard;
                    widestSize = size;
                }
            }
            if (widest == null) {
                return;
            }
            BigInteger middle = new BigInteger(widest.hashKeyRange().startingHashKey())
                    .add(widestSize.shiftRight(1)).add(BigInteger.ONE);
            String parent = widest.shardId();
            client.splitShard(b -> b.streamName(STREAM).shardToSplit(parent).newStartingHashKey(middle.toString()))
                    .join();
            err.println();
            err.println("demo: split " + parent + " in two while the trucks keep driving");
        } catch (RuntimeException e) {
            err.println();
            err.println("demo: the shard split failed: " + dev.shardline.examples.cli.CliErrors.oneLine(e));
        }
    }

    private static String status(DeliveryLedger ledger, FleetTracker tracker, long startedNanos) {
        long seconds = (System.nanoTime() - startedNanos) / 1_000_000_000L;
        return String.format("demo: %3ds sent=%d acknowledged=%d received=%d duplicates=%d out_of_order=%d"
                + " trucks=%d lag_ms=%d", seconds, ledger.tally().sent(), ledger.tally().acknowledged(), ledger.received(),
                ledger.duplicates(), ledger.outOfOrder(), tracker.trucks(), Math.max(0, tracker.maxLag()));
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
