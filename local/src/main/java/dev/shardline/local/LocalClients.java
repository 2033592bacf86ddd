package dev.shardline.local;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * SDK clients pointed at local endpoints, with static dummy credentials and region us-east-1, so that neither the
 * credential chain nor instance metadata is consulted.
 */
public final class LocalClients {
    /** Region the local clients use. */
    public static final Region REGION = Region.US_EAST_1;

    private LocalClients() {
    }

    /** A Kinesis client on the Netty HTTP client: HTTP/1.1 for {@code http://}, HTTP/2 (trust all) for {@code https://}. */
    public static KinesisAsyncClient kinesis(URI endpoint) {
        return kinesisBuilder(endpoint).build();
    }

    /** The builder behind {@link #kinesis}, for tests that change more. */
    public static software.amazon.awssdk.services.kinesis.KinesisAsyncClientBuilder kinesisBuilder(URI endpoint) {
        boolean tls = "https".equals(endpoint.getScheme());
        NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
                .maxConcurrency(100)
                .connectionAcquisitionTimeout(Duration.ofSeconds(30));
        if (tls) {
            http.protocol(Protocol.HTTP2);
        }
        return KinesisAsyncClient.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(credentials())
                .httpClient(tls ? http.buildWithDefaults(AttributeMap.builder()
                        .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true).build()) : http.build());
    }

    /** A DynamoDB client on the Netty HTTP client. */
    public static DynamoDbAsyncClient dynamoDb(URI endpoint) {
        return DynamoDbAsyncClient.builder()
                .endpointOverride(endpoint)
                .region(REGION)
                .credentialsProvider(credentials())
                .httpClient(NettyNioAsyncHttpClient.builder().maxConcurrency(50).build())
                .build();
    }

    /** Static dummy credentials. */
    public static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }
}
