package dev.shardline.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** KCL's rule for aggregates put before a reshard was seen: any user record outside the shard drops them all. */
@Timeout(30)
class HashKeyRangeRuleTest {
    private static final HashKeyRange LOWER_HALF = new HashKeyRange(BigInteger.ZERO,
            BigInteger.ONE.shiftLeft(127).subtract(BigInteger.ONE));
    private static final String INSIDE = "1000";
    private static final String OUTSIDE = BigInteger.ONE.shiftLeft(127).toString();

    private static UserRecord aggregate(String... explicitHashKeys) {
        Aggregator aggregator = new Aggregator();
        for (int i = 0; i < explicitHashKeys.length; i++) {
            aggregator.add("pk" + i, explicitHashKeys[i], new byte[] {(byte) i});
        }
        KinesisRecord record = aggregator.build();
        assertThat(record.aggregated()).isTrue();
        return Oracle.received(record, "77", Instant.EPOCH);
    }

    @Test
    void aggregateWhollyInsideIsKept() {
        assertThat(Deaggregator.deaggregate(List.of(aggregate(INSIDE, "0", INSIDE)), LOWER_HALF)).hasSize(3);
    }

    @Test
    void oneRecordOutsideDropsTheWholeAggregate() {
        assertThat(Deaggregator.deaggregate(List.of(aggregate(INSIDE, INSIDE, OUTSIDE)), LOWER_HALF)).isEmpty();
        assertThat(Deaggregator.deaggregate(aggregate(OUTSIDE, INSIDE), LOWER_HALF, r -> {
            throw new AssertionError("nothing may reach the sink, got " + r);
        })).isZero();
    }

    @Test
    void boundsAreInclusive() {
        String end = LOWER_HALF.endingHashKey().toString();
        assertThat(Deaggregator.deaggregate(List.of(aggregate("0", end)), LOWER_HALF)).hasSize(2);
    }

    @Test
    void partitionKeyHashDecidesWhenThereIsNoExplicitHashKey() {
        // Find keys whose MD5 falls in each half, computed independently of HashKeys.
        String low = null;
        String high = null;
        for (int i = 0; low == null || high == null; i++) {
            String key = "key-" + i;
            if (new BigInteger(Oracle.md5Decimal(key)).testBit(127)) {
                high = high == null ? key : high;
            } else {
                low = low == null ? key : low;
            }
        }
        Aggregator aggregator = new Aggregator();
        aggregator.add(low, null, new byte[] {1});
        aggregator.add(low, null, new byte[] {2});
        UserRecord lowOnly = Oracle.received(aggregator.build(), "1", Instant.EPOCH);
        aggregator.add(low, null, new byte[] {1});
        aggregator.add(high, null, new byte[] {2});
        UserRecord mixed = Oracle.received(aggregator.build(), "2", Instant.EPOCH);

        List<UserRecord> kept = Deaggregator.deaggregate(List.of(lowOnly, mixed), LOWER_HALF);

        assertThat(kept).extracting(UserRecord::sequenceNumber).containsExactly("1", "1");
        assertThat(kept.get(0).effectiveHashKey()).isEqualTo(new BigInteger(Oracle.md5Decimal(low)));
        assertThat(HashKeys.hashKey(high)).isEqualTo(new BigInteger(Oracle.md5Decimal(high)));
    }

    @Test
    void plainRecordsAreNeverDropped() {
        // Kinesis placed a plain record itself; only aggregates can be stray copies.
        UserRecord plain = UserRecord.kinesisRecord("5", "whatever", new byte[] {9}, Instant.EPOCH);
        assertThat(Deaggregator.deaggregate(List.of(plain), new HashKeyRange(BigInteger.ZERO, BigInteger.ZERO)))
                .containsExactly(plain);
    }

    @Test
    void noRangeMeansNoCheck() {
        assertThat(Deaggregator.deaggregate(List.of(aggregate(INSIDE, OUTSIDE)))).hasSize(2);
    }

    @Test
    void wholeKeySpaceKeepsEverythingWellFormed() {
        assertThat(HashKeyRange.ALL.isAll()).isTrue();
        assertThat(HashKeyRange.of("0", Limits.MAX_HASH_KEY.toString()).isAll()).isTrue();
        assertThat(LOWER_HALF.isAll()).isFalse();
        assertThat(HashKeyRange.of("1", Limits.MAX_HASH_KEY.toString()).isAll()).isFalse();
        assertThat(Deaggregator.deaggregate(List.of(aggregate("0", OUTSIDE, Limits.MAX_HASH_KEY.toString())),
                HashKeyRange.ALL)).hasSize(3);
    }

    @Test
    void digestComparisonAgreesWithBigIntegerAtTheBounds() {
        HashKeyRange range = HashKeyRange.of("18446744073709551615", "18446744073709551616"); // 2^64-1 .. 2^64
        for (BigInteger key : List.of(BigInteger.ONE.shiftLeft(64).subtract(BigInteger.TWO),
                BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE), BigInteger.ONE.shiftLeft(64),
                BigInteger.ONE.shiftLeft(64).add(BigInteger.ONE), Limits.MAX_HASH_KEY, BigInteger.ZERO)) {
            byte[] digest = new byte[16];
            byte[] raw = key.toByteArray();
            int length = Math.min(raw.length, 16);
            System.arraycopy(raw, raw.length - length, digest, 16 - length, length);
            assertThat(range.containsDigest(digest)).as("%s", key).isEqualTo(range.contains(key));
        }
    }

    @Test
    void rangeParsesKinesisDecimalStringsAndRefusesInvertedBounds() {
        HashKeyRange range = HashKeyRange.of("10", "20");
        assertThat(range.contains(BigInteger.TEN)).isTrue();
        assertThat(range.contains(BigInteger.valueOf(21))).isFalse();
        assertThat(range).isEqualTo(new HashKeyRange(BigInteger.TEN, BigInteger.valueOf(20)));
        assertThatThrownBy(() -> HashKeyRange.of("20", "10")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> HashKeyRange.of("-1", "10")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new HashKeyRange(BigInteger.ZERO, Limits.MAX_HASH_KEY.add(BigInteger.ONE)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2^128-1");
    }
}
