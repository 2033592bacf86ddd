package dev.shardline.checkpoint;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.kinesis.common.ConfigsBuilder;
import software.amazon.kinesis.common.InitialPositionInStream;
import software.amazon.kinesis.common.InitialPositionInStreamExtended;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.leases.LeaseManagementConfig;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ProcessRecordsInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.metrics.NullMetricsFactory;
import software.amazon.kinesis.processor.ShardRecordProcessor;
import software.amazon.kinesis.retrieval.KinesisClientRecord;
import software.amazon.kinesis.retrieval.polling.PollingConfig;

/**
 * Amazon's KCL 3.1.0 worker against the local endpoints, with the start-up shortcuts from NOTES.md (metrics off,
 * worker metrics off, short intervals). Its processor checkpoints after every batch and records what it saw.
 */
final class KclWorker implements AutoCloseable {
    /** What the processor of one shard saw. */
    static final class ShardView {
        volatile String initialCheckpoint;
        volatile long initialSubSequence;
        volatile String pendingCheckpoint;
        volatile byte[] pendingState;
        final List<String> sequenceNumbers = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile String lastCheckpointed;
    }

    final Map<String, ShardView> shards = new ConcurrentHashMap<>();
    private final Scheduler scheduler;
    private final Thread thread;
    private final CloudWatchAsyncClient cloudWatch;

    KclWorker(String app, String stream, String workerId, KinesisAsyncClient kinesis, DynamoDbAsyncClient dynamo) {
        // Never called (NullMetricsFactory); required by ConfigsBuilder. Points at a closed local port.
        cloudWatch = CloudWatchAsyncClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create("http://127.0.0.1:9"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build();
        ConfigsBuilder configs = new ConfigsBuilder(stream, app, kinesis, dynamo, cloudWatch, workerId, Processor::new);
        LeaseManagementConfig leases = configs.leaseManagementConfig(); // a new object per call: keep this one
        leases.failoverTimeMillis(2000).shardSyncIntervalMillis(5000);
        leases.workerUtilizationAwareAssignmentConfig().disableWorkerMetrics(true)
                .workerMetricsReporterFreqInMillis(500).inMemoryWorkerMetricsCaptureFrequencyMillis(250);
        scheduler = new Scheduler(configs.checkpointConfig(),
                configs.coordinatorConfig().parentShardPollIntervalMillis(100).shardConsumerDispatchPollIntervalMillis(100)
                        .schedulerInitializationBackoffTimeMillis(200),
                leases,
                configs.lifecycleConfig(),
                configs.metricsConfig().metricsFactory(new NullMetricsFactory()),
                configs.processorConfig(),
                configs.retrievalConfig()
                        .initialPositionInStreamExtended(InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.TRIM_HORIZON))
                        .retrievalSpecificConfig(new PollingConfig(stream, kinesis).idleTimeBetweenReadsInMillis(200)));
        thread = new Thread(scheduler, "kcl-" + workerId);
        thread.setDaemon(true);
        thread.start();
    }

    ShardView shard(String shardId) {
        return shards.computeIfAbsent(shardId, k -> new ShardView());
    }

    /** Waits until {@code predicate} holds, or fails after {@code timeout}. */
    static void await(Duration timeout, String what, java.util.function.BooleanSupplier predicate) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!predicate.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() throws Exception {
        boolean graceful = false;
        try {
            graceful = scheduler.startGracefulShutdown().get(30, TimeUnit.SECONDS);
        } finally {
            if (!graceful) {
                scheduler.shutdown();
            }
            thread.join(10_000);
            cloudWatch.close();
        }
    }

    private final class Processor implements ShardRecordProcessor {
        private ShardView view;

        @Override
        public void initialize(InitializationInput input) {
            view = shard(input.shardId());
            view.initialCheckpoint = input.extendedSequenceNumber().sequenceNumber();
            view.initialSubSequence = input.extendedSequenceNumber().subSequenceNumber();
            view.pendingCheckpoint = input.pendingCheckpointSequenceNumber() == null ? null
                    : input.pendingCheckpointSequenceNumber().sequenceNumber();
            view.pendingState = input.pendingCheckpointState();
        }

        @Override
        public void processRecords(ProcessRecordsInput input) {
            List<String> seqs = new ArrayList<>();
            for (KinesisClientRecord r : input.records()) {
                seqs.add(r.sequenceNumber());
            }
            view.sequenceNumbers.addAll(seqs);
            if (!input.records().isEmpty()) {
                KinesisClientRecord last = input.records().get(input.records().size() - 1);
                try {
                    input.checkpointer().checkpoint(last.sequenceNumber(), last.subSequenceNumber());
                    view.lastCheckpointed = last.sequenceNumber();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }

        @Override
        public void leaseLost(LeaseLostInput input) {
        }

        @Override
        public void shardEnded(ShardEndedInput input) {
            try {
                input.checkpointer().checkpoint();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void shutdownRequested(ShutdownRequestedInput input) {
        }
    }
}
