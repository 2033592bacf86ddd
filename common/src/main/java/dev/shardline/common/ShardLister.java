package dev.shardline.common;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Every shard of a stream from ListShards, following {@code NextToken} (sent alone: the API refuses it together
 * with the stream), without blocking. Bounded: each page has {@code callTimeout}, and a stream that keeps answering
 * with a token after {@value #MAX_PAGES} pages fails rather than loop. Internal.
 */
public final class ShardLister {
    /** 1,000 pages of (by default) 1,000 shards: far above any stream's shard count, including closed ones. */
    static final int MAX_PAGES = 1_000;

    private ShardLister() {
    }

    /**
     * @param nameOrArn   stream name or ARN
     * @param callTimeout the bound of each ListShards call
     * @return every shard (open and closed, within retention), in the order the service lists them; fails with the
     *     SDK's exception (wrapped in a {@code CompletionException}, see {@link Futures#unwrap})
     */
    public static CompletableFuture<List<Shard>> listShards(KinesisAsyncClient kinesis, String nameOrArn,
            Duration callTimeout) {
        ListShardsRequest first = ListShardsRequest.builder()
                .streamName(StreamIds.nameParam(nameOrArn)).streamARN(StreamIds.arnParam(nameOrArn))
                .overrideConfiguration(o -> o.apiCallTimeout(callTimeout)).build();
        return page(kinesis, first, callTimeout, new ArrayList<>(), 1);
    }

    private static CompletableFuture<List<Shard>> page(KinesisAsyncClient kinesis, ListShardsRequest request,
            Duration callTimeout, List<Shard> all, int pages) {
        return kinesis.listShards(request).thenCompose((ListShardsResponse r) -> {
            all.addAll(r.shards());
            if (r.nextToken() == null) {
                return CompletableFuture.completedFuture(all);
            }
            if (pages >= MAX_PAGES) {
                return CompletableFuture.failedFuture(new IllegalStateException(
                        "ListShards still returned a NextToken after " + pages + " pages (" + all.size() + " shards)"));
            }
            return page(kinesis, ListShardsRequest.builder().nextToken(r.nextToken())
                    .overrideConfiguration(o -> o.apiCallTimeout(callTimeout)).build(), callTimeout, all, pages + 1);
        });
    }
}
