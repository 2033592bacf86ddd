package dev.shardline.bench.consumer;

import dev.shardline.bench.checkpoint.DynamoDbCallMeter;
import dev.shardline.consumer.ConsumerConfig;
import dev.shardline.consumer.InitialPosition;
import dev.shardline.consumer.KinesisConsumer;
import dev.shardline.local.LocalClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * One Shardline worker in its own JVM for {@link ScaleCommand}: defaults except the idle poll, a DynamoDB call meter
 * on its client. Arguments: Kinesis endpoint, DynamoDB endpoint, application, stream, worker id, idle poll (ms).
 * Prints {@code stats held=N calls=C cu=X} every second; runs until killed.
 */
public final class ScaleWorker {
    private ScaleWorker() {
    }

    public static void main(String[] args) throws Exception {
        DynamoDbCallMeter meter = new DynamoDbCallMeter();
        DynamoDbAsyncClient dynamo = DynamoDbAsyncClient.builder()
                .endpointOverride(URI.create(args[1]))
                .region(LocalClients.REGION)
                .credentialsProvider(LocalClients.credentials())
                .httpClient(NettyNioAsyncHttpClient.builder().maxConcurrency(50).build())
                .overrideConfiguration(c -> c.addExecutionInterceptor(meter))
                .build();
        ConsumerConfig config = ConsumerConfig.builder()
                .applicationName(args[2]).streamName(args[3]).workerId(args[4])
                .processorFactory(() -> input -> input.checkpointer().checkpoint().join())
                .initialPosition(InitialPosition.latest())
                .idleTimeBetweenReads(Duration.ofMillis(Long.parseLong(args[5])))
                .meterRegistry(new SimpleMeterRegistry())
                .kinesisClient(LocalClients.kinesis(URI.create(args[0])))
                .dynamoDbClient(dynamo)
                .build();
        KinesisConsumer consumer = new KinesisConsumer(config);
        consumer.start();
        while (true) {
            long calls = 0;
            double cu = 0;
            for (DynamoDbCallMeter.Usage u : meter.snapshot().values()) {
                calls += u.calls();
                cu += u.capacityUnits();
            }
            System.out.println("stats held=" + consumer.heldShards().size() + " calls=" + calls + " cu=" + cu);
            System.out.flush();
            Thread.sleep(1000);
        }
    }
}
