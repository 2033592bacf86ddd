package dev.shardline.bench.checkpoint;

import dev.shardline.checkpoint.Checkpointer;
import dev.shardline.consumer.ConsumerConfig;
import dev.shardline.consumer.InitialPosition;
import dev.shardline.consumer.KinesisConsumer;
import dev.shardline.consumer.ProcessRecordsInput;
import dev.shardline.consumer.RecordProcessor;
import dev.shardline.consumer.ShardEndedInput;
import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalDynamoDb;
import dev.shardline.local.LocalKinesis;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.kinesis.common.ConfigsBuilder;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.leases.LeaseManagementConfig;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.metrics.NullMetricsFactory;
import software.amazon.kinesis.processor.ShardRecordProcessor;
import software.amazon.kinesis.retrieval.polling.PollingConfig;

/**
 * DynamoDB cost of lease coordination in steady state: Amazon's KCL 3.1.0 at its defaults against Shardline's
 * consumer at its defaults, same stream, same record rate, same checkpoint interval, same {@link DynamoDbCallMeter} on
 * both DynamoDB clients. Runs on embedded LocalKinesis + DynamoDB Local.
 *
 * <pre>java -cp bench/target/shardline-bench.jar dev.shardline.bench.checkpoint.LeaseCostBench --shards 8 --workers 2</pre>
 */
@Command(name = "lease-cost", mixinStandardHelpOptions = true,
        description = "DynamoDB calls and capacity units per lease-minute: KCL 3.1.0 vs Shardline, at their defaults.")
public final class LeaseCostBench implements Runnable {
    @Option(names = "--system", description = "kcl, shardline or both (default: ${DEFAULT-VALUE})")
    String system = "both";
    @Option(names = "--shards", description = "shards = leases (default: ${DEFAULT-VALUE})")
    int shards = 8;
    @Option(names = "--workers", description = "workers (default: ${DEFAULT-VALUE})")
    int workers = 2;
    @Option(names = "--rate", description = "records per second per shard (default: ${DEFAULT-VALUE})")
    int rate = 5;
    @Option(names = "--checkpoint-every", description = "seconds between checkpoints per shard (default: ${DEFAULT-VALUE})")
    int checkpointEverySeconds = 10;
    @Option(names = "--warmup", description = "seconds of steady state before measuring (default: ${DEFAULT-VALUE})")
    int warmupSeconds = 30;
    @Option(names = "--measure", description = "seconds measured (default: ${DEFAULT-VALUE})")
    int measureSeconds = 120;
    @Option(names = "--shardline-failover", split = ",",
            description = "Shardline failover times in seconds to run, 0 = the consumer's default (default: 0)")
    List<Integer> shardlineFailovers = new ArrayList<>(List.of(0));

    private int failoverSeconds;

    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        System.setProperty("org.slf4j.simpleLogger.log.software.amazon.kinesis", "error");
        System.exit(new CommandLine(new LeaseCostBench()).execute(args));
    }

    @Override
    public void run() {
        List<String> rows = new ArrayList<>();
        try {
            if (!system.equals("shardline")) {
                rows.add(measure("kcl"));
            }
            if (!system.equals("kcl")) {
                for (int failover : shardlineFailovers) {
                    this.failoverSeconds = failover;
                    rows.add(measure("shardline"));
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-16s %8s %8s %14s %14s %12s%n", "system", "shards", "workers", "calls/lease-min",
                "CU/lease-min", "calls/min");
        rows.forEach(System.out::println);
    }

    private String measure(String which) throws Exception {
        DynamoDbCallMeter meter = new DynamoDbCallMeter();
        Map<String, Long> processed = new ConcurrentHashMap<>();
        try (LocalKinesis kinesisServer = LocalKinesis.builder().port(0).tlsPort(0).build().start();
             LocalDynamoDb dynamoServer = new LocalDynamoDb().start();
             KinesisAsyncClient kinesis = LocalClients.kinesis(kinesisServer.endpoint())) {
            String stream = "cost-" + label(which);
            String app = "cost-" + label(which) + "-app";
            kinesisServer.createStream(stream, shards);
            ScheduledExecutorService producer = Executors.newSingleThreadScheduledExecutor();
            producer.scheduleAtFixedRate(() -> put(kinesis, stream), 0, 1, TimeUnit.SECONDS);
            List<AutoCloseable> running = new ArrayList<>();
            List<DynamoDbAsyncClient> clients = new ArrayList<>();
            try {
                for (int w = 0; w < workers; w++) {
                    DynamoDbAsyncClient dynamo = DynamoDbAsyncClient.builder()
                            .endpointOverride(dynamoServer.endpoint()).region(LocalClients.REGION)
                            .credentialsProvider(LocalClients.credentials())
                            .httpClient(NettyNioAsyncHttpClient.builder().build())
                            .overrideConfiguration(o -> o.addExecutionInterceptor(meter)).build();
                    clients.add(dynamo);
                    String worker = which + "-worker-" + w;
                    running.add(which.equals("kcl") ? startKcl(app, stream, worker, kinesis, dynamo, processed)
                            : startShardline(app, stream, worker, kinesis, dynamo, processed));
                }
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
                while (processed.size() < shards) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException(which + ": only " + processed.size() + " of " + shards
                                + " shards processed after 3 minutes");
                    }
                    Thread.sleep(200);
                }
                System.err.printf("%s: all %d shards processing; warming up %d s, measuring %d s%n", which, shards,
                        warmupSeconds, measureSeconds);
                Thread.sleep(warmupSeconds * 1000L);
                meter.reset();
                Thread.sleep(measureSeconds * 1000L);
                Map<String, DynamoDbCallMeter.Usage> usage = meter.snapshot();
                return report(which, usage);
            } finally {
                for (AutoCloseable c : running) {
                    try {
                        c.close();
                    } catch (Exception e) {
                        System.err.println(which + ": close failed: " + e);
                    }
                }
                producer.shutdownNow();
                clients.forEach(DynamoDbAsyncClient::close);
            }
        }
    }

    private String label(String which) {
        if (which.equals("kcl")) {
            return "kcl-3.1.0";
        }
        return failoverSeconds > 0 ? "shardline-" + failoverSeconds + "s" : "shardline";
    }

    private String report(String which, Map<String, DynamoDbCallMeter.Usage> usage) {
        double minutes = measureSeconds / 60.0;
        double leaseMinutes = shards * minutes;
        System.out.printf(Locale.ROOT, "%n%s: %d shards, %d workers, checkpoint every %d s, measured %d s%n", label(which),
                shards, workers, checkpointEverySeconds, measureSeconds);
        System.out.printf(Locale.ROOT, "  %-58s %8s %8s %10s %12s %12s%n", "table operation", "calls", "failed",
                "CU", "calls/l-min", "CU/l-min");
        long calls = 0;
        double cu = 0;
        for (Map.Entry<String, DynamoDbCallMeter.Usage> e : usage.entrySet()) {
            DynamoDbCallMeter.Usage u = e.getValue();
            calls += u.calls();
            cu += u.capacityUnits();
            System.out.printf(Locale.ROOT, "  %-58s %8d %8d %10.1f %12.2f %12.2f%n", e.getKey(), u.calls(), u.failures(),
                    u.capacityUnits(), u.calls() / leaseMinutes, u.capacityUnits() / leaseMinutes);
        }
        System.out.printf(Locale.ROOT, "  %-58s %8d %8s %10.1f %12.2f %12.2f%n", "total", calls, "", cu,
                calls / leaseMinutes, cu / leaseMinutes);
        return String.format(Locale.ROOT, "%-16s %8d %8d %14.2f %14.2f %12.1f", label(which), shards, workers,
                calls / leaseMinutes, cu / leaseMinutes, calls / minutes);
    }

    private void put(KinesisAsyncClient kinesis, String stream) {
        try {
            List<PutRecordsRequestEntry> entries = new ArrayList<>();
            for (int i = 0; i < rate * shards; i++) {
                entries.add(PutRecordsRequestEntry.builder().partitionKey("k" + ThreadLocalRandom.current().nextInt(1_000_000))
                        .data(SdkBytes.fromUtf8String("{\"n\":" + i + "}")).build());
            }
            kinesis.putRecords(b -> b.streamName(stream).records(entries)).join();
        } catch (RuntimeException e) {
            System.err.println("put failed: " + e);
        }
    }

    // ---- Shardline at its defaults

    private AutoCloseable startShardline(String app, String stream, String worker, KinesisAsyncClient kinesis,
                                         DynamoDbAsyncClient dynamo, Map<String, Long> processed) {
        ConsumerConfig.Builder config = ConsumerConfig.builder()
                .applicationName(app).streamName(stream).workerId(worker)
                .initialPosition(InitialPosition.trimHorizon())
                .processorFactory(() -> new ShardlineProcessor(processed))
                .kinesisClient(kinesis).dynamoDbClient(dynamo);
        if (failoverSeconds > 0) {
            config.failoverTime(Duration.ofSeconds(failoverSeconds));
        }
        KinesisConsumer consumer = new KinesisConsumer(config.build());
        consumer.start();
        return consumer;
    }

    private final class ShardlineProcessor implements RecordProcessor {
        private final Map<String, Long> processed;
        private long lastCheckpoint = System.nanoTime();

        ShardlineProcessor(Map<String, Long> processed) {
            this.processed = processed;
        }

        @Override
        public void processRecords(ProcessRecordsInput input) {
            processed.merge(input.shardId(), (long) input.records().size(), Long::sum);
            if (!input.records().isEmpty() && System.nanoTime() - lastCheckpoint >= checkpointEverySeconds * 1_000_000_000L) {
                input.checkpointer().checkpoint().join();
                lastCheckpoint = System.nanoTime();
            }
        }

        @Override
        public void shardEnded(ShardEndedInput input) {
            Checkpointer c = input.checkpointer();
            c.checkpoint().join();
        }
    }

    // ---- KCL 3.1.0 at its defaults (CloudWatch metrics and worker metrics off: no cloud and no instance metadata)

    private AutoCloseable startKcl(String app, String stream, String worker, KinesisAsyncClient kinesis,
                                   DynamoDbAsyncClient dynamo, Map<String, Long> processed) {
        CloudWatchAsyncClient cloudWatch = CloudWatchAsyncClient.builder().region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:9"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build();
        ConfigsBuilder configs = new ConfigsBuilder(stream, app, kinesis, dynamo, cloudWatch, worker,
                () -> new KclProcessor(processed));
        LeaseManagementConfig leases = configs.leaseManagementConfig();
        leases.workerUtilizationAwareAssignmentConfig().disableWorkerMetrics(true);
        Scheduler scheduler = new Scheduler(configs.checkpointConfig(), configs.coordinatorConfig(), leases,
                configs.lifecycleConfig(), configs.metricsConfig().metricsFactory(new NullMetricsFactory()),
                configs.processorConfig(), configs.retrievalConfig()
                .initialPositionInStreamExtended(InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.TRIM_HORIZON))
                .retrievalSpecificConfig(new PollingConfig(stream, kinesis)));
        Thread t = new Thread(scheduler, "kcl-" + worker);
        t.setDaemon(true);
        t.start();
        return () -> {
            try {
                if (!scheduler.startGracefulShutdown().get(60, TimeUnit.SECONDS)) {
                    scheduler.shutdown();
                }
            } finally {
                cloudWatch.close();
            }
        };
    }

    private final class KclProcessor implements ShardRecordProcessor {
        private final Map<String, Long> processed;
        private String shardId;
        private long lastCheckpoint = System.nanoTime();

        KclProcessor(Map<String, Long> processed) {
            this.processed = processed;
        }

        @Override
        public void initialize(InitializationInput input) {
            shardId = input.shardId();
        }

        @Override
        public void processRecords(software.amazon.kinesis.lifecycle.events.ProcessRecordsInput input) {
            processed.merge(shardId, (long) input.records().size(), Long::sum);
            if (!input.records().isEmpty() && System.nanoTime() - lastCheckpoint >= checkpointEverySeconds * 1_000_000_000L) {
                try {
                    input.checkpointer().checkpoint();
                } catch (Exception e) {
                    System.err.println("KCL checkpoint failed: " + e);
                }
                lastCheckpoint = System.nanoTime();
            }
        }

        @Override
        public void leaseLost(LeaseLostInput input) {
        }

        @Override
        public void shardEnded(software.amazon.kinesis.lifecycle.events.ShardEndedInput input) {
            try {
                input.checkpointer().checkpoint();
            } catch (Exception e) {
                System.err.println("KCL shard-end checkpoint failed: " + e);
            }
        }

        @Override
        public void shutdownRequested(ShutdownRequestedInput input) {
        }
    }

}
