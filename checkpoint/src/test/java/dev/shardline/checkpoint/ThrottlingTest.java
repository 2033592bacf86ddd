package dev.shardline.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardline.local.LocalClients;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;

/**
 * DynamoDB Local never throttles, so an interceptor turns chosen UpdateItem calls into a harmless DescribeLimits
 * before they are sent (the item is not touched) and answers them with DynamoDB's throttling error.
 */
@Timeout(30)
class ThrottlingTest {
    private final AtomicInteger throttleNext = new AtomicInteger();
    private final AtomicInteger throttled = new AtomicInteger();
    private DynamoDbAsyncClient client;
    private LeaseTable table;

    @BeforeEach
    void setUp() {
        client = DynamoDbAsyncClient.builder()
                .endpointOverride(TestDynamo.endpoint())
                .region(LocalClients.REGION)
                .credentialsProvider(LocalClients.credentials())
                .httpClient(NettyNioAsyncHttpClient.builder().build())
                // the SDK's own retries off: this tests the lease table's backoff
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD).retryStrategy(b -> b.maxAttempts(1))
                        .addExecutionInterceptor(new Throttler()))
                .build();
        table = LeaseTable.builder(client).applicationName(TestDynamo.uniqueApp("throttle")).workerId("w")
                .maxAttempts(4).backoff(Duration.ofMillis(10), Duration.ofMillis(40)).build();
        table.createIfMissing().join();
    }

    @AfterEach
    void tearDown() {
        client.close();
    }

    @Test
    void throttledWritesAreRetriedWithBackoff() {
        table.createLeaseIfAbsent(Lease.builder("s1").build()).join();
        Lease observed = table.getLease("s1").join().orElseThrow();
        throttleNext.set(3);
        Lease taken = table.take(observed).join().orElseThrow();
        assertThat(throttled).hasValue(3);
        assertThat(taken.counter()).as("applied exactly once").isEqualTo(observed.counter() + 1);

        LeaseHolding cp = table.hold(taken);
        cp.recordDelivered(ExtendedSequenceNumber.of("12"));
        throttleNext.set(2);
        cp.checkpoint().join();
        assertThat(throttled).hasValue(5);
        assertThat(table.getLease("s1").join().orElseThrow().checkpoint()).isEqualTo(ExtendedSequenceNumber.of("12"));
    }

    @Test
    void persistentThrottlingSurfacesAfterTheLastAttempt() {
        table.createLeaseIfAbsent(Lease.builder("s1").build()).join();
        Lease held = table.take(table.getLease("s1").join().orElseThrow()).join().orElseThrow();
        LeaseHolding cp = table.hold(held);
        cp.recordDelivered(ExtendedSequenceNumber.of("12"));
        throttleNext.set(100);
        assertThatThrownBy(() -> cp.checkpoint().join()).isInstanceOf(CompletionException.class)
                .satisfies(e -> assertThat(e.getCause()).isInstanceOf(DynamoDbException.class)
                        .hasMessageContaining("Rate of requests exceeds"));
        assertThat(throttled).hasValue(4);
        assertThat(cp.isLost()).as("throttling is not a lost lease").isFalse();
        throttleNext.set(0);
        cp.checkpoint().join(); // retried by the caller later: succeeds
        assertThat(table.getLease("s1").join().orElseThrow().checkpoint()).isEqualTo(ExtendedSequenceNumber.of("12"));
    }

    private static final software.amazon.awssdk.core.interceptor.ExecutionAttribute<Boolean> FLAG =
            new software.amazon.awssdk.core.interceptor.ExecutionAttribute<>("shardline.test.throttled");

    private final class Throttler implements ExecutionInterceptor {

        @Override
        public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
            SdkHttpRequest request = context.httpRequest();
            boolean update = request.firstMatchingHeader("X-Amz-Target").orElse("").endsWith(".UpdateItem");
            if (update && throttleNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throttled.incrementAndGet();
                attributes.putAttribute(FLAG, true);
                return request.toBuilder().putHeader("X-Amz-Target", "DynamoDB_20120810.DescribeLimits").build();
            }
            return request;
        }

        private boolean flagged(ExecutionAttributes attributes) {
            return Boolean.TRUE.equals(attributes.getAttribute(FLAG));
        }

        @Override
        public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
            if (!flagged(attributes)) {
                return context.httpResponse();
            }
            return context.httpResponse().toBuilder().statusCode(400).removeHeader("x-amz-crc32")
                    .removeHeader("Content-Length").putHeader("x-amzn-ErrorType", "ThrottlingException").build();
        }

        @Override
        public Optional<Publisher<ByteBuffer>> modifyAsyncHttpResponseContent(Context.ModifyHttpResponse context,
                                                                              ExecutionAttributes attributes) {
            if (!flagged(attributes)) {
                return context.responsePublisher();
            }
            String body = "{\"__type\":\"com.amazonaws.dynamodb.v20120810#ThrottlingException\","
                    + "\"message\":\"Rate of requests exceeds the allowed throughput.\"}";
            return Optional.of(AsyncRequestBody.fromBytes(body.getBytes(StandardCharsets.UTF_8)));
        }
    }
}
