package dev.shardline.examples.track;

import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * Checks, per key (a truck), that sequence numbers arrive in order: each message is classified as in order, a
 * gap (numbers skipped), a duplicate (already seen) or out of order (older than the newest seen, not seen
 * before). The first number seen for a key is its baseline: a consumer that starts from a checkpoint does not
 * see the messages before it. Thread-safe (processors of different shards share one checker).
 */
public final class SequenceChecker {
    /** How one message relates to the ones seen before it for the same key. */
    public enum Outcome {
        /** The next number, or the first number seen for the key. */
        IN_ORDER,
        /** Newer than the next number: the numbers in between are (so far) missing. */
        GAP,
        /** Seen before. */
        DUPLICATE,
        /** Older than the newest seen and not seen before: a reordering. */
        OUT_OF_ORDER
    }

    private final Map<String, KeyState> keys = new HashMap<>();
    private long inOrder;
    private long gaps;
    private long duplicates;
    private long outOfOrder;
    private long missing;

    /** Classifies message {@code seq} (1 or more) of {@code key} and counts it. */
    public synchronized Outcome observe(String key, long seq) {
        if (seq < 0 || seq > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("seq must be in [0, " + Integer.MAX_VALUE + "], was " + seq);
        }
        KeyState state = keys.get(key);
        if (state == null) {
            state = new KeyState(seq);
            keys.put(key, state);
            inOrder++;
            return Outcome.IN_ORDER;
        }
        Outcome outcome = state.observe(seq);
        switch (outcome) {
            case IN_ORDER -> inOrder++;
            case GAP -> {
                gaps++;
                missing += seq - state.previousMax - 1;
            }
            case DUPLICATE -> duplicates++;
            case OUT_OF_ORDER -> {
                outOfOrder++;
                if (seq > state.baseline) {
                    missing--; // a late arrival fills a hole counted as missing
                }
            }
        }
        return outcome;
    }

    /** Messages that were the next expected number (or the first of their key). */
    public synchronized long inOrder() {
        return inOrder;
    }

    /** Messages that skipped ahead of the next expected number. */
    public synchronized long gaps() {
        return gaps;
    }

    /** Numbers skipped and not (yet) seen since. */
    public synchronized long missing() {
        return missing;
    }

    public synchronized long duplicates() {
        return duplicates;
    }

    public synchronized long outOfOrder() {
        return outOfOrder;
    }

    /** The newest number seen for the key, or -1. */
    public synchronized long newest(String key) {
        KeyState state = keys.get(key);
        return state == null ? -1 : state.max;
    }

    public synchronized int keys() {
        return keys.size();
    }

    private static final class KeyState {
        final long baseline;
        final BitSet seen = new BitSet();
        long max;
        long previousMax;

        KeyState(long first) {
            this.baseline = first;
            this.max = first;
            seen.set((int) first);
        }

        Outcome observe(long seq) {
            previousMax = max;
            if (seen.get((int) seq)) {
                return Outcome.DUPLICATE;
            }
            seen.set((int) seq);
            if (seq == max + 1) {
                max = seq;
                return Outcome.IN_ORDER;
            }
            if (seq > max) {
                max = seq;
                return Outcome.GAP;
            }
            return Outcome.OUT_OF_ORDER;
        }
    }
}
