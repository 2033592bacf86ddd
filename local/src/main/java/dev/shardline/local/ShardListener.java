package dev.shardline.local;

/**
 * Extension point: told when a shard changes, so a reader (e.g. a fan-out subscription) can push new records
 * without polling. Called on the thread that stored the records, after the shard's lock is released; it must be
 * quick and must not block (hand the work to an event loop).
 */
interface ShardListener {
    /** Records were appended; {@code nextPosition} is the position the next record will get. */
    void recordsAppended(LocalShard shard, long nextPosition);

    /** The shard was closed by a split, merge or scaling; it will get no more records. */
    default void shardClosed(LocalShard shard) {
    }
}
