package dev.shardline.aggregation;

import com.google.protobuf.ByteString;
import dev.shardline.aggregation.proto.Messages;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * An independent reference for the tests: builds aggregates with the generated protobuf classes (not with the
 * hand-written encoder under test) and hashes with a fresh MessageDigest.
 */
final class Oracle {
    static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};

    /** One user record as a producer hands it over. */
    record Input(String partitionKey, String explicitHashKey, byte[] data) {
        @Override
        public String toString() {
            return "Input[pk=" + partitionKey + ", ehk=" + explicitHashKey + ", bytes=" + data.length + "]";
        }
    }

    private Oracle() {
    }

    static byte[] md5(byte[] bytes, int offset, int length) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update(bytes, offset, length);
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    static String md5Decimal(String partitionKey) {
        byte[] key = partitionKey.getBytes(StandardCharsets.UTF_8);
        return new BigInteger(1, md5(key, 0, key.length)).toString();
    }

    /** The AggregatedRecord message for these records: key tables de-duplicated in order of first use. */
    static Messages.AggregatedRecord message(List<Input> inputs) {
        Map<String, Integer> pks = new LinkedHashMap<>();
        Map<String, Integer> ehks = new LinkedHashMap<>();
        Messages.AggregatedRecord.Builder aggregate = Messages.AggregatedRecord.newBuilder();
        for (Input in : inputs) {
            Messages.Record.Builder record = Messages.Record.newBuilder()
                    .setPartitionKeyIndex(pks.computeIfAbsent(in.partitionKey(), k -> pks.size()))
                    .setData(ByteString.copyFrom(in.data()));
            if (in.explicitHashKey() != null) {
                record.setExplicitHashKeyIndex(ehks.computeIfAbsent(in.explicitHashKey(), k -> ehks.size()));
            }
            aggregate.addRecords(record);
        }
        return aggregate.addAllPartitionKeyTable(pks.keySet()).addAllExplicitHashKeyTable(ehks.keySet()).build();
    }

    /** Magic ‖ protobuf ‖ MD5(protobuf). */
    static byte[] frame(byte[] protobuf) {
        byte[] out = new byte[MAGIC.length + protobuf.length + 16];
        System.arraycopy(MAGIC, 0, out, 0, MAGIC.length);
        System.arraycopy(protobuf, 0, out, MAGIC.length, protobuf.length);
        System.arraycopy(md5(protobuf, 0, protobuf.length), 0, out, MAGIC.length + protobuf.length, 16);
        return out;
    }

    static byte[] aggregateBytes(List<Input> inputs) {
        return frame(message(inputs).toByteArray());
    }

    /** Kinesis record size (data + partition key "a") of the aggregate of these records. */
    static int aggregateSize(List<Input> inputs) {
        return 1 + MAGIC.length + message(inputs).getSerializedSize() + 16;
    }

    static int utf8Length(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    static UserRecord received(KinesisRecord record, String sequenceNumber, Instant arrival) {
        return UserRecord.kinesisRecord(sequenceNumber, record.partitionKey(), record.data().clone(), arrival);
    }

    static KinesisClientRecord kcl(KinesisRecord record, String sequenceNumber, Instant arrival) {
        return KinesisClientRecord.builder().partitionKey(record.partitionKey()).sequenceNumber(sequenceNumber)
                .approximateArrivalTimestamp(arrival).data(ByteBuffer.wrap(record.data().clone())).build();
    }

    static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }

    static List<Input> inputs(int count, int dataBytes) {
        List<Input> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            byte[] data = new byte[dataBytes];
            Arrays.fill(data, (byte) i);
            out.add(new Input("key-" + (i % 7), i % 3 == 0 ? String.valueOf(i) : null, data));
        }
        return out;
    }
}
