package dev.shardline.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;

class CommonTest {

    @Test
    void streamNamesAndArns() {
        assertThat(StreamIds.problem("orders")).isNull();
        assertThat(StreamIds.problem("arn:aws:kinesis:eu-west-1:123456789012:stream/orders")).isNull();
        assertThat(StreamIds.problem("arn:aws-cn:kinesis:cn-north-1:123456789012:stream/o.r-d_1")).isNull();
        assertThat(StreamIds.problem("")).isEqualTo("must not be empty");
        assertThat(StreamIds.problem("a b")).contains("not a stream name");
        assertThat(StreamIds.problem("x".repeat(129))).contains("not a stream name");
        assertThat(StreamIds.problem("arn:aws:kinesis:eu-west-1:1234:stream/orders")).contains("not a stream ARN");
        assertThat(StreamIds.problem("arn:aws:sqs:eu-west-1:123456789012:stream/orders")).contains("not a stream ARN");
        assertThat(StreamIds.problem("arn:aws:kinesis:eu-west-1:123456789012:stream/a b")).contains("not a stream ARN");

        String arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s1";
        assertThat(StreamIds.nameParam(arn)).isNull();
        assertThat(StreamIds.arnParam(arn)).isEqualTo(arn);
        assertThat(StreamIds.nameParam("s1")).isEqualTo("s1");
        assertThat(StreamIds.arnParam("s1")).isNull();
        assertThat(StreamIds.nameOf(arn)).isEqualTo("s1");
        assertThat(StreamIds.nameOf("s1")).isEqualTo("s1");
    }

    @Test
    void unwrapsCompletionAndExecutionExceptions() {
        IllegalStateException cause = new IllegalStateException("x");
        assertThat(Futures.unwrap(new CompletionException(new ExecutionException(cause)))).isSameAs(cause);
        assertThat(Futures.unwrap(cause)).isSameAs(cause);
        CompletionException bare = new CompletionException("no cause", null);
        assertThat(Futures.unwrap(bare)).isSameAs(bare);
    }

    @Test
    void followsNextTokenAloneAndKeepsEveryPage() {
        List<ListShardsRequest> seen = new ArrayList<>();
        KinesisAsyncClient kinesis = pages(seen, 3);
        List<Shard> shards = ShardLister.listShards(kinesis, "arn:aws:kinesis:us-east-1:000000000000:stream/s",
                Duration.ofSeconds(1)).join();
        assertThat(shards).extracting(Shard::shardId).containsExactly("shard-0", "shard-1", "shard-2");
        assertThat(seen.get(0).streamARN()).isEqualTo("arn:aws:kinesis:us-east-1:000000000000:stream/s");
        assertThat(seen.get(0).streamName()).isNull();
        assertThat(seen.get(1).streamName()).isNull();
        assertThat(seen.get(1).streamARN()).isNull();
        assertThat(seen.get(1).nextToken()).isEqualTo("t1");
        assertThat(seen).allSatisfy(r -> assertThat(r.overrideConfiguration().orElseThrow().apiCallTimeout())
                .contains(Duration.ofSeconds(1)));
    }

    @Test
    void endlessTokensFailInsteadOfLooping() {
        KinesisAsyncClient kinesis = pages(new ArrayList<>(), Integer.MAX_VALUE);
        assertThatThrownBy(() -> ShardLister.listShards(kinesis, "s", Duration.ofSeconds(1)).join())
                .hasRootCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after " + ShardLister.MAX_PAGES + " pages");
    }

    /** A client answering ListShards with one shard per page, a token on all but the last of {@code count}. */
    private static KinesisAsyncClient pages(List<ListShardsRequest> seen, int count) {
        return new KinesisAsyncClient() {
            @Override
            public CompletableFuture<ListShardsResponse> listShards(ListShardsRequest request) {
                int i = seen.size();
                if (seen.size() < 10) {
                    seen.add(request);
                } else {
                    seen.add(null);
                }
                // answered on another thread, as the SDK does (no deep recursion through completed futures)
                return CompletableFuture.supplyAsync(() -> ListShardsResponse.builder()
                        .shards(Shard.builder().shardId("shard-" + i).build())
                        .nextToken(i + 1 < count ? "t" + (i + 1) : null).build());
            }

            @Override
            public String serviceName() {
                return "kinesis";
            }

            @Override
            public void close() {
            }
        };
    }
}
