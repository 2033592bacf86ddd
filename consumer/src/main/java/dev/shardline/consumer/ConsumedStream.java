package dev.shardline.consumer;

import java.util.function.Function;

/**
 * One stream being consumed, as the worker runs it: its reference (which fixes its lease keys), its effective
 * initial position and retrieval, its shard discovery, and how to open a record source on one of its shards.
 */
final class ConsumedStream {
    private final StreamRef ref;
    private final InitialPosition initialPosition;
    private final Retrieval retrieval;
    private final ShardDiscovery discovery;
    private final Function<String, RecordSource> sources;

    ConsumedStream(StreamRef ref, InitialPosition initialPosition, Retrieval retrieval, ShardDiscovery discovery,
                   Function<String, RecordSource> sources) {
        this.ref = ref;
        this.initialPosition = initialPosition;
        this.retrieval = retrieval;
        this.discovery = discovery;
        this.sources = sources;
    }

    StreamRef ref() {
        return ref;
    }

    InitialPosition initialPosition() {
        return initialPosition;
    }

    Retrieval retrieval() {
        return retrieval;
    }

    ShardDiscovery discovery() {
        return discovery;
    }

    /** A new record source on {@code shardId} (a shard id, not a lease key). */
    RecordSource openSource(String shardId) {
        return sources.apply(shardId);
    }

    @Override
    public String toString() {
        return ref + (ref.isMulti() ? " (" + ref.identifier() + ")" : "");
    }
}
