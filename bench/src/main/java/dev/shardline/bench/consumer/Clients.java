package dev.shardline.bench.consumer;

import dev.shardline.local.LocalClients;
import java.net.URI;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/** A DynamoDB client on the local endpoint with a call counter, built the same way for both contenders. */
final class Clients {
    private Clients() {
    }

    static DynamoDbAsyncClient dynamo(URI endpoint, DynamoCallCounter counter) {
        return DynamoDbAsyncClient.builder()
                .endpointOverride(endpoint)
                .region(LocalClients.REGION)
                .credentialsProvider(LocalClients.credentials())
                .httpClient(NettyNioAsyncHttpClient.builder().maxConcurrency(50).build())
                .overrideConfiguration(c -> c.addExecutionInterceptor(counter))
                .build();
    }
}
