package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LocalKinesisExtensionTest {
    @RegisterExtension
    static LocalKinesisExtension local = LocalKinesisExtension.builder()
            .stream("orders", 2)
            .withDynamoDb()
            .configure(b -> b.limitsEnabled(false))
            .build();

    @Test
    void givesRunningServersAndClients(LocalKinesis kinesis, KinesisAsyncClient client, DynamoDbAsyncClient dynamo)
            throws Exception {
        assertThat(kinesis.limitsEnabled()).isFalse();
        var put = client.putRecord(b -> b.streamName("orders").partitionKey("k").data(SdkBytes.fromUtf8String("x")))
                .get();
        assertThat(put.sequenceNumber()).hasSize(56);
        assertThat(dynamo.listTables().get().tableNames()).isEmpty();
        assertThat(local.kinesisClient()).isSameAs(client);
    }

    @Test
    void startsInUnderASecond() {
        long start = System.nanoTime();
        try (LocalKinesis kinesis = LocalKinesis.builder().build().start()) {
            kinesis.createStream("quick", 4);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
        }
    }

    @Test
    void faultSpecsParse() {
        Fault fault = Fault.parse("throttle,op=PutRecords,stream=orders,next=3");
        assertThat(fault.kind()).isEqualTo(Fault.Kind.THROTTLE);
        assertThat(fault.operations()).containsExactly("PutRecords");
        assertThat(fault.streams()).containsExactly("orders");
        assertThat(fault.nextCallsLimit()).isEqualTo(3);
        assertThat(Fault.parse("latency,latency=250ms,rate=0.5").latencyDelay().toMillis()).isEqualTo(250);
        assertThat(Fault.parse("503").kind()).isEqualTo(Fault.Kind.SERVICE_UNAVAILABLE);
        assertThatThrownBy(() -> Fault.parse("explode")).hasMessageContaining("unknown fault kind");
        assertThatThrownBy(() -> Fault.parse("throttle,next=x")).hasMessageContaining("next");
    }
}
