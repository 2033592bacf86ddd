package dev.shardline.consumer;

import dev.shardline.checkpoint.ExtendedSequenceNumber;
import java.util.ArrayDeque;

/**
 * The records of one shard handed out and not yet finished, in shard order, and the low-water mark: the highest
 * position at or below which every record handed out is finished (processed or dead-lettered). Records finish in any
 * order (lanes, bisection); a checkpoint never goes past the mark, so a restart never skips an unfinished record.
 * Pure and thread-safe.
 */
final class LowWaterMark {

    /** One record handed out; {@link #finish(Slot)} it once, or more (idempotent). */
    static final class Slot {
        final ExtendedSequenceNumber position;
        private boolean finished;

        private Slot(ExtendedSequenceNumber position) {
            this.position = position;
        }
    }

    private final ArrayDeque<Slot> open = new ArrayDeque<>();
    private ExtendedSequenceNumber mark;
    private ExtendedSequenceNumber lastAdded;

    /** @param mark where everything is already done (the checkpoint), or null */
    LowWaterMark(ExtendedSequenceNumber mark) {
        this.mark = mark == null || mark.isSentinel() ? null : mark;
        this.lastAdded = this.mark;
    }

    /**
     * Registers the next record handed out.
     *
     * @throws IllegalArgumentException if {@code position} is not after the last one added
     */
    synchronized Slot add(ExtendedSequenceNumber position) {
        if (lastAdded != null && position.compareTo(lastAdded) <= 0) {
            throw new IllegalArgumentException("position " + position + " is not after " + lastAdded);
        }
        lastAdded = position;
        Slot s = new Slot(position);
        open.addLast(s);
        return s;
    }

    /** Marks a record finished and advances the mark over the finished prefix. */
    synchronized void finish(Slot slot) {
        slot.finished = true;
        Slot head;
        while ((head = open.peekFirst()) != null && head.finished) {
            open.removeFirst();
            mark = head.position;
        }
    }

    /** The low-water mark, or null when nothing is done yet. */
    synchronized ExtendedSequenceNumber mark() {
        return mark;
    }

    /** Records handed out and not finished, or finished behind an unfinished one. */
    synchronized int open() {
        return open.size();
    }
}
