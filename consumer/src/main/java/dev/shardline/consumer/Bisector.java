package dev.shardline.consumer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Isolates the records of a failed batch that fail on their own, Lambda-style: the batch is split in halves, a half
 * that succeeds is done, a half that fails is split again, in shard order (left half first, so each key's records are
 * still tried in order), until single records remain; a single record that fails is isolated. Pure: the caller runs
 * each {@link #next() range} and reports the outcome.
 */
final class Bisector {

    /** Records {@code from} (inclusive) to {@code to} (exclusive) of the batch. */
    record Range(int from, int to) {
        int size() {
            return to - from;
        }
    }

    private final Deque<Range> pending = new ArrayDeque<>();
    private final List<Integer> isolated = new ArrayList<>();
    private int splits;

    /** A batch of {@code size} records whose whole has failed already: starts with its halves. */
    Bisector(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, got " + size);
        }
        push(new Range(0, size));
    }

    private void push(Range r) {
        if (r.size() == 1) {
            pending.addFirst(r);
            return;
        }
        int mid = r.from() + r.size() / 2;
        pending.addFirst(new Range(mid, r.to()));
        pending.addFirst(new Range(r.from(), mid));
        splits++;
    }

    /** The next range to try, or null when every record was processed or isolated. */
    Range next() {
        return pending.peekFirst();
    }

    /** The range from {@link #next()} succeeded. */
    void succeeded(Range r) {
        take(r);
    }

    /**
     * The range from {@link #next()} failed: a single record is isolated, a longer range is split in halves.
     *
     * @return true when {@code r} was a single record (now isolated)
     */
    boolean failed(Range r) {
        take(r);
        if (r.size() == 1) {
            isolated.add(r.from());
            return true;
        }
        push(r);
        return false;
    }

    private void take(Range r) {
        if (!r.equals(pending.peekFirst())) {
            throw new IllegalStateException("outcome for " + r + " but the next range is " + pending.peekFirst());
        }
        pending.removeFirst();
    }

    /** Indexes of the records that failed alone, ascending. */
    List<Integer> isolated() {
        return List.copyOf(isolated);
    }

    /** How many times a range was split. */
    int splits() {
        return splits;
    }
}
