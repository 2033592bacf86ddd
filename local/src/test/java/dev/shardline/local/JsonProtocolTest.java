package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/**
 * The lifecycle, limits and fault tests again with the SDK's CBOR off ({@code -Daws.cborEnabled=false}): JSON 1.1
 * with base64 blobs and epoch-second timestamps. Each nested class checks the server saw JSON, not CBOR.
 */
class JsonProtocolTest {
    @BeforeAll
    static void jsonOn() {
        System.setProperty("aws.cborEnabled", "false");
    }

    @AfterAll
    static void jsonOff() {
        System.clearProperty("aws.cborEnabled");
    }

    private static final java.util.concurrent.atomic.AtomicLong JSON_CALLS = new java.util.concurrent.atomic.AtomicLong();

    /** No CBOR reached the server (some tests use a second server of their own: those count nothing here). */
    static void sawOnlyJson(LocalKinesis kinesis) {
        assertThat(kinesis.calls(WireFormat.CBOR)).isZero();
        JSON_CALLS.addAndGet(kinesis.calls(WireFormat.JSON));
    }

    @AfterAll
    static void jsonWasUsed() {
        assertThat(JSON_CALLS.get()).isGreaterThan(100);
    }

    @Nested
    class Lifecycle extends StreamLifecycleTest {
        @AfterEach
        void json() {
            sawOnlyJson(kinesis);
        }
    }

    @Nested
    class Limits extends LimitsTest {
        @AfterEach
        void json() {
            sawOnlyJson(kinesis);
        }
    }

    @Nested
    class Faults extends FaultsTest {
        @AfterEach
        void json() {
            sawOnlyJson(kinesis);
        }
    }
}
