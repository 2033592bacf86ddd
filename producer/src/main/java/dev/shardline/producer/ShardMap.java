package dev.shardline.producer;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.shardline.aggregation.HashKeyRange;
import dev.shardline.common.Futures;
import dev.shardline.common.ShardLister;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Shard maps of the streams a producer writes to, from ListShards (all pages, open shards only), cached in Caffeine,
 * reloaded in the background when stale and when a put lands on an unexpected shard. Never blocks: a stream whose map
 * is not loaded yet answers null and starts loading.
 */
final class ShardMap implements RecordAccumulator.ShardTables {
    private static final Logger log = LoggerFactory.getLogger(ShardMap.class);
    private static final long RETRY_AFTER_FAILURE_NANOS = Duration.ofMillis(200).toNanos();

    private final KinesisAsyncClient client;
    private final Duration callTimeout;
    private final AsyncLoadingCache<String, ShardTable> cache;
    private final Map<String, Failure> failures = new ConcurrentHashMap<>();

    /** The last load failure of a stream. */
    record Failure(Throwable error, long atNanos) {
    }

    ShardMap(KinesisAsyncClient client, Duration refreshAfter, Duration callTimeout, Executor executor) {
        this.client = client;
        this.callTimeout = callTimeout;
        this.cache = Caffeine.newBuilder()
                .refreshAfterWrite(refreshAfter)
                .executor(executor)
                .buildAsync(new AsyncCacheLoader<String, ShardTable>() {
                    @Override
                    public CompletableFuture<ShardTable> asyncLoad(String stream, Executor ignored) {
                        return load(stream);
                    }

                    @Override
                    public CompletableFuture<ShardTable> asyncReload(String stream, ShardTable old, Executor ignored) {
                        // a failed reload keeps the map we have
                        return load(stream).thenApply(table -> table != null ? table : old);
                    }
                });
    }

    /** The stream's current map, or null while it loads (or after a recent failure, see {@link #failure}). */
    @Override
    public ShardTable current(String stream) {
        CompletableFuture<ShardTable> f = cache.getIfPresent(stream);
        if (f == null) {
            Failure failure = failures.get(stream);
            if (failure != null && System.nanoTime() - failure.atNanos() < RETRY_AFTER_FAILURE_NANOS) {
                return null;
            }
            f = cache.get(stream);
        }
        return f.isDone() && !f.isCompletedExceptionally() ? f.getNow(null) : null;
    }

    /** The stream's last load failure, if its map is not loaded. */
    @Override
    public Throwable failure(String stream) {
        Failure f = failures.get(stream);
        return f == null ? null : f.error();
    }

    /** Reloads the stream's map in the background (a reload already running is reused). */
    @Override
    public void refresh(String stream) {
        cache.synchronous().refresh(stream);
    }

    /** Completes with the table, or with null after recording the failure (null: Caffeine drops it quietly). */
    private CompletableFuture<ShardTable> load(String stream) {
        return ShardLister.listShards(client, stream, callTimeout).thenApply(ShardMap::openShards).handle((table, error) -> {
            if (error != null) {
                Throwable cause = Futures.unwrap(error);
                failures.put(stream, new Failure(cause, System.nanoTime()));
                log.debug("loading the shard map of {} failed: {}", stream, cause.toString());
                return null;
            }
            failures.remove(stream);
            log.debug("shard map of {}: {} open shards", stream, table.size());
            return table;
        });
    }

    private static ShardTable openShards(List<Shard> shards) {
        List<ShardTable.Shard> open = new ArrayList<>();
        for (Shard s : shards) {
            if (s.sequenceNumberRange() == null || s.sequenceNumberRange().endingSequenceNumber() == null) {
                open.add(new ShardTable.Shard(s.shardId(), HashKeyRange.of(s.hashKeyRange().startingHashKey(),
                        s.hashKeyRange().endingHashKey())));
            }
        }
        return new ShardTable(open, System.nanoTime());
    }
}
