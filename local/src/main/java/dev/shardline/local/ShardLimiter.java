package dev.shardline.local;

/**
 * The per-shard limits Kinesis enforces, as token buckets refilled continuously: writes 1 MiB/s and 1,000
 * records/s, reads 5 calls/s and 2 MiB/s. A bucket holds one second's worth. A large read may overdraw the byte
 * bucket; following reads are refused until it has refilled (as the service does after a 10 MiB GetRecords).
 */
final class ShardLimiter {
    static final long WRITE_BYTES_PER_SECOND = 1024 * 1024;
    static final long WRITE_RECORDS_PER_SECOND = 1000;
    static final long READ_CALLS_PER_SECOND = 5;
    static final long READ_BYTES_PER_SECOND = 2 * 1024 * 1024;

    private double writeBytes = WRITE_BYTES_PER_SECOND;
    private double writeRecords = WRITE_RECORDS_PER_SECOND;
    private double readCalls = READ_CALLS_PER_SECOND;
    private double readBytes = READ_BYTES_PER_SECOND;
    private long lastMillis = Long.MIN_VALUE;

    private void refill(long nowMillis) {
        if (lastMillis == Long.MIN_VALUE) {
            lastMillis = nowMillis;
            return;
        }
        long elapsed = nowMillis - lastMillis;
        if (elapsed <= 0) {
            return;
        }
        lastMillis = nowMillis;
        double seconds = elapsed / 1000.0;
        writeBytes = Math.min(WRITE_BYTES_PER_SECOND, writeBytes + seconds * WRITE_BYTES_PER_SECOND);
        writeRecords = Math.min(WRITE_RECORDS_PER_SECOND, writeRecords + seconds * WRITE_RECORDS_PER_SECOND);
        readCalls = Math.min(READ_CALLS_PER_SECOND, readCalls + seconds * READ_CALLS_PER_SECOND);
        readBytes = Math.min(READ_BYTES_PER_SECOND, readBytes + seconds * READ_BYTES_PER_SECOND);
    }

    /** Takes one record of {@code bytes} from the write buckets; false (nothing taken) when over the limit. */
    synchronized boolean tryWrite(int bytes, long nowMillis) {
        refill(nowMillis);
        if (writeRecords < 1) {
            return false;
        }
        // A record larger than what is left is let through only on a full bucket (records may exceed 1 MiB).
        if (bytes > writeBytes && writeBytes < WRITE_BYTES_PER_SECOND) {
            return false;
        }
        writeRecords -= 1;
        writeBytes -= bytes;
        return true;
    }

    /** Takes one GetRecords call; false when over 5 calls/s or the byte bucket is overdrawn. */
    synchronized boolean tryRead(long nowMillis) {
        refill(nowMillis);
        if (readCalls < 1 || readBytes <= 0) {
            return false;
        }
        readCalls -= 1;
        return true;
    }

    /** Charges the bytes a GetRecords call returned. */
    synchronized void charge(int bytes) {
        readBytes -= bytes;
    }

    /** The largest response a read may return now without exceeding the byte rate (at least 1 record). */
    synchronized long readableBytes() {
        return (long) Math.max(0, readBytes);
    }
}
