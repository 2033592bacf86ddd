package dev.shardline.bench.consumer;

import dev.shardline.checkpoint.LeaseTable;
import dev.shardline.local.LocalClients;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.cloudwatch.CloudWatchAsyncClient;
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
import software.amazon.kinesis.retrieval.RetrievalConfig;
import software.amazon.kinesis.retrieval.fanout.FanOutConfig;
import software.amazon.kinesis.retrieval.polling.PollingConfig;

/**
 * Amazon's KCL 3.1.0 at its defaults, except: metrics off (no CloudWatch), worker metrics off (no host metrics on
 * loopback), the lease table pre-created with its owner index (as Shardline creates it; saves KCL's start-up waits
 * for table creation), polling idle time 200 ms (Shardline's default, instead of KCL's 1.5 s) for a fair latency
 * comparison.
 */
final class KclContender extends ContenderClients {
    private final CloudWatchAsyncClient cloudWatch;

    KclContender(KinesisAsyncClient kinesis, KinesisAsyncClient kinesisH2, URI dynamoEndpoint, URI unusedEndpoint) {
        super(kinesis, kinesisH2, dynamoEndpoint);
        // Never called (NullMetricsFactory), but KCL wants one: it points at loopback, never at AWS.
        this.cloudWatch = CloudWatchAsyncClient.builder().endpointOverride(unusedEndpoint).region(LocalClients.REGION)
                .credentialsProvider(LocalClients.credentials()).build();
    }

    @Override
    public String name() {
        return "KCL 3.1.0";
    }

    @Override
    public Worker start(String app, String stream, String workerId, boolean fanOut, Sink sink) throws Exception {
        LeaseTable.builder(dynamo).applicationName(app).workerId(workerId).build().createIfMissing()
                .get(2, TimeUnit.MINUTES);
        KinesisAsyncClient client = kinesisFor(fanOut);
        ConfigsBuilder cb = new ConfigsBuilder(stream, app, client, dynamo, cloudWatch, workerId, () -> new Processor(sink));
        InitialPositionInStreamExtended trimHorizon =
                InitialPositionInStreamExtended.newInitialPosition(InitialPositionInStream.TRIM_HORIZON);
        // leaseManagementConfig() returns a new object per call: keep the one we change.
        LeaseManagementConfig leases = cb.leaseManagementConfig().initialPositionInStream(trimHorizon);
        leases.workerUtilizationAwareAssignmentConfig().disableWorkerMetrics(true);
        RetrievalConfig retrieval = cb.retrievalConfig().initialPositionInStreamExtended(trimHorizon)
                .retrievalSpecificConfig(fanOut
                        ? new FanOutConfig(client).streamName(stream).applicationName(app)
                        : new PollingConfig(stream, client).idleTimeBetweenReadsInMillis(200));
        Scheduler scheduler = new Scheduler(cb.checkpointConfig(), cb.coordinatorConfig(), leases,
                cb.lifecycleConfig(), cb.metricsConfig().metricsFactory(new NullMetricsFactory()),
                cb.processorConfig(), retrieval);
        Thread t = new Thread(scheduler, "kcl-" + workerId);
        t.setDaemon(true);
        t.start();
        return () -> {
            try {
                scheduler.startGracefulShutdown().get(60, TimeUnit.SECONDS);
            } catch (Exception e) {
                scheduler.shutdown();
            }
        };
    }

    /** Reports every record; checkpoints at most once a second per shard (the same policy as Shardline's). */
    static final class Processor implements ShardRecordProcessor {
        private final Sink sink;
        private String shardId;
        private long lastCheckpoint = System.nanoTime();

        Processor(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void initialize(InitializationInput input) {
            shardId = input.shardId();
        }

        @Override
        public void processRecords(ProcessRecordsInput input) {
            for (KinesisClientRecord r : input.records()) {
                sink.record(shardId, r.data());
            }
            if (System.nanoTime() - lastCheckpoint >= 1_000_000_000L && !input.records().isEmpty()) {
                try {
                    input.checkpointer().checkpoint();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                lastCheckpoint = System.nanoTime();
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
            try {
                input.checkpointer().checkpoint();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }
}
