package dev.shardline.aggregation;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.shardline.aggregation.proto.Messages;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * Anything that is not a well-formed aggregate passes through as one plain user record, unchanged, and nothing
 * throws. Amazon's KCL is consulted on the same bytes where it has an answer.
 */
@Timeout(30)
class DeaggregatorCorruptInputTest {
    private static final Instant ARRIVAL = Instant.parse("2026-05-06T07:08:09Z");

    /** A valid aggregate of three records, the starting point of most corruptions. */
    private static byte[] valid() {
        Aggregator aggregator = new Aggregator();
        aggregator.add("k1", null, "one".getBytes());
        aggregator.add("k2", "12345", "two".getBytes());
        aggregator.add("k1", null, "three".getBytes());
        return aggregator.build().data();
    }

    static Stream<Arguments> corrupt() {
        byte[] valid = valid();
        List<Arguments> cases = new ArrayList<>();
        byte[] badMd5 = valid.clone();
        badMd5[badMd5.length - 1] ^= 0x01;
        cases.add(Arguments.of("bad MD5 (last byte flipped)", badMd5));
        byte[] badBody = valid.clone();
        badBody[8] ^= 0x40;
        cases.add(Arguments.of("body byte flipped (MD5 no longer matches)", badBody));
        for (int cut : new int[] {1, 5, 16, 17, valid.length - 21, valid.length - 5}) {
            cases.add(Arguments.of("truncated by " + cut + " bytes", Arrays.copyOf(valid, valid.length - cut)));
        }
        cases.add(Arguments.of("magic alone", Oracle.MAGIC.clone()));
        for (int extra = 1; extra <= 16; extra++) {
            cases.add(Arguments.of("magic + " + extra + " bytes", Arrays.copyOf(valid, 4 + extra)));
        }
        // Magic + the MD5 of an empty protobuf: 16 bytes after the magic, so not "more than 16".
        cases.add(Arguments.of("magic + MD5 of nothing", Oracle.frame(new byte[0])));
        Random random = new Random(42);
        for (int i = 0; i < 5; i++) {
            byte[] garbage = new byte[4 + 10 + random.nextInt(200)];
            random.nextBytes(garbage);
            System.arraycopy(Oracle.MAGIC, 0, garbage, 0, 4);
            cases.add(Arguments.of("garbage after the magic #" + i, garbage));
        }
        cases.add(Arguments.of("valid MD5, protobuf with an invalid tag",
                Oracle.frame(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x01, 0x02})));
        cases.add(Arguments.of("valid MD5, protobuf truncated inside a field",
                Oracle.frame(new byte[] {0x0A, 0x20, 'a', 'b'})));
        cases.add(Arguments.of("valid MD5, record without its required data", Oracle.frame(
                Messages.AggregatedRecord.newBuilder().addPartitionKeyTable("k")
                        .addRecords(Messages.Record.newBuilder().setPartitionKeyIndex(0).buildPartial())
                        .buildPartial().toByteArray())));
        cases.add(Arguments.of("valid MD5, partition key index out of range", Oracle.frame(
                Messages.AggregatedRecord.newBuilder().addPartitionKeyTable("k")
                        .addRecords(record(0, null)).addRecords(record(1, null)).build().toByteArray())));
        cases.add(Arguments.of("valid MD5, huge partition key index out of range", Oracle.frame(
                Messages.AggregatedRecord.newBuilder().addPartitionKeyTable("k")
                        .addRecords(record(0, null)).addRecords(record(-1L, null)).build().toByteArray())));
        cases.add(Arguments.of("valid MD5, explicit hash key index out of range", Oracle.frame(
                Messages.AggregatedRecord.newBuilder().addPartitionKeyTable("k").addExplicitHashKeyTable("7")
                        .addRecords(record(0, 0L)).addRecords(record(0, 1L)).build().toByteArray())));
        cases.add(Arguments.of("valid MD5, explicit hash key not a number", Oracle.frame(
                Messages.AggregatedRecord.newBuilder().addPartitionKeyTable("k").addExplicitHashKeyTable("x1")
                        .addRecords(record(0, 0L)).addRecords(record(0, null)).build().toByteArray())));
        cases.add(Arguments.of("valid MD5, explicit hash key over 2^128-1", Oracle.frame(
                Messages.AggregatedRecord.newBuilder().addPartitionKeyTable("k")
                        .addExplicitHashKeyTable(Limits.MAX_HASH_KEY.add(java.math.BigInteger.ONE).toString())
                        .addRecords(record(0, 0L)).addRecords(record(0, null)).build().toByteArray())));
        cases.add(Arguments.of("no magic at all", "plain text, not an aggregate".getBytes()));
        cases.add(Arguments.of("empty data", new byte[0]));
        return cases.stream();
    }

    private static Messages.Record record(long partitionKeyIndex, Long explicitHashKeyIndex) {
        Messages.Record.Builder record = Messages.Record.newBuilder().setPartitionKeyIndex(partitionKeyIndex)
                .setData(ByteString.copyFromUtf8("d"));
        if (explicitHashKeyIndex != null) {
            record.setExplicitHashKeyIndex(explicitHashKeyIndex);
        }
        return record.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corrupt")
    void passesThroughAsOnePlainRecord(String name, byte[] data) {
        UserRecord in = UserRecord.kinesisRecord("49590", "original-key", data.clone(), ARRIVAL);

        List<UserRecord> out = Deaggregator.deaggregate(List.of(in), HashKeyRange.of("0", "1"));

        assertThat(out).containsExactly(in);
        UserRecord only = out.get(0);
        assertThat(only.dataBytes()).isEqualTo(data);
        assertThat(only.partitionKey()).isEqualTo("original-key");
        assertThat(only.aggregated()).isFalse();
        assertThat(only.subSequenceNumber()).isZero();
        assertThat(Deaggregator.isAggregate(data)).isFalse();
    }

    /**
     * KCL on the same bytes. It agrees (one record, unchanged) on every case but the aggregates whose MD5 and
     * protobuf are valid and whose tables are broken: there KCL 3.1.0 throws (an index out of range or a bad number,
     * and its error report then needs javax.xml.bind, absent on Java 17) or, for an explicit hash key over 2^128-1,
     * drops the record whole. Shardline hands such a record on unchanged instead, so that nothing is lost.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("corrupt")
    void kclAgreesExceptOnBrokenTables(String name, byte[] data) {
        KinesisClientRecord in = KinesisClientRecord.builder().partitionKey("original-key").sequenceNumber("49590")
                .approximateArrivalTimestamp(ARRIVAL).data(java.nio.ByteBuffer.wrap(data.clone())).build();
        List<KinesisClientRecord> kcl;
        try {
            kcl = new AggregatorUtil().deaggregate(List.of(in));
        } catch (RuntimeException | LinkageError kclFailed) {
            assertThat(name).matches(".*(index out of range|not a number)");
            return;
        }
        if (name.endsWith("over 2^128-1")) {
            assertThat(kcl).isEmpty();
            return;
        }
        assertThat(kcl).hasSize(1);
        assertThat(Oracle.bytes(kcl.get(0).data())).isEqualTo(data);
        assertThat(kcl.get(0).aggregated()).isFalse();
    }

    @Test
    void corruptRecordDoesNotDisturbItsNeighbours() {
        byte[] valid = valid();
        byte[] broken = valid.clone();
        broken[broken.length - 3] ^= 0x10;
        List<UserRecord> in = List.of(
                UserRecord.kinesisRecord("1", "a", valid, ARRIVAL),
                UserRecord.kinesisRecord("2", "a", broken, ARRIVAL),
                UserRecord.kinesisRecord("3", "a", valid.clone(), ARRIVAL));

        List<UserRecord> out = Deaggregator.deaggregate(in);

        assertThat(out).extracting(UserRecord::sequenceNumber).containsExactly("1", "1", "1", "2", "3", "3", "3");
        assertThat(out).extracting(UserRecord::subSequenceNumber).containsExactly(0L, 1L, 2L, 0L, 0L, 1L, 2L);
        assertThat(out.get(3).dataBytes()).isEqualTo(broken);
        assertThat(out.subList(0, 3)).extracting(UserRecord::dataAsUtf8).containsExactly("one", "two", "three");
        assertThat(out.subList(0, 3)).extracting(UserRecord::explicitHashKey).containsExactly(null, "12345", null);
    }

    @Test
    void aggregateOfZeroRecordsYieldsNothingLikeKcl() {
        // A well-formed aggregate that carries no records: nothing to hand out, and KCL hands out nothing either.
        byte[] empty = Oracle.frame(Messages.AggregatedRecord.newBuilder().addPartitionKeyTable("k").build()
                .toByteArray());
        KinesisClientRecord kclIn = KinesisClientRecord.builder().partitionKey("a").sequenceNumber("1")
                .data(java.nio.ByteBuffer.wrap(empty)).build();

        List<UserRecord> ours = Deaggregator.deaggregate(UserRecord.kinesisRecord("1", "a", empty, ARRIVAL));
        List<KinesisClientRecord> kcl = new AggregatorUtil().deaggregate(List.of(kclIn));

        assertThat(ours).hasSameSizeAs(kcl);
        assertThat(IntStream.range(0, ours.size())).isEmpty();
    }
}
