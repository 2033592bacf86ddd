package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.http.Protocol;
import software.amazon.awssdk.http.ProtocolNegotiation;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.utils.AttributeMap;

/** The TLS port with and without ALPN, HTTP/1.1 and HTTP/2, raw JSON, and STS GetCallerIdentity. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TransportTest {
    static LocalKinesis kinesis;

    @BeforeAll
    static void start() {
        kinesis = LocalKinesis.builder().build().start();
        kinesis.createStream("t", 2);
    }

    @AfterAll
    static void stop() {
        kinesis.close();
    }

    @Test
    void tlsWithAlpnH2() throws Exception {
        AttributeMap trustAll = AttributeMap.builder().put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true)
                .build();
        try (KinesisAsyncClient client = KinesisAsyncClient.builder().endpointOverride(kinesis.tlsEndpoint())
                .region(LocalClients.REGION).credentialsProvider(LocalClients.credentials())
                .httpClient(NettyNioAsyncHttpClient.builder().protocol(Protocol.HTTP2)
                        .protocolNegotiation(ProtocolNegotiation.ALPN).buildWithDefaults(trustAll))
                .build()) {
            assertThat(client.listShards(b -> b.streamName("t")).get().shards()).hasSize(2);
        }
    }

    @Test
    void tlsHttp1WithoutAlpnFromTheSyncClient() {
        try (KinesisClient client = SdkClients.sync(kinesis.tlsEndpoint())) {
            assertThat(client.listShards(b -> b.streamName("t")).shards()).hasSize(2);
        }
    }

    @Test
    void stsGetCallerIdentityOnBothPorts() {
        for (var endpoint : new java.net.URI[] {kinesis.endpoint(), kinesis.tlsEndpoint()}) {
            try (StsClient sts = StsClient.builder().endpointOverride(endpoint).region(LocalClients.REGION)
                    .credentialsProvider(LocalClients.credentials())
                    .httpClient(UrlConnectionHttpClient.builder().buildWithDefaults(AttributeMap.builder()
                            .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, true).build()))
                    .build()) {
                var identity = sts.getCallerIdentity();
                assertThat(identity.account()).isEqualTo("000000000000");
                assertThat(identity.arn()).startsWith("arn:aws:iam::000000000000:");
            }
        }
    }

    @Test
    void rawJsonOverHttp1ShowsBase64BlobsAndEpochSecondTimestamps() throws Exception {
        String put = post("PutRecord", "{\"StreamName\":\"t\",\"PartitionKey\":\"p\",\"Data\":\"aGVsbG8=\"}");
        assertThat(put).startsWith("HTTP/1.1 200").contains("\"SequenceNumber\":\"49");
        String describe = post("DescribeStreamSummary", "{\"StreamName\":\"t\"}");
        assertThat(describe).containsPattern("\"StreamCreationTimestamp\":1\\.\\d+E9");
        String error = post("DescribeStream", "{\"StreamName\":\"none\"}");
        assertThat(error).startsWith("HTTP/1.1 400").contains("x-amzn-ErrorType: ResourceNotFoundException")
                .contains("\"__type\":\"ResourceNotFoundException\"");
        String unknown = post("Frobnicate", "{}");
        assertThat(unknown).startsWith("HTTP/1.1 400").contains("UnknownOperationException");
    }

    @Test
    void maxRecordSizeIsSetPerStreamUpTo10MiB() throws Exception {
        assertThat(post("CreateStream", "{\"StreamName\":\"big\",\"ShardCount\":1,\"MaxRecordSizeInKiB\":2048}"))
                .startsWith("HTTP/1.1 200");
        assertThat(post("DescribeStreamSummary", "{\"StreamName\":\"big\"}")).contains("\"MaxRecordSizeInKiB\":2048");
        assertThat(post("UpdateMaxRecordSize", "{\"StreamARN\":\"" + kinesis.streamArn("big")
                + "\",\"MaxRecordSizeInKiB\":10241}")).startsWith("HTTP/1.1 400").contains("ValidationException")
                .contains("10240");
        assertThat(post("UpdateMaxRecordSize", "{\"StreamARN\":\"" + kinesis.streamArn("big")
                + "\",\"MaxRecordSizeInKiB\":10240}")).startsWith("HTTP/1.1 200");
        assertThat(kinesis.store().find("big").maxRecordSizeKiB()).isEqualTo(10240);
    }

    private static String post(String operation, String json) throws Exception {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        try (Socket socket = new Socket("127.0.0.1", kinesis.port())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-amz-json-1.1\r\n"
                    + "X-Amz-Target: Kinesis_20131202." + operation + "\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
