package dev.shardline.aggregation;

/** Constants of the KPL aggregated-record format. */
final class AggregationFormat {
    /** The four bytes every aggregate starts with. */
    static final byte[] MAGIC = {(byte) 0xF3, (byte) 0x89, (byte) 0x9A, (byte) 0xC2};
    static final int MD5_LENGTH = 16;
    /** The partition key of every aggregate: Kinesis places it by the explicit hash key. */
    static final String AGGREGATE_PARTITION_KEY = "a";

    // Field numbers of the .proto; the tag byte is (field << 3) | wire type 2 (length-delimited) or 0 (varint).
    static final int TAG_PARTITION_KEY_TABLE = (1 << 3) | 2;
    static final int TAG_EXPLICIT_HASH_KEY_TABLE = (2 << 3) | 2;
    static final int TAG_RECORDS = (3 << 3) | 2;
    static final int TAG_RECORD_PARTITION_KEY_INDEX = (1 << 3);
    static final int TAG_RECORD_EXPLICIT_HASH_KEY_INDEX = (2 << 3);
    static final int TAG_RECORD_DATA = (3 << 3) | 2;

    private AggregationFormat() {
    }

    static boolean hasMagic(byte[] data) {
        return data.length >= MAGIC.length && hasMagic(data, 0);
    }

    /** The magic at {@code offset}; the caller has checked that four bytes are there. */
    static boolean hasMagic(byte[] data, int offset) {
        return data[offset] == MAGIC[0] && data[offset + 1] == MAGIC[1] && data[offset + 2] == MAGIC[2]
                && data[offset + 3] == MAGIC[3];
    }

    /** Bytes a varint takes. */
    static int varintSize(long value) {
        int size = 1;
        while ((value & ~0x7FL) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    /** Bytes of a length-delimited field (one-byte tag, length, payload). */
    static int delimitedSize(int payloadLength) {
        return 1 + varintSize(payloadLength) + payloadLength;
    }
}
