package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The stream consumer operations again with the SDK's CBOR off ({@code -Daws.cborEnabled=false}): JSON 1.1, with
 * epoch-second timestamps. (SubscribeToShard always travels as JSON, whatever this setting.)
 */
class StreamConsumerJsonProtocolTest {
    @BeforeAll
    static void jsonOn() {
        System.setProperty("aws.cborEnabled", "false");
    }

    @AfterAll
    static void jsonOff() {
        System.clearProperty("aws.cborEnabled");
    }

    @Nested
    class Operations extends StreamConsumerOperationsTest {
        @AfterEach
        void sawOnlyJson() {
            assertThat(kinesis.calls(WireFormat.CBOR)).isZero();
            assertThat(kinesis.calls(WireFormat.JSON)).isPositive();
        }
    }
}
