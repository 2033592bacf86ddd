package dev.shardline.consumer;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * Pausing and resuming of one worker's shards, all at once or one by one. A paused shard's source stops reading
 * (its prefetch reports no room) and hands nothing more to the processor; batches already handed over finish.
 * Sources register their wake-up so a resume restarts their reading at once.
 */
final class FlowControl {
    private volatile boolean all;
    private final Set<String> shards = ConcurrentHashMap.newKeySet();
    private final Set<Runnable> wakers = ConcurrentHashMap.newKeySet();

    /** Whether {@code shardId} is paused now, evaluated on every call. */
    BooleanSupplier pausedFor(String shardId) {
        return () -> all || (!shards.isEmpty() && shards.contains(shardId));
    }

    boolean isPaused(String shardId) {
        return pausedFor(shardId).getAsBoolean();
    }

    boolean allPaused() {
        return all;
    }

    /** Runs {@code wake} on every resume until {@link #unregister}. */
    void register(Runnable wake) {
        wakers.add(wake);
    }

    void unregister(Runnable wake) {
        wakers.remove(wake);
    }

    void pauseAll() {
        all = true;
    }

    void resumeAll() {
        all = false;
        wakeAll();
    }

    void pause(String shardId) {
        shards.add(shardId);
    }

    void resume(String shardId) {
        shards.remove(shardId);
        wakeAll();
    }

    private void wakeAll() {
        wakers.forEach(Runnable::run);
    }
}
