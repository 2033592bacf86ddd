package dev.shardline.consumer;

import dev.shardline.local.LocalClients;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.time.Duration;

/**
 * A consumer worker in its own JVM, for the failover test (which kills it without closing). Arguments: Kinesis
 * endpoint, DynamoDB endpoint, application, stream (several, comma-separated: a multi-stream application), worker
 * id, and optionally a number of per-key lanes. Checkpoints after every batch; prints "ready" once started and runs
 * until killed. With lanes, each record gets a random 0-2 ms of work and is printed as "seen DATA" (flushed before
 * the batch's checkpoint), so the test knows what it processed.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) throws Exception {
        Recorder recorder = new Recorder();
        int lanes = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        ConsumerConfig.Builder builder = ConsumerConfig.builder();
        if (args[3].contains(",")) {
            builder.streams(args[3].split(","));
        } else {
            builder.streamName(args[3]);
        }
        ConsumerConfig config = builder
                .applicationName(args[2])
                .workerId(args[4])
                .processorFactory(lanes == 1 ? recorder.factory(args[4]) : WorkerMain::printing)
                .perKeyParallelism(lanes)
                .maxRecordsPerCall(lanes == 1 ? 10_000 : 40)
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

    private static RecordProcessor printing() {
        return input -> {
            StringBuilder seen = new StringBuilder();
            for (dev.shardline.aggregation.UserRecord r : input.records()) {
                Cluster.sleep(java.util.concurrent.ThreadLocalRandom.current().nextInt(3));
                seen.append("seen ").append(r.dataAsUtf8()).append('\n');
            }
            synchronized (System.out) {
                System.out.print(seen);
                System.out.flush();
            }
            input.checkpointer().checkpoint().join();
        };
    }
}
