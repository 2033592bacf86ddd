package dev.shardline.bench.consumer;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.consumer.ConsumerConfig;
import dev.shardline.consumer.InitialPosition;
import dev.shardline.consumer.KinesisConsumer;
import dev.shardline.consumer.ProcessRecordsInput;
import dev.shardline.consumer.RecordProcessor;
import dev.shardline.consumer.Retrieval;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Shardline's KinesisConsumer at its defaults (TRIM_HORIZON; fan-out on the HTTP/2 client), or with
 * {@code perKeyParallelism} lanes per shard ({@link #withLanes}).
 */
final class ShardlineContender extends ContenderClients {
    private final int lanes;

    ShardlineContender(KinesisAsyncClient kinesis, KinesisAsyncClient kinesisH2, URI dynamoEndpoint) {
        this(kinesis, kinesisH2, dynamoEndpoint, 1);
    }

    private ShardlineContender(KinesisAsyncClient kinesis, KinesisAsyncClient kinesisH2, URI dynamoEndpoint,
                               int lanes) {
        super(kinesis, kinesisH2, dynamoEndpoint);
        this.lanes = lanes;
    }

    /** The same contender with {@code lanes} per-key lanes per shard. */
    ShardlineContender withLanes(int lanes, URI dynamoEndpoint) {
        return new ShardlineContender(kinesis, kinesisH2, dynamoEndpoint, lanes);
    }

    @Override
    public String name() {
        return lanes == 1 ? "Shardline" : "Shardline, " + lanes + " lanes";
    }

    @Override
    public Worker start(String app, String stream, String workerId, boolean fanOut, Sink sink) {
        ConsumerConfig config = ConsumerConfig.builder()
                .applicationName(app)
                .streamName(stream)
                .workerId(workerId)
                .processorFactory(() -> new Processor(sink))
                .initialPosition(InitialPosition.trimHorizon())
                .retrieval(fanOut ? Retrieval.fanOut(app) : Retrieval.polling())
                .kinesisClient(kinesisFor(fanOut))
                .dynamoDbClient(dynamo)
                .meterRegistry(new SimpleMeterRegistry())
                .perKeyParallelism(lanes)
                .maxBatchesInFlight(lanes == 1 ? 2 : 4)
                .build();
        KinesisConsumer consumer = new KinesisConsumer(config);
        consumer.start();
        return consumer::close;
    }

    /**
     * Reports every record; checkpoints at most once a second per shard (the same policy as the KCL processor).
     * With lanes it is called from several threads at once: the checkpoint time is only a hint.
     */
    static final class Processor implements RecordProcessor {
        private final Sink sink;
        private volatile long lastCheckpoint = System.nanoTime();

        Processor(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void processRecords(ProcessRecordsInput input) {
            for (UserRecord r : input.records()) {
                sink.record(input.shardId(), r.data());
            }
            if (System.nanoTime() - lastCheckpoint >= 1_000_000_000L) {
                input.checkpointer().checkpoint().join();
                lastCheckpoint = System.nanoTime();
            }
        }
    }
}
