package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalDynamoDbTest {
    @Test
    void servesTheDynamoDbApiOnLoopback() throws Exception {
        try (LocalDynamoDb dynamo = new LocalDynamoDb().start();
                DynamoDbAsyncClient client = LocalClients.dynamoDb(dynamo.endpoint())) {
            assertThat(dynamo.endpoint().getHost()).isEqualTo("127.0.0.1");
            client.createTable(b -> b.tableName("things")
                    .keySchema(KeySchemaElement.builder().attributeName("k").keyType(KeyType.HASH).build())
                    .attributeDefinitions(AttributeDefinition.builder().attributeName("k")
                            .attributeType(ScalarAttributeType.S).build())
                    .billingMode(BillingMode.PAY_PER_REQUEST)).get();
            client.putItem(b -> b.tableName("things").item(java.util.Map.of("k", AttributeValue.fromS("v"),
                    "n", AttributeValue.fromN("7")))).get();
            var item = client.getItem(b -> b.tableName("things").key(java.util.Map.of("k", AttributeValue.fromS("v"))))
                    .get().item();
            assertThat(item.get("n").n()).isEqualTo("7");
        }
    }

    @Test
    void closeFreesThePort() throws Exception {
        int port;
        try (LocalDynamoDb dynamo = new LocalDynamoDb().start()) {
            port = dynamo.port();
        }
        try (Socket socket = new Socket()) {
            boolean connected;
            try {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                connected = true;
            } catch (java.io.IOException e) {
                connected = false;
            }
            assertThat(connected).as("port %d still accepts connections after close", port).isFalse();
        }
    }
}
