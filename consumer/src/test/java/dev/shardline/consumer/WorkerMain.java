package dev.shardline.consumer;

import dev.shardline.local.LocalClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;

/**
 * A consumer worker in its own JVM, for the failover test (which kills it without closing). Arguments: Kinesis
 * endpoint, DynamoDB endpoint, application, stream (several, comma-separated: a multi-stream application), worker
 * id. Checkpoints after every batch; prints "ready" once
 * started and runs until killed.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        Recorder recorder = new Recorder();
        ConsumerConfig.Builder builder = ConsumerConfig.builder();
        if (args[3].contains(",")) {
            builder.streams(args[3].split(","));
        } else {
            builder.streamName(args[3]);
        }
        ConsumerConfig config = builder
                .applicationName(args[2])
                .workerId(args[4])
                .processorFactory(recorder.factory(args[4]))
                .initialPosition(InitialPosition.trimHorizon())
                .failoverTime(Duration.ofSeconds(1))
                .leaseInterval(Duration.ofMillis(200))
                .idleTimeBetweenReads(Duration.ofMillis(50))
                .meterRegistry(new SimpleMeterRegistry())
                .kinesisClient(LocalClients.kinesis(URI.create(args[0])))
                .dynamoDbClient(LocalClients.dynamoDb(URI.create(args[1])))
                .build();
        KinesisConsumer consumer = new KinesisConsumer(config);
        consumer.start();
        System.out.println("ready");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
