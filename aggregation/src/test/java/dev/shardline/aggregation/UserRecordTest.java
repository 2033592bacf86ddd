package dev.shardline.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** User records cut out of an aggregate are views of its bytes: they must still behave as independent values. */
@Timeout(30)
class UserRecordTest {
    private static List<UserRecord> twoFromOneAggregate(String sequenceNumber) {
        Aggregator aggregator = new Aggregator();
        aggregator.add("k1", null, "hello".getBytes());
        aggregator.add("k2", "42", "wörld".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return Deaggregator.deaggregate(Oracle.received(aggregator.build(), sequenceNumber, Instant.EPOCH));
    }

    @Test
    void dataIsAReadOnlyViewOfExactlyTheRecord() {
        UserRecord second = twoFromOneAggregate("1").get(1);
        ByteBuffer data = second.data();
        assertThat(data.position()).isZero();
        assertThat(data.remaining()).isEqualTo(second.dataLength()).isEqualTo(6);
        assertThat(data.isReadOnly()).isTrue();
        assertThatThrownBy(() -> data.put(0, (byte) 1)).isInstanceOf(ReadOnlyBufferException.class);
        assertThat(second.dataAsUtf8()).isEqualTo("wörld");
        assertThat(Oracle.bytes(second.data())).isEqualTo(second.dataBytes());
    }

    @Test
    void dataBytesIsACopy() {
        UserRecord first = twoFromOneAggregate("1").get(0);
        byte[] copy = first.dataBytes();
        copy[0] = 'J';
        assertThat(first.dataAsUtf8()).isEqualTo("hello");
    }

    @Test
    void equalityIsByContentNotByArray() {
        List<UserRecord> a = twoFromOneAggregate("7");
        List<UserRecord> b = twoFromOneAggregate("7");
        assertThat(a.get(1)).isEqualTo(b.get(1)).hasSameHashCodeAs(b.get(1));
        assertThat(a.get(0)).isNotEqualTo(a.get(1));
        assertThat(a).isNotEqualTo(twoFromOneAggregate("8"));
        UserRecord plain = UserRecord.kinesisRecord("7", "k1", "hello".getBytes(), Instant.EPOCH);
        assertThat(plain).isNotEqualTo(a.get(0)); // same content, but one came out of an aggregate
        assertThat(a.get(1).toString()).contains("explicitHashKey=42", "bytes=6", "aggregated");
    }
}
