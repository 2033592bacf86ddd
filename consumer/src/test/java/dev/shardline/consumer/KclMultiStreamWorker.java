package dev.shardline.consumer;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
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
import software.amazon.kinesis.common.StreamConfig;
import software.amazon.kinesis.common.StreamIdentifier;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.leases.LeaseManagementConfig;
import software.amazon.kinesis.lifecycle.events.InitializationInput;
import software.amazon.kinesis.lifecycle.events.LeaseLostInput;
import software.amazon.kinesis.lifecycle.events.ProcessRecordsInput;
import software.amazon.kinesis.lifecycle.events.ShardEndedInput;
import software.amazon.kinesis.lifecycle.events.ShutdownRequestedInput;
import software.amazon.kinesis.metrics.NullMetricsFactory;
import software.amazon.kinesis.processor.FormerStreamsLeasesDeletionStrategy;
import software.amazon.kinesis.processor.MultiStreamTracker;
import software.amazon.kinesis.processor.ShardRecordProcessor;
import software.amazon.kinesis.processor.ShardRecordProcessorFactory;
import software.amazon.kinesis.retrieval.KinesisClientRecord;
import software.amazon.kinesis.retrieval.polling.PollingConfig;

/**
 * Amazon's KCL 3.1.0 as a multi-stream application ({@link MultiStreamTracker}) against the local endpoints, with the
 * start-up shortcuts from NOTES.md (metrics off, worker metrics off, short intervals). Its processors checkpoint after
 * every batch and record what they saw, by {@code streamName/shardId}.
 */
final class KclMultiStreamWorker implements AutoCloseable {
    /** What the processor of one shard saw. */
    static final class ShardView {
        volatile String initialCheckpoint;
        final List<String> data = new CopyOnWriteArrayList<>();
        volatile String lastCheckpointed;
    }

    final Map<String, ShardView> shards = new ConcurrentHashMap<>();
    private final Scheduler scheduler;
    private final Thread thread;
    private final CloudWatchAsyncClient cloudWatch;

    /** @param streamIdentifiers KCL stream identifiers {@code account:streamName:creationEpoch} */
    KclMultiStreamWorker(String app, List<String> streamIdentifiers, String workerId, KinesisAsyncClient kinesis,
                         DynamoDbAsyncClient dynamo) {
        cloudWatch = CloudWatchAsyncClient.builder().region(Region.US_EAST_1).endpointOverride(URI.create("http://127.0.0.1:9"))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build();
        List<StreamConfig> configs = new ArrayList<>();
        for (String id : streamIdentifiers) {
            configs.add(new StreamConfig(StreamIdentifier.multiStreamInstance(id),
                    InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.TRIM_HORIZON)));
        }
        MultiStreamTracker tracker = new MultiStreamTracker() {
            @Override
            public List<StreamConfig> streamConfigList() {
                return configs;
            }

            @Override
            public FormerStreamsLeasesDeletionStrategy formerStreamsLeasesDeletionStrategy() {
                return new FormerStreamsLeasesDeletionStrategy.NoLeaseDeletionStrategy();
            }
        };
        ShardRecordProcessorFactory factory = new ShardRecordProcessorFactory() {
            @Override
            public ShardRecordProcessor shardRecordProcessor() {
                throw new UnsupportedOperationException("multi-stream: called with the stream");
            }

            @Override
            public ShardRecordProcessor shardRecordProcessor(StreamIdentifier stream) {
                return new Processor(stream.streamName());
            }
        };
        ConfigsBuilder builder = new ConfigsBuilder(tracker, app, kinesis, dynamo, cloudWatch, workerId, factory);
        LeaseManagementConfig leases = builder.leaseManagementConfig(); // a new object per call: keep this one
        leases.failoverTimeMillis(2000).shardSyncIntervalMillis(5000);
        leases.workerUtilizationAwareAssignmentConfig().disableWorkerMetrics(true)
                .workerMetricsReporterFreqInMillis(500).inMemoryWorkerMetricsCaptureFrequencyMillis(250);
        scheduler = new Scheduler(builder.checkpointConfig(),
                builder.coordinatorConfig().parentShardPollIntervalMillis(100).shardConsumerDispatchPollIntervalMillis(100)
                        .schedulerInitializationBackoffTimeMillis(200),
                leases,
                builder.lifecycleConfig(),
                builder.metricsConfig().metricsFactory(new NullMetricsFactory()),
                builder.processorConfig(),
                builder.retrievalConfig().retrievalSpecificConfig(new PollingConfig(kinesis).idleTimeBetweenReadsInMillis(200)));
        thread = new Thread(scheduler, "kcl-" + workerId);
        thread.setDaemon(true);
        thread.start();
    }

    ShardView shard(String stream, String shardId) {
        return shards.computeIfAbsent(stream + "/" + shardId, k -> new ShardView());
    }

    /** Waits until {@code predicate} holds, or fails after {@code timeout}. */
    static void await(Duration timeout, String what, java.util.function.BooleanSupplier predicate) {
        Cluster.await(what, timeout, predicate);
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
        private final String stream;
        private ShardView view;

        Processor(String stream) {
            this.stream = stream;
        }

        @Override
        public void initialize(InitializationInput input) {
            view = shard(stream, input.shardId());
            view.initialCheckpoint = input.extendedSequenceNumber().sequenceNumber();
        }

        @Override
        public void processRecords(ProcessRecordsInput input) {
            for (KinesisClientRecord r : input.records()) {
                byte[] b = new byte[r.data().remaining()];
                r.data().get(b);
                view.data.add(new String(b, java.nio.charset.StandardCharsets.UTF_8));
            }
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
