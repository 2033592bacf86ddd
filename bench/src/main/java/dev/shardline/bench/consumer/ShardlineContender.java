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

/** Shardline's KinesisConsumer at its defaults (TRIM_HORIZON; fan-out on the HTTP/2 client). */
final class ShardlineContender extends ContenderClients {

    ShardlineContender(KinesisAsyncClient kinesis, KinesisAsyncClient kinesisH2, URI dynamoEndpoint) {
        super(kinesis, kinesisH2, dynamoEndpoint);
    }

    @Override
    public String name() {
        return "Shardline";
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
                .build();
        KinesisConsumer consumer = new KinesisConsumer(config);
        consumer.start();
        return consumer::close;
    }

    /** Reports every record; checkpoints at most once a second per shard (the same policy as the KCL processor). */
    static final class Processor implements RecordProcessor {
        private final Sink sink;
        private long lastCheckpoint = System.nanoTime();

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
