package dev.shardline.examples.status;

import java.util.Locale;

/** Where a leased shard stands, as {@code shardline status} reports it. */
public enum ShardState {
    /** Open and ready: its parents (if any) are finished, so a worker should be reading it. */
    OPEN,
    /** Closed by a split or merge, but not yet read to its end: a worker should be finishing it. */
    CLOSED,
    /** Read to its end and checkpointed at SHARD_END: its children may start. */
    FINISHED,
    /** Waiting for a parent to finish before it may be read (keeps each key in order across a reshard). */
    WAITING;

    /** The lower-case name used in the table and the JSON. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** True when a live worker should hold the lease: open, or closed but not finished. */
    public boolean needsOwner() {
        return this == OPEN || this == CLOSED;
    }
}
