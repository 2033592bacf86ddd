package dev.shardline.aggregation;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * One parsed {@code AggregatedRecord}, read straight off the bytes with protobuf's {@link CodedInputStream}: key
 * tables as strings, records as indexes and (offset, length) of their data in the original array, so that no
 * per-record message objects or data copies are made. Accepts exactly what the generated parser accepts (unknown
 * fields skipped, required fields enforced, tags' required key included).
 */
final class AggregateReader {
    private static final int PARTITION_KEY_TABLE = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int EXPLICIT_HASH_KEY_TABLE = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int RECORDS = tag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int RECORD_PARTITION_KEY_INDEX = tag(1, WireFormat.WIRETYPE_VARINT);
    private static final int RECORD_EXPLICIT_HASH_KEY_INDEX = tag(2, WireFormat.WIRETYPE_VARINT);
    private static final int RECORD_DATA = tag(3, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int RECORD_TAGS = tag(4, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TAG_KEY = tag(1, WireFormat.WIRETYPE_LENGTH_DELIMITED);
    private static final int TAG_VALUE = tag(2, WireFormat.WIRETYPE_LENGTH_DELIMITED);

    private static int tag(int field, int wireType) {
        return (field << 3) | wireType;
    }

    private final List<String> partitionKeys = new ArrayList<>();
    private final List<String> explicitHashKeys = new ArrayList<>();
    int recordCount;
    /** Per record; -1 = no explicit hash key. */
    long[] partitionKeyIndex = new long[16];
    long[] explicitHashKeyIndex = new long[16];
    int[] dataOffset = new int[16];
    int[] dataLength = new int[16];

    private AggregateReader() {
    }

    /** Reads the message, or returns null when it does not parse. */
    static AggregateReader read(byte[] data, int offset, int length) {
        AggregateReader reader = new AggregateReader();
        CodedInputStream in = CodedInputStream.newInstance(data, offset, length);
        try {
            while (true) {
                int tag = in.readTag();
                if (tag == 0) {
                    return reader;
                } else if (tag == PARTITION_KEY_TABLE) {
                    reader.partitionKeys.add(in.readString());
                } else if (tag == EXPLICIT_HASH_KEY_TABLE) {
                    reader.explicitHashKeys.add(in.readString());
                } else if (tag == RECORDS) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    if (!reader.readRecord(in, offset)) {
                        return null;
                    }
                    in.popLimit(limit);
                } else if (!in.skipField(tag)) {
                    return reader; // an end-group tag ends the message, as in the generated parser
                }
            }
        } catch (IOException | RuntimeException e) { // InvalidProtocolBufferException and friends
            return null;
        }
    }

    private boolean readRecord(CodedInputStream in, int base) throws IOException {
        long pkIndex = -1;
        long ehkIndex = -1;
        int start = -1;
        int length = 0;
        boolean hasPk = false;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                break;
            } else if (tag == RECORD_PARTITION_KEY_INDEX) {
                pkIndex = in.readUInt64();
                hasPk = true;
            } else if (tag == RECORD_EXPLICIT_HASH_KEY_INDEX) {
                ehkIndex = in.readUInt64();
                if (ehkIndex < 0) {
                    return false; // over 2^63: no table is that large
                }
            } else if (tag == RECORD_DATA) {
                length = in.readRawVarint32();
                start = base + in.getTotalBytesRead();
                in.skipRawBytes(length);
            } else if (tag == RECORD_TAGS) {
                int limit = in.pushLimit(in.readRawVarint32());
                if (!readTag(in)) {
                    return false;
                }
                in.popLimit(limit);
            } else if (!in.skipField(tag)) {
                break;
            }
        }
        if (!hasPk || start < 0) {
            return false; // required fields
        }
        if (recordCount == dataOffset.length) {
            int size = recordCount * 2;
            partitionKeyIndex = Arrays.copyOf(partitionKeyIndex, size);
            explicitHashKeyIndex = Arrays.copyOf(explicitHashKeyIndex, size);
            dataOffset = Arrays.copyOf(dataOffset, size);
            dataLength = Arrays.copyOf(dataLength, size);
        }
        partitionKeyIndex[recordCount] = pkIndex;
        explicitHashKeyIndex[recordCount] = ehkIndex;
        dataOffset[recordCount] = start;
        dataLength[recordCount] = length;
        recordCount++;
        return true;
    }

    /** A Tag: checked for its required key, then ignored (Shardline does not surface tags, nor does KCL). */
    private static boolean readTag(CodedInputStream in) throws IOException {
        boolean hasKey = false;
        while (true) {
            int tag = in.readTag();
            if (tag == 0) {
                return hasKey;
            } else if (tag == TAG_KEY) {
                in.skipField(tag);
                hasKey = true;
            } else if (tag == TAG_VALUE) {
                in.skipField(tag);
            } else if (!in.skipField(tag)) {
                return hasKey;
            }
        }
    }

    /** Every index points into its table and every referenced explicit hash key is a hash key. */
    boolean wellFormed() {
        int partitionKeyCount = partitionKeys.size();
        int explicitHashKeyCount = explicitHashKeys.size();
        boolean[] checked = new boolean[explicitHashKeyCount];
        for (int i = 0; i < recordCount; i++) {
            long pk = partitionKeyIndex[i];
            if (pk < 0 || pk >= partitionKeyCount) {
                return false;
            }
            long ehk = explicitHashKeyIndex[i];
            if (ehk >= 0) {
                if (ehk >= explicitHashKeyCount) {
                    return false;
                }
                if (!checked[(int) ehk]) {
                    if (!Deaggregator.isHashKey(explicitHashKeys.get((int) ehk))) {
                        return false;
                    }
                    checked[(int) ehk] = true;
                }
            }
        }
        return true;
    }

    String partitionKey(int record) {
        return partitionKeys.get((int) partitionKeyIndex[record]);
    }

    String explicitHashKey(int record) {
        long index = explicitHashKeyIndex[record];
        return index < 0 ? null : explicitHashKeys.get((int) index);
    }

    /**
     * True when every record's effective hash key is in {@code range}. Each table entry is hashed or parsed once,
     * however many records share it; partition keys already judged by an earlier aggregate of the same call are
     * looked up in {@code knownPartitionKeys} (the range is the same for the whole call).
     */
    boolean allInside(HashKeyRange range, MessageDigest md5, Map<String, Boolean> knownPartitionKeys) {
        byte[] partitionKeyVerdict = new byte[partitionKeys.size()]; // 0 unknown, 1 inside, 2 outside
        byte[] explicitHashKeyVerdict = new byte[explicitHashKeys.size()];
        for (int i = 0; i < recordCount; i++) {
            long ehk = explicitHashKeyIndex[i];
            if (ehk >= 0) {
                int index = (int) ehk;
                if (explicitHashKeyVerdict[index] == 0) {
                    explicitHashKeyVerdict[index] =
                            range.contains(new BigInteger(explicitHashKeys.get(index))) ? (byte) 1 : (byte) 2;
                }
                if (explicitHashKeyVerdict[index] == 2) {
                    return false;
                }
            } else {
                int index = (int) partitionKeyIndex[i];
                if (partitionKeyVerdict[index] == 0) {
                    Boolean inside = knownPartitionKeys.computeIfAbsent(partitionKeys.get(index),
                            key -> range.containsDigest(md5.digest(key.getBytes(StandardCharsets.UTF_8))));
                    partitionKeyVerdict[index] = inside ? (byte) 1 : (byte) 2;
                }
                if (partitionKeyVerdict[index] == 2) {
                    return false;
                }
            }
        }
        return true;
    }
}
