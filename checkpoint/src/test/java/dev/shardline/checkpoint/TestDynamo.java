package dev.shardline.checkpoint;

import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalDynamoDb;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/** One DynamoDB Local per test JVM (starting one costs ~1 s), with a fresh table name per test. */
final class TestDynamo {
    private static final AtomicInteger TABLES = new AtomicInteger();
    private static LocalDynamoDb dynamo;
    private static DynamoDbAsyncClient client;

    private TestDynamo() {
    }

    static synchronized DynamoDbAsyncClient client() {
        if (client == null) {
            dynamo = new LocalDynamoDb().start();
            client = LocalClients.dynamoDb(dynamo.endpoint());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                client.close();
                dynamo.close();
            }));
        }
        return client;
    }

    static synchronized java.net.URI endpoint() {
        client();
        return dynamo.endpoint();
    }

    static String uniqueApp(String prefix) {
        return prefix + "-" + TABLES.incrementAndGet() + "-" + System.nanoTime() % 100000;
    }

    static LeaseTable table(String app, String worker) {
        return LeaseTable.builder(client()).applicationName(app).workerId(worker).build();
    }
}
