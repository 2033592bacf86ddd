package dev.shardline.aggregation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardline.aggregation.Oracle.Input;
import dev.shardline.aggregation.proto.Messages;
import java.math.BigInteger;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * Round trips through {@link Aggregator} and {@link Deaggregator}, checked against the generated protobuf classes
 * and against Amazon's KCL 3.1.0 ({@link AggregatorUtil}) as the judge. Bounded by tries and input sizes (jqwik
 * properties run on their own engine, outside JUnit's {@code @Timeout}).
 */
class AggregationPropertiesTest {
    private static final Instant ARRIVAL = Instant.parse("2026-01-02T03:04:05.678Z");

    /** The Kinesis records one run produced, and the user records each carries, in order. */
    record Batch(KinesisRecord record, List<Input> carried) {
    }

    @Property(tries = 150)
    void roundTripKeepsEveryRecordInOrderWithinLimits(@ForAll("inputs") List<Input> inputs,
            @ForAll @IntRange(min = 64, max = 20_000) int maxRecordBytes,
            @ForAll @IntRange(min = 1, max = 60) int maxUserRecords) {
        List<Input> accepted = new ArrayList<>();
        List<Batch> batches = aggregate(inputs, maxRecordBytes, maxUserRecords, accepted);

        List<UserRecord> kinesisRecords = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            kinesisRecords.add(Oracle.received(batches.get(i).record(), String.valueOf(1000 + i), ARRIVAL));
        }
        List<UserRecord> out = Deaggregator.deaggregate(kinesisRecords, HashKeyRange.ALL);

        assertThat(out).hasSize(accepted.size());
        int next = 0;
        for (int b = 0; b < batches.size(); b++) {
            Batch batch = batches.get(b);
            for (int i = 0; i < batch.carried().size(); i++) {
                Input in = batch.carried().get(i);
                UserRecord user = out.get(next++);
                assertThat(user.partitionKey()).isEqualTo(in.partitionKey());
                assertThat(user.dataBytes()).isEqualTo(in.data());
                assertThat(user.sequenceNumber()).isEqualTo(String.valueOf(1000 + b));
                assertThat(user.approximateArrivalTimestamp()).isEqualTo(ARRIVAL);
                assertThat(user.subSequenceNumber()).isEqualTo(i);
                assertThat(user.aggregated()).isEqualTo(batch.record().aggregated());
                // Kinesis returns no explicit hash key for a plain record; an aggregate carries each one's own.
                assertThat(user.explicitHashKey())
                        .isEqualTo(batch.record().aggregated() ? in.explicitHashKey() : null);
            }
        }
    }

    @Property(tries = 100)
    void amazonKclDeaggregatesExactlyWhatWentIn(@ForAll("inputs") List<Input> inputs,
            @ForAll @IntRange(min = 64, max = 20_000) int maxRecordBytes,
            @ForAll @IntRange(min = 1, max = 60) int maxUserRecords) {
        List<Input> accepted = new ArrayList<>();
        List<Batch> batches = aggregate(inputs, maxRecordBytes, maxUserRecords, accepted);
        List<KinesisClientRecord> kinesisRecords = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            kinesisRecords.add(Oracle.kcl(batches.get(i).record(), String.valueOf(1000 + i), ARRIVAL));
        }

        List<KinesisClientRecord> out = new AggregatorUtil().deaggregate(kinesisRecords);

        assertThat(out).hasSize(accepted.size());
        int next = 0;
        for (int b = 0; b < batches.size(); b++) {
            Batch batch = batches.get(b);
            for (int i = 0; i < batch.carried().size(); i++) {
                Input in = batch.carried().get(i);
                KinesisClientRecord user = out.get(next++);
                assertThat(user.partitionKey()).isEqualTo(in.partitionKey());
                assertThat(Oracle.bytes(user.data())).isEqualTo(in.data());
                assertThat(user.sequenceNumber()).isEqualTo(String.valueOf(1000 + b));
                assertThat(user.aggregated()).isEqualTo(batch.record().aggregated());
                if (batch.record().aggregated()) {
                    assertThat(user.subSequenceNumber()).isEqualTo(i);
                    assertThat(user.explicitHashKey()).isEqualTo(in.explicitHashKey());
                }
            }
        }
    }

    @Property(tries = 100)
    void hashKeyRangeRuleMatchesAmazonKcl(@ForAll("inputs") List<Input> inputs,
            @ForAll("hashKeys") BigInteger a, @ForAll("hashKeys") BigInteger b,
            @ForAll @IntRange(min = 1, max = 8) int maxUserRecords) {
        BigInteger start = a.min(b);
        BigInteger end = a.max(b);
        List<Batch> batches = aggregate(inputs, 1 << 20, maxUserRecords, new ArrayList<>());
        List<UserRecord> ours = new ArrayList<>();
        List<KinesisClientRecord> theirs = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            ours.add(Oracle.received(batches.get(i).record(), String.valueOf(i), ARRIVAL));
            theirs.add(Oracle.kcl(batches.get(i).record(), String.valueOf(i), ARRIVAL));
        }

        List<UserRecord> kept = Deaggregator.deaggregate(ours, new HashKeyRange(start, end));
        List<KinesisClientRecord> kclKept = new AggregatorUtil().deaggregate(theirs, start, end);

        assertThat(kept).hasSameSizeAs(kclKept);
        for (int i = 0; i < kept.size(); i++) {
            assertThat(kept.get(i).partitionKey()).isEqualTo(kclKept.get(i).partitionKey());
            assertThat(kept.get(i).sequenceNumber()).isEqualTo(kclKept.get(i).sequenceNumber());
            assertThat(kept.get(i).dataBytes()).isEqualTo(Oracle.bytes(kclKept.get(i).data()));
        }
        // The rule itself: an aggregate survives whole or not at all.
        for (Batch batch : batches) {
            if (!batch.record().aggregated()) {
                continue;
            }
            boolean allInside = batch.carried().stream().allMatch(in -> {
                BigInteger key = in.explicitHashKey() != null ? new BigInteger(in.explicitHashKey())
                        : new BigInteger(Oracle.md5Decimal(in.partitionKey()));
                return key.compareTo(start) >= 0 && key.compareTo(end) <= 0;
            });
            int survivors = Deaggregator.deaggregate(List.of(Oracle.received(batch.record(), "1", ARRIVAL)),
                    new HashKeyRange(start, end)).size();
            assertThat(survivors).isEqualTo(allInside ? batch.carried().size() : 0);
        }
    }

    /**
     * Feeds {@code inputs} through one aggregator as a producer would (build when a record does not fit, then add
     * it to the emptied aggregator) and checks each emitted record against the oracle. Records too large on their
     * own must be refused with an exception that leaves the aggregator unchanged.
     */
    private static List<Batch> aggregate(List<Input> inputs, int maxRecordBytes, int maxUserRecords,
            List<Input> accepted) {
        Aggregator aggregator = new Aggregator(maxRecordBytes, maxUserRecords);
        List<Batch> batches = new ArrayList<>();
        List<Input> current = new ArrayList<>();
        for (Input in : inputs) {
            if (in.data().length + Oracle.utf8Length(in.partitionKey()) > maxRecordBytes) {
                int sizeBefore = aggregator.size();
                int bytesBefore = aggregator.sizeBytes();
                assertThatThrownBy(() -> aggregator.add(in.partitionKey(), in.explicitHashKey(), in.data()))
                        .isInstanceOfSatisfying(InvalidRecordException.class,
                                e -> assertThat(e.field()).isEqualTo("data"))
                        .hasMessageContaining(String.valueOf(maxRecordBytes));
                assertThat(aggregator.size()).isEqualTo(sizeBefore);
                assertThat(aggregator.sizeBytes()).isEqualTo(bytesBefore);
                continue;
            }
            if (!aggregator.add(in.partitionKey(), in.explicitHashKey(), in.data())) {
                // A refusal must be justified: the count is reached or the aggregate would be too large.
                List<Input> withIt = new ArrayList<>(current);
                withIt.add(in);
                assertThat(current.size() >= maxUserRecords || Oracle.aggregateSize(withIt) > maxRecordBytes)
                        .as("refused %s with %s records held", in, current.size()).isTrue();
                assertThat(aggregator.size()).isEqualTo(current.size());
                batches.add(build(aggregator, current, maxRecordBytes, maxUserRecords));
                current = new ArrayList<>();
                assertThat(aggregator.add(in.partitionKey(), in.explicitHashKey(), in.data())).isTrue();
            }
            current.add(in);
            accepted.add(in);
            assertThat(aggregator.size()).isEqualTo(current.size());
            assertThat(aggregator.userDataBytes())
                    .isEqualTo(current.stream().mapToLong(i -> i.data().length).sum());
        }
        if (!aggregator.isEmpty()) {
            batches.add(build(aggregator, current, maxRecordBytes, maxUserRecords));
        }
        return batches;
    }

    private static Batch build(Aggregator aggregator, List<Input> carried, int maxRecordBytes, int maxUserRecords) {
        int announced = aggregator.sizeBytes();
        KinesisRecord record = aggregator.build();
        assertThat(aggregator.isEmpty()).isTrue();
        assertThat(aggregator.sizeBytes()).isZero();
        assertThat(record.sizeBytes()).isEqualTo(announced).isLessThanOrEqualTo(maxRecordBytes);
        assertThat(record.userRecordCount()).isEqualTo(carried.size()).isLessThanOrEqualTo(maxUserRecords);
        Input first = carried.get(0);
        if (carried.size() == 1) {
            assertThat(record.aggregated()).isFalse();
            assertThat(record.partitionKey()).isEqualTo(first.partitionKey());
            assertThat(record.explicitHashKey()).isEqualTo(first.explicitHashKey());
            assertThat(record.data()).isEqualTo(first.data());
            return new Batch(record, List.copyOf(carried));
        }
        assertThat(record.aggregated()).isTrue();
        assertThat(record.partitionKey()).isEqualTo("a");
        assertThat(record.explicitHashKey()).isEqualTo(first.explicitHashKey() != null ? first.explicitHashKey()
                : Oracle.md5Decimal(first.partitionKey()));
        // Byte for byte what the generated protobuf classes serialise, framed by magic and MD5.
        assertThat(record.data()).isEqualTo(Oracle.aggregateBytes(carried));
        byte[] data = record.data();
        assertThat(Arrays.copyOfRange(data, 0, 4)).isEqualTo(Oracle.MAGIC);
        assertThat(Arrays.copyOfRange(data, data.length - 16, data.length))
                .isEqualTo(Oracle.md5(data, 4, data.length - 20));
        Messages.AggregatedRecord parsed;
        try {
            parsed = Messages.AggregatedRecord.parseFrom(Arrays.copyOfRange(data, 4, data.length - 16));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
        assertThat(parsed.getPartitionKeyTableList()).doesNotHaveDuplicates()
                .hasSize(new HashSet<>(carried.stream().map(Input::partitionKey).toList()).size());
        assertThat(parsed.getExplicitHashKeyTableList()).doesNotHaveDuplicates()
                .hasSize((int) carried.stream().map(Input::explicitHashKey).filter(k -> k != null).distinct().count());
        assertThat(parsed.getRecordsCount()).isEqualTo(carried.size());
        return new Batch(record, List.copyOf(carried));
    }

    @Provide
    Arbitrary<List<Input>> inputs() {
        return partitionKeys().list().ofMinSize(1).ofMaxSize(12).flatMap(pool -> Combinators
                .combine(Arbitraries.of(pool), explicitHashKeys(), data())
                .as(Input::new)
                .list().ofMaxSize(200));
    }

    @Provide
    Arbitrary<BigInteger> hashKeys() {
        return Arbitraries.bigIntegers().between(BigInteger.ZERO, Limits.MAX_HASH_KEY);
    }

    private static Arbitrary<String> explicitHashKeys() {
        return Arbitraries.bigIntegers().between(BigInteger.ZERO, Limits.MAX_HASH_KEY)
                .edgeCases(c -> c.includeOnly(BigInteger.ZERO, Limits.MAX_HASH_KEY))
                .map(BigInteger::toString).injectNull(0.6);
    }

    /** ASCII ids, and keys of up to 256 code points mixing ASCII, the rest of the BMP and supplementary planes. */
    private static Arbitrary<String> partitionKeys() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, Arbitraries.integers().between(0x20, 0x7E)),
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0x80, 0xFFFD)
                        .filter(c -> c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0x10000, 0x10FFFF)));
        Arbitrary<String> unicode = codePoint.list().ofMinSize(1).ofMaxSize(256)
                .map(cps -> new String(cps.stream().mapToInt(Integer::intValue).toArray(), 0, cps.size()));
        Arbitrary<String> ascii = Arbitraries.strings().alpha().numeric().withChars('-', '_').ofMinLength(1)
                .ofMaxLength(40);
        return Arbitraries.oneOf(ascii, ascii, unicode);
    }

    private static Arbitrary<byte[]> data() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(8, Arbitraries.bytes().array(byte[].class).ofMaxSize(200)),
                net.jqwik.api.Tuple.of(2, Arbitraries.bytes().array(byte[].class).ofMaxSize(3_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(15_000)
                        .ofMaxSize(25_000)));
    }
}
