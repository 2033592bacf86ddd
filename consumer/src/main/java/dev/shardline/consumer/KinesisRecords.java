package dev.shardline.consumer;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.common.Futures;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.kinesis.model.Record;

/** Small conversions between SDK types and ours. */
final class KinesisRecords {
    private KinesisRecords() {
    }

    static List<UserRecord> fromSdk(List<Record> records) {
        List<UserRecord> out = new ArrayList<>(records.size());
        for (Record r : records) {
            out.add(UserRecord.kinesisRecord(r.sequenceNumber(), r.partitionKey(), r.data().asByteArrayUnsafe(),
                    r.approximateArrivalTimestamp()));
        }
        return out;
    }

    static long bytes(List<Record> records) {
        long n = 0;
        for (Record r : records) {
            n += r.data().asByteArrayUnsafe().length + r.partitionKey().length();
        }
        return n;
    }

    static Throwable unwrap(Throwable t) {
        return Futures.unwrap(t);
    }
}
