package dev.shardline.local;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.utils.AttributeMap;

/** SDK clients of every kind the tests use, without retries so errors surface at once. */
final class SdkClients {
    private SdkClients() {
    }

    static ClientOverrideConfiguration noRetries() {
        return ClientOverrideConfiguration.builder()
                .retryStrategy(RetryMode.STANDARD)
                .retryStrategy(b -> b.maxAttempts(1))
                .apiCallTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** Netty async client; HTTP/2 when {@code http2} (h2c prior knowledge on http://, ALPN on https://). */
    static KinesisAsyncClient async(URI endpoint, boolean http2) {
        NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder().maxConcurrency(50);
        if (http2) {
            http.protocol(Protocol.HTTP2);
        }
        AttributeMap trustAll = AttributeMap.builder()
                .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true).build();
        return KinesisAsyncClient.builder()
                .endpointOverride(endpoint)
                .region(LocalClients.REGION)
                .credentialsProvider(LocalClients.credentials())
                .overrideConfiguration(noRetries())
                .httpClient(http.buildWithDefaults(trustAll))
                .build();
    }

    /** Synchronous client on the JDK's URL connection (HTTP/1.1). */
    static KinesisClient sync(URI endpoint) {
        return KinesisClient.builder()
                .endpointOverride(endpoint)
                .region(LocalClients.REGION)
                .credentialsProvider(LocalClients.credentials())
                .overrideConfiguration(noRetries())
                .httpClient(UrlConnectionHttpClient.builder().buildWithDefaults(AttributeMap.builder()
                        .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true).build()))
                .build();
    }
}
