package dev.shardline.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Invalid records are refused with a message naming the field and the limit, and change nothing. */
@Timeout(30)
class AggregatorBadInputTest {
    private static final int MAX = 1000;
    private static final String EMOJI = "\uD83D\uDE9A"; // U+1F69A, one code point, two UTF-16 chars, 4 UTF-8 bytes

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("null data", "pk", null, null, "data", "must not be null"),
                Arguments.of("null partition key", null, null, new byte[1], "partitionKey", "must not be null"),
                Arguments.of("empty partition key", "", null, new byte[1], "partitionKey", "1 to 256"),
                Arguments.of("257 ASCII characters", "k".repeat(257), null, new byte[1], "partitionKey", "256"),
                Arguments.of("257 emoji", EMOJI.repeat(257), null, new byte[1], "partitionKey", "256"),
                Arguments.of("lone high surrogate", "ab\uD83D", null, new byte[1], "partitionKey", "surrogate"),
                Arguments.of("lone low surrogate", "\uDE9Aab", null, new byte[1], "partitionKey", "surrogate"),
                Arguments.of("hash key not decimal", "pk", "12a4", new byte[1], "explicitHashKey", "2^128-1"),
                Arguments.of("hash key hexadecimal", "pk", "0x10", new byte[1], "explicitHashKey", "2^128-1"),
                Arguments.of("hash key negative", "pk", "-1", new byte[1], "explicitHashKey", "2^128-1"),
                Arguments.of("hash key with plus sign", "pk", "+1", new byte[1], "explicitHashKey", "2^128-1"),
                Arguments.of("hash key empty", "pk", "", new byte[1], "explicitHashKey", "2^128-1"),
                Arguments.of("hash key with space", "pk", " 1", new byte[1], "explicitHashKey", "2^128-1"),
                Arguments.of("hash key leading zero", "pk", "007", new byte[1], "explicitHashKey", "leading zeros"),
                Arguments.of("hash key 2^128", "pk", BigInteger.ONE.shiftLeft(128).toString(), new byte[1],
                        "explicitHashKey", "2^128-1"),
                Arguments.of("hash key 40 digits", "pk", "1".repeat(40), new byte[1], "explicitHashKey", "2^128-1"),
                Arguments.of("data + key one over the limit", "pk", null, new byte[MAX - 1], "data",
                        "over the limit of " + MAX + " bytes"),
                Arguments.of("multi-byte key pushes it over", "\u00e9", null, new byte[MAX - 1], "data",
                        "over the limit of " + MAX + " bytes"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void refusedWithFieldAndLimitAndNothingChanges(String name, String pk, String ehk, byte[] data, String field,
            String limitText) {
        Aggregator aggregator = new Aggregator(MAX, 10);
        aggregator.add("first", null, new byte[] {1, 2, 3});
        aggregator.add("second", "99", new byte[] {4});
        int bytes = aggregator.sizeBytes();
        long userBytes = aggregator.userDataBytes();

        assertThatThrownBy(() -> aggregator.add(pk, ehk, data))
                .isInstanceOfSatisfying(InvalidRecordException.class, e -> assertThat(e.field()).isEqualTo(field))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(field + ": ")
                .hasMessageContaining(limitText);

        assertThat(aggregator.size()).isEqualTo(2);
        assertThat(aggregator.sizeBytes()).isEqualTo(bytes);
        assertThat(aggregator.userDataBytes()).isEqualTo(userBytes);
        assertThat(aggregator.build().data()).isEqualTo(Oracle.aggregateBytes(java.util.List.of(
                new Oracle.Input("first", null, new byte[] {1, 2, 3}), new Oracle.Input("second", "99", new byte[] {4}))));
    }

    @Test
    void limitsThemselvesAreAccepted() {
        Aggregator large = new Aggregator(4000, 10);
        assertThat(large.add("k".repeat(256), null, new byte[0])).isTrue();
        // 256 code points although String.length() is 512; 1024 UTF-8 bytes count against the record size.
        assertThat(large.add(EMOJI.repeat(256), "0", new byte[0])).isTrue();
        assertThat(large.add("k", Limits.MAX_HASH_KEY.toString(), new byte[0])).isTrue();
        assertThat(large.build().userRecordCount()).isEqualTo(3);
        assertThat(new Aggregator(1500, 1).add(EMOJI.repeat(256), null, new byte[1500 - 1024])).isTrue();

        Aggregator aggregator = new Aggregator(MAX, 10);

        // Exactly at the limit on its own: 998 data bytes + 2 key bytes = 1000.
        assertThat(aggregator.add("pk", null, new byte[MAX - 2])).isTrue();
        assertThat(aggregator.sizeBytes()).isEqualTo(MAX);
        // A second record can never fit beside it: refused (false), not thrown, aggregator unchanged.
        assertThat(aggregator.add("pk", null, new byte[0])).isFalse();
        assertThat(aggregator.size()).isEqualTo(1);
        KinesisRecord plain = aggregator.build();
        assertThat(plain.aggregated()).isFalse();
        assertThat(plain.sizeBytes()).isEqualTo(MAX);
    }

    @Test
    void countLimitRefusesTheNextRecord() {
        Aggregator aggregator = new Aggregator(MAX, 3);
        for (int i = 0; i < 3; i++) {
            assertThat(aggregator.add("k" + i, null, new byte[] {(byte) i})).isTrue();
        }
        assertThat(aggregator.add("k3", null, new byte[] {3})).isFalse();
        assertThat(aggregator.build().userRecordCount()).isEqualTo(3);
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, 0, 63})
    void tooSmallRecordLimitIsRefused(int maxRecordBytes) {
        assertThatThrownBy(() -> new Aggregator(maxRecordBytes, 10)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxRecordBytes").hasMessageContaining("64");
    }

    @Test
    void userRecordLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> new Aggregator(MAX, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxUserRecords").hasMessageContaining("1");
    }

    @Test
    void buildingAnEmptyAggregatorIsAnError() {
        Aggregator aggregator = new Aggregator();
        assertThat(aggregator.sizeBytes()).isZero();
        assertThatThrownBy(aggregator::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("empty");
    }

    @Test
    void clearDropsEverything() {
        Aggregator aggregator = new Aggregator();
        aggregator.add("a-key", "5", new byte[10]);
        aggregator.add("b-key", null, new byte[20]);
        aggregator.clear();
        assertThat(aggregator.isEmpty()).isTrue();
        assertThat(aggregator.userDataBytes()).isZero();
        aggregator.add("c-key", null, new byte[] {7});
        aggregator.add("c-key", null, new byte[] {8});
        // Key tables were emptied too: only c-key is in the new aggregate.
        assertThat(aggregator.build().data()).isEqualTo(Oracle.aggregateBytes(java.util.List.of(
                new Oracle.Input("c-key", null, new byte[] {7}), new Oracle.Input("c-key", null, new byte[] {8}))));
    }
}
