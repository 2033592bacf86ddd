package dev.shardline.local;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One shard: its place in the hash-key space and lineage, and its records in arrival order.
 *
 * <p>Extension point for readers: {@link #addListener(ShardListener)} tells a reader about new records (and the
 * shard closing) without polling; {@link #read} then fetches them by position. Positions are dense: the record
 * after position {@code p} is {@code p + 1}; trimmed positions are skipped by readers.
 */
final class LocalShard {
    private final LocalStream stream;
    private final int index;
    private final String shardId;
    private final String parentShardId;
    private final String adjacentParentShardId;
    private final BigInteger startingHashKey;
    private final BigInteger endingHashKey;
    private final long createdMillis;
    private final ShardLimiter limiter;
    private final List<ShardListener> listeners = new CopyOnWriteArrayList<>();

    private StoredRecord[] ring = new StoredRecord[16];
    private int head;
    private int size;
    private long firstPosition;
    private long storedBytes;
    private long lastArrivalMillis;
    /** The stream counter when the shard was made: its StartingSequenceNumber's counter. */
    private final long startCounter;
    /** The stream counter of the newest record stored (startCounter while none was). */
    private long lastCounter;
    private volatile boolean closed;
    private volatile long closedMillis = Long.MAX_VALUE;

    LocalShard(LocalStream stream, int index, String parentShardId, String adjacentParentShardId,
            BigInteger startingHashKey, BigInteger endingHashKey, long createdMillis) {
        this.stream = stream;
        this.index = index;
        this.shardId = shardIdOf(index);
        this.parentShardId = parentShardId;
        this.adjacentParentShardId = adjacentParentShardId;
        this.startingHashKey = startingHashKey;
        this.endingHashKey = endingHashKey;
        this.createdMillis = createdMillis;
        this.limiter = new ShardLimiter();
        this.startCounter = stream.recordCounter();
        this.lastCounter = startCounter;
    }

    static String shardIdOf(int index) {
        return String.format("shardId-%012d", index);
    }

    LocalStream stream() {
        return stream;
    }

    int index() {
        return index;
    }

    String shardId() {
        return shardId;
    }

    String parentShardId() {
        return parentShardId;
    }

    String adjacentParentShardId() {
        return adjacentParentShardId;
    }

    BigInteger startingHashKey() {
        return startingHashKey;
    }

    BigInteger endingHashKey() {
        return endingHashKey;
    }

    boolean contains(BigInteger hashKey) {
        return startingHashKey.compareTo(hashKey) <= 0 && endingHashKey.compareTo(hashKey) >= 0;
    }

    long createdMillis() {
        return createdMillis;
    }

    ShardLimiter limiter() {
        return limiter;
    }

    String startingSequenceNumber() {
        return SequenceNumbers.of(startCounter, index, -1);
    }

    /** The last sequence number this shard can have, once it is closed; null while open. */
    synchronized String endingSequenceNumber() {
        if (!closed) {
            return null;
        }
        long next = firstPosition + size;
        return SequenceNumbers.of(lastCounter, index, next - 1);
    }

    /**
     * The sequence number just before {@code position}: the record there if it is stored, the shard's starting
     * number before the first record, else (trimmed) a number between the neighbours that resumes at
     * {@code position}.
     */
    synchronized String sequenceBefore(long position) {
        long before = position - 1;
        if (before >= firstPosition && before < firstPosition + size) {
            return recordAt(before).sequenceNumber;
        }
        if (before < 0) {
            return startingSequenceNumber();
        }
        // The record before is trimmed: just below the next stored record's counter keeps the numbers in order.
        long next = Math.max(position, firstPosition);
        long counter = next < firstPosition + size
                ? SequenceNumbers.counter(recordAt(next).sequenceNumber) - 1 : lastCounter;
        return SequenceNumbers.of(counter, index, before);
    }

    private StoredRecord recordAt(long position) {
        return ring[(int) ((head + (position - firstPosition)) % ring.length)];
    }

    boolean isClosed() {
        return closed;
    }

    /** When the shard was closed, or {@link Long#MAX_VALUE} while open. */
    long closedMillis() {
        return closedMillis;
    }

    /** Adds a listener; it sees every append after this call. */
    void addListener(ShardListener listener) {
        listeners.add(listener);
    }

    void removeListener(ShardListener listener) {
        listeners.remove(listener);
    }

    /** Stores one record without telling listeners (see {@link #fireAppended()}); null when closed. */
    StoredRecord appendQuietly(String partitionKey, byte[] data, long nowMillis) {
        synchronized (this) {
            if (closed) {
                return null;
            }
            long arrival = Math.max(nowMillis, lastArrivalMillis);
            long position = firstPosition + size;
            // Taken under the shard's lock: the counter, and so the number, increases within the shard.
            long counter = stream.nextRecordCounter();
            StoredRecord record = new StoredRecord(position, SequenceNumbers.of(counter, index, position),
                    partitionKey, data, arrival);
            lastCounter = counter;
            if (size == ring.length) {
                grow();
            }
            ring[(head + size) % ring.length] = record;
            size++;
            lastArrivalMillis = arrival;
            storedBytes += record.sizeBytes();
            return record;
        }
    }

    /** Tells listeners about records stored with {@link #appendQuietly}. */
    void fireAppended() {
        if (listeners.isEmpty()) {
            return;
        }
        long next = nextPosition();
        for (ShardListener listener : listeners) {
            listener.recordsAppended(this, next);
        }
    }

    private void grow() {
        StoredRecord[] bigger = new StoredRecord[ring.length * 2];
        for (int i = 0; i < size; i++) {
            bigger[i] = ring[(head + i) % ring.length];
        }
        ring = bigger;
        head = 0;
    }

    /** The position the next record will get. */
    synchronized long nextPosition() {
        return firstPosition + size;
    }

    /** The position of the oldest record still stored (equal to {@link #nextPosition()} when empty). */
    synchronized long firstPosition() {
        return firstPosition;
    }

    synchronized long storedBytes() {
        return storedBytes;
    }

    /** Arrival time of the oldest stored record, or {@link Long#MAX_VALUE} when empty. */
    synchronized long oldestArrivalMillis() {
        return size == 0 ? Long.MAX_VALUE : ring[head].arrivalMillis;
    }

    synchronized long lastArrivalMillis() {
        return lastArrivalMillis;
    }

    /** The result of a read: records and the position to read next. */
    static final class Batch {
        final List<StoredRecord> records;
        final long nextPosition;
        final long tipPosition;
        final int bytes;

        Batch(List<StoredRecord> records, long nextPosition, long tipPosition, int bytes) {
            this.records = records;
            this.nextPosition = nextPosition;
            this.tipPosition = tipPosition;
            this.bytes = bytes;
        }

        /** True when this batch reaches the newest record stored. */
        boolean atTip() {
            return nextPosition >= tipPosition;
        }
    }

    /**
     * Up to {@code limit} records from {@code fromPosition} (trimmed ones skipped), stopping before
     * {@code maxBytes} would be exceeded (at least one record is returned if any is there).
     */
    synchronized Batch read(long fromPosition, int limit, long maxBytes) {
        long start = Math.max(fromPosition, firstPosition);
        long tip = firstPosition + size;
        List<StoredRecord> out = new ArrayList<>((int) Math.min(limit, Math.max(0, tip - start)));
        long position = start;
        int bytes = 0;
        while (position < tip && out.size() < limit) {
            StoredRecord record = ring[(int) ((head + (position - firstPosition)) % ring.length)];
            if (!out.isEmpty() && bytes + record.sizeBytes() > maxBytes) {
                break;
            }
            out.add(record);
            bytes += record.sizeBytes();
            position++;
        }
        return new Batch(out, position, tip, bytes);
    }

    /** Arrival time of the record at {@code position}, or -1 if it is not stored. */
    synchronized long arrivalAt(long position) {
        if (position < firstPosition || position >= firstPosition + size) {
            return -1;
        }
        return ring[(int) ((head + (position - firstPosition)) % ring.length)].arrivalMillis;
    }

    /** Position of the first stored record that arrived at or after {@code millis}; the tip if none. */
    synchronized long positionAt(long millis) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (ring[(head + mid) % ring.length].arrivalMillis < millis) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return firstPosition + lo;
    }

    /** Drops records that arrived before {@code millis}; returns the bytes freed. */
    synchronized long trimBefore(long millis) {
        long freed = 0;
        while (size > 0 && ring[head].arrivalMillis < millis) {
            freed += dropHead();
        }
        return freed;
    }

    /** Drops the oldest record; returns the bytes freed (0 when empty). */
    synchronized long trimOldest() {
        return size == 0 ? 0 : dropHead();
    }

    private long dropHead() {
        StoredRecord record = ring[head];
        ring[head] = null;
        head = (head + 1) % ring.length;
        size--;
        firstPosition++;
        storedBytes -= record.sizeBytes();
        return record.sizeBytes();
    }

    /** Closes the shard to writes (split, merge, scaling). */
    void close(long nowMillis) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            closedMillis = nowMillis;
        }
        for (ShardListener listener : listeners) {
            listener.shardClosed(this);
        }
    }

    @Override
    public String toString() {
        return shardId;
    }
}
