package dev.shardline.examples.cli;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsAsyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.async.SdkAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.utils.AttributeMap;

/**
 * The connection flags every verb that talks to AWS shares. Without them: real AWS with the default credential
 * and region chains. With an endpoint on a loopback host: static dummy credentials and the given region (default
 * us-east-1), so neither chain, nor instance metadata, is consulted.
 */
public final class ConnectionOptions {
    @Option(names = "--endpoint", paramLabel = "URL", description = "Kinesis endpoint (default: AWS)")
    URI endpoint;

    @Option(names = "--dynamodb-endpoint", paramLabel = "URL", description = "DynamoDB endpoint (default: AWS)")
    URI dynamodbEndpoint;

    @Option(names = "--region", paramLabel = "NAME", description = "AWS region (default: the region chain, or "
            + "us-east-1 for a loopback endpoint)")
    String region;

    @Option(names = "--insecure", description = "Trust any TLS certificate (for the local endpoint's TLS port)")
    boolean insecure;

    public ConnectionOptions() {
    }

    /** Options for the given endpoints (tests and the demo). */
    public static ConnectionOptions local(URI kinesisEndpoint, URI dynamoDbEndpoint) {
        ConnectionOptions options = new ConnectionOptions();
        options.endpoint = kinesisEndpoint;
        options.dynamodbEndpoint = dynamoDbEndpoint;
        return options;
    }

    /** Options for the given endpoints, trusting any certificate (the local endpoint's self-signed TLS port). */
    public static ConnectionOptions localInsecure(URI kinesisEndpoint, URI dynamoDbEndpoint) {
        ConnectionOptions options = local(kinesisEndpoint, dynamoDbEndpoint);
        options.insecure = true;
        return options;
    }

    public URI endpoint() {
        return endpoint;
    }

    public URI dynamodbEndpoint() {
        return dynamodbEndpoint;
    }

    public KinesisAsyncClient kinesis() {
        var builder = KinesisAsyncClient.builder();
        configure(builder, endpoint, true);
        return builder.build();
    }

    /**
     * A Kinesis client that always speaks HTTP/2 (enhanced fan-out needs it): over TLS as usual, and with prior
     * knowledge (h2c) on a plain {@code http://} endpoint such as the local one.
     */
    public KinesisAsyncClient kinesisHttp2() {
        var builder = KinesisAsyncClient.builder();
        configure(builder, endpoint, true);
        builder.httpClient(httpClient(true));
        return builder.build();
    }

    public DynamoDbAsyncClient dynamoDb() {
        var builder = DynamoDbAsyncClient.builder();
        configure(builder, dynamodbEndpoint, false);
        return builder.build();
    }

    private <B extends AwsClientBuilder<B, ?> & AwsAsyncClientBuilder<B, ?>> void configure(B builder, URI uri,
            boolean http2) {
        builder.httpClient(httpClient(http2 && uri != null && "https".equals(uri.getScheme())));
        if (uri != null) {
            builder.endpointOverride(uri);
        }
        if (uri != null && isLoopback(uri)) {
            builder.credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")));
            builder.region(Region.of(region != null ? region : "us-east-1"));
        } else {
            builder.credentialsProvider(DefaultCredentialsProvider.builder().build());
            if (region != null) {
                builder.region(Region.of(region));
            }
        }
    }

    private SdkAsyncHttpClient httpClient(boolean http2) {
        NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder()
                .maxConcurrency(200)
                // Fail an unreachable endpoint in seconds, not minutes.
                .connectionTimeout(Duration.ofSeconds(5))
                .connectionAcquisitionTimeout(Duration.ofSeconds(15));
        if (http2) {
            http.protocol(Protocol.HTTP2);
        }
        if (insecure) {
            return http.buildWithDefaults(AttributeMap.builder()
                    .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true).build());
        }
        return http.build();
    }

    /** True when the URI's host is a loopback address (127.0.0.0/8, ::1, localhost). */
    public static boolean isLoopback(URI uri) {
        String host = uri.getHost();
        if (host == null) {
            return false;
        }
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        if (!host.matches("[0-9.]+|\\[?[0-9a-fA-F:]+\\]?")) {
            return false; // never resolve a real host name just to ask
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
