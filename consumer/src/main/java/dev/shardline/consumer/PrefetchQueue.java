package dev.shardline.consumer;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Batches read ahead of a shard's processor, bounded in records and bytes. A batch is always accepted (a source never
 * drops what it read); {@link #hasRoom()} tells the source whether to read more, and {@code onRoom} runs when a take
 * frees room after the queue was full, so a paused source resumes without polling.
 */
final class PrefetchQueue {
    private final LinkedBlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private final int maxRecords;
    private final long maxBytes;
    private final Runnable onRoom;
    private long records;
    private long bytes;
    private boolean waitingForRoom;
    private volatile Runnable onData = () -> { };

    PrefetchQueue(int maxRecords, long maxBytes, Runnable onRoom) {
        this.maxRecords = maxRecords;
        this.maxBytes = maxBytes;
        this.onRoom = onRoom;
    }

    void put(Batch batch) {
        synchronized (this) {
            records += batch.records().size();
            bytes += batch.bytes();
        }
        queue.add(batch);
        onData.run();
    }

    /** Runs {@code listener} after every batch put (the shard task schedules itself on it: no thread waits). */
    void onData(Runnable listener) {
        this.onData = listener;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** True when another read fits; when false, {@code onRoom} fires once room is freed. */
    synchronized boolean hasRoom() {
        boolean room = records < maxRecords && bytes < maxBytes;
        waitingForRoom = !room;
        return room;
    }

    Batch poll(long timeout, TimeUnit unit) throws InterruptedException {
        Batch b = queue.poll(timeout, unit);
        if (b != null) {
            boolean wake;
            synchronized (this) {
                records -= b.records().size();
                bytes -= b.bytes();
                wake = waitingForRoom && records < maxRecords && bytes < maxBytes;
                if (wake) {
                    waitingForRoom = false;
                }
            }
            if (wake) {
                onRoom.run();
            }
        }
        return b;
    }

    synchronized long records() {
        return records;
    }

    synchronized long bytes() {
        return bytes;
    }

    void clear() {
        queue.clear();
        synchronized (this) {
            records = 0;
            bytes = 0;
        }
    }
}
