package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.ProvisionedThroughputExceededException;

/** Injected faults as the SDK sees them. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FaultsTest {
    LocalKinesis kinesis;
    KinesisAsyncClient client;

    @BeforeEach
    void start() {
        kinesis = LocalKinesis.builder().tls(false).build().start();
        kinesis.createStream("s", 1);
        kinesis.createStream("other", 1);
        client = SdkClients.async(kinesis.endpoint(), false);
    }

    @AfterEach
    void stop() {
        client.close();
        kinesis.close();
    }

    private void put(String stream) {
        client.putRecord(b -> b.streamName(stream).partitionKey("k").data(SdkBytes.fromUtf8String("x"))).join();
    }

    private Throwable failure(Runnable call) {
        return LimitsTest.cause(call);
    }

    @Test
    void throttleTheNextCallsOfOneOperationAndStream() {
        Faults.Active fault = kinesis.faults().inject(Fault.throttle().operation("PutRecord").stream("s").nextCalls(2));
        put("other");
        client.listShards(b -> b.streamName("s")).join();
        assertThat(failure(() -> put("s"))).isInstanceOf(ProvisionedThroughputExceededException.class);
        assertThat(failure(() -> put("s"))).isInstanceOf(ProvisionedThroughputExceededException.class);
        put("s");
        assertThat(fault.hits()).isEqualTo(2);
        assertThat(fault.isActive()).isFalse();
        assertThat(kinesis.store().find("s").shard(0).nextPosition()).isEqualTo(1);
    }

    @Test
    void internalFailureAndServiceUnavailableCarryTheirStatus() {
        kinesis.faults().inject(Fault.internalFailure().nextCalls(1));
        Throwable e500 = failure(() -> put("s"));
        assertThat(((KinesisException) e500).statusCode()).isEqualTo(500);
        assertThat(((KinesisException) e500).awsErrorDetails().errorCode()).isEqualTo("InternalFailure");
        kinesis.faults().inject(Fault.serviceUnavailable().operation("GetShardIterator").nextCalls(1));
        Throwable e503 = failure(() -> client.getShardIterator(b -> b.streamName("s").shardId("shardId-000000000000")
                .shardIteratorType("LATEST")).join());
        assertThat(((KinesisException) e503).statusCode()).isEqualTo(503);
        assertThat(kinesis.faults().active()).isEmpty();
    }

    @Test
    void throttleRecordsFailsEveryEntryWith200() {
        kinesis.faults().inject(Fault.throttleRecords().operation("PutRecords").nextCalls(1));
        var response = client.putRecords(b -> b.streamName("s").records(
                r -> r.partitionKey("a").data(SdkBytes.fromUtf8String("1")),
                r -> r.partitionKey("b").data(SdkBytes.fromUtf8String("2")))).join();
        assertThat(response.failedRecordCount()).isEqualTo(2);
        assertThat(response.records()).allSatisfy(r ->
                assertThat(r.errorCode()).isEqualTo("ProvisionedThroughputExceededException"));
        assertThat(kinesis.store().find("s").shard(0).nextPosition()).isZero();
    }

    @Test
    void latencyDelaysTheAnswer() {
        kinesis.faults().inject(Fault.latency(Duration.ofMillis(300)).operation("ListShards").nextCalls(1));
        long start = System.nanoTime();
        client.listShards(b -> b.streamName("s")).join();
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(290);
    }

    @Test
    void dropConnectionClosesItWithoutAnAnswer() {
        kinesis.faults().inject(Fault.dropConnection().operation("PutRecord").nextCalls(1));
        Throwable e = failure(() -> put("s"));
        assertThat(e).isInstanceOf(SdkClientException.class);
        put("s");
        assertThat(kinesis.store().find("s").shard(0).nextPosition()).isEqualTo(1);
    }

    @Test
    void rateAppliesToAShareOfCalls() {
        kinesis.faults().inject(Fault.throttle().operation("ListShards").rate(0.5));
        int failed = 0;
        for (int i = 0; i < 200; i++) {
            try {
                client.listShards(b -> b.streamName("s")).join();
            } catch (CompletionException e) {
                failed++;
            }
        }
        assertThat(failed).isBetween(50, 150);
        kinesis.faults().clear();
        client.listShards(b -> b.streamName("s")).join();
    }

    @Test
    void faultsValidateTheirSettings() {
        assertThatThrownBy(() -> Fault.throttle().nextCalls(0)).hasMessageContaining("nextCalls");
        assertThatThrownBy(() -> Fault.throttle().rate(1.5)).hasMessageContaining("rate");
        assertThatThrownBy(() -> Fault.latency(Duration.ofMillis(-1))).hasMessageContaining("latency");
    }
}
