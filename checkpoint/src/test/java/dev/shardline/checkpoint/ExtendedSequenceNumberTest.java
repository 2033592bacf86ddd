package dev.shardline.checkpoint;

import static dev.shardline.checkpoint.ExtendedSequenceNumber.AT_TIMESTAMP;
import static dev.shardline.checkpoint.ExtendedSequenceNumber.LATEST;
import static dev.shardline.checkpoint.ExtendedSequenceNumber.SHARD_END;
import static dev.shardline.checkpoint.ExtendedSequenceNumber.TRIM_HORIZON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ExtendedSequenceNumberTest {

    @Test
    void comparesSequenceNumbersAsBigIntegersThenSubSequence() {
        // Lexicographically "9..." > "10...", numerically the reverse.
        ExtendedSequenceNumber shortOne = ExtendedSequenceNumber.of("9" + "0".repeat(40));
        ExtendedSequenceNumber longOne = ExtendedSequenceNumber.of("1" + "0".repeat(41));
        assertThat(shortOne).isLessThan(longOne);
        assertThat(ExtendedSequenceNumber.of("49590338271490256608559692538361571095921575989136588898", 3))
                .isGreaterThan(ExtendedSequenceNumber.of("49590338271490256608559692538361571095921575989136588898", 2))
                .isLessThan(ExtendedSequenceNumber.of("49590338271490256608559692538361571095921575989136588899", 0));
        assertThat(ExtendedSequenceNumber.of("007", 1)).isEqualTo(ExtendedSequenceNumber.of("7", 1));
    }

    @Test
    void sortsLikeBigIntegerPairs() {
        Random random = new Random(42);
        List<ExtendedSequenceNumber> values = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            values.add(ExtendedSequenceNumber.of(new BigInteger(1 + random.nextInt(400), random).toString(), random.nextInt(3)));
        }
        Collections.shuffle(values, random);
        List<ExtendedSequenceNumber> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        for (int i = 1; i < sorted.size(); i++) {
            BigInteger a = new BigInteger(sorted.get(i - 1).sequenceNumber());
            BigInteger b = new BigInteger(sorted.get(i).sequenceNumber());
            assertThat(a.compareTo(b) < 0 || a.equals(b)
                    && sorted.get(i - 1).subSequenceNumber() <= sorted.get(i).subSequenceNumber()).isTrue();
        }
    }

    @Test
    void sentinelsSortAroundRealPositionsAndParseByName() {
        ExtendedSequenceNumber any = ExtendedSequenceNumber.of("1");
        assertThat(AT_TIMESTAMP).isLessThan(TRIM_HORIZON);
        assertThat(TRIM_HORIZON).isLessThan(LATEST);
        assertThat(LATEST).isLessThan(any);
        assertThat(SHARD_END).isGreaterThan(ExtendedSequenceNumber.of("9".repeat(38), Long.MAX_VALUE));
        assertThat(ExtendedSequenceNumber.of("SHARD_END", 0)).isSameAs(SHARD_END);
        assertThat(ExtendedSequenceNumber.of("TRIM_HORIZON")).isSameAs(TRIM_HORIZON);
        assertThat(SHARD_END.isSentinel()).isTrue();
        assertThat(SHARD_END.isShardEnd()).isTrue();
        assertThat(any.isSentinel()).isFalse();
    }

    @Test
    void rejectsBadInputNamingTheField() {
        assertThatThrownBy(() -> ExtendedSequenceNumber.of(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sequenceNumber");
        assertThatThrownBy(() -> ExtendedSequenceNumber.of("12a")).hasMessageContaining("sequenceNumber");
        assertThatThrownBy(() -> ExtendedSequenceNumber.of("-1")).hasMessageContaining("sequenceNumber");
        assertThatThrownBy(() -> ExtendedSequenceNumber.of("1".repeat(130))).hasMessageContaining("129 digits");
        assertThat(ExtendedSequenceNumber.of("1".repeat(129)).sequenceNumber()).hasSize(129);
        assertThatThrownBy(() -> ExtendedSequenceNumber.of("5", -1)).hasMessageContaining("subSequenceNumber");
    }
}
