package dev.shardline.producer;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** Bounds the user bytes held by the producer; {@code send} waits here for space (back-pressure). */
final class BufferLimiter {
    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private volatile int waiters;

    BufferLimiter(long limit) {
        this.limit = limit;
    }

    boolean tryAcquire(long bytes) {
        while (true) {
            long current = used.get();
            if (current + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    /** Waits up to {@code timeoutNanos} for room; false on timeout. */
    boolean acquire(long bytes, long timeoutNanos) throws InterruptedException {
        if (tryAcquire(bytes)) {
            return true;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        lock.lockInterruptibly();
        try {
            waiters++;
            try {
                while (!tryAcquire(bytes)) {
                    long remaining = deadline - System.nanoTime();
                    if (remaining <= 0) {
                        return false;
                    }
                    // bounded wait: a release racing with our waiter count is seen within 50 ms at worst
                    freed.awaitNanos(Math.min(remaining, TimeUnit.MILLISECONDS.toNanos(50)));
                }
                return true;
            } finally {
                waiters--;
            }
        } finally {
            lock.unlock();
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
        if (waiters > 0) {
            lock.lock();
            try {
                freed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    long used() {
        return used.get();
    }

    long limit() {
        return limit;
    }
}
