package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisClient;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;

/** Paging of DescribeStream / ListStreams / ListTagsForStream and input validation, through the sync client. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PagingAndValidationTest {
    static LocalKinesis kinesis;
    static KinesisClient client;

    @BeforeAll
    static void start() {
        kinesis = LocalKinesis.builder().tls(false).build().start();
        client = SdkClients.sync(kinesis.endpoint());
        for (String name : new String[] {"p-a", "p-b", "p-c", "p-d", "p-e"}) {
            kinesis.createStream(name, name.equals("p-a") ? 7 : 1);
        }
    }

    @AfterAll
    static void stop() {
        client.close();
        kinesis.close();
    }

    private static Throwable thrown(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("no error");
    }

    @Test
    void describeStreamPagesShards() {
        List<String> ids = new ArrayList<>();
        String start = null;
        boolean more = true;
        while (more) {
            String from = start;
            var description = client.describeStream(b -> b.streamName("p-a").limit(3).exclusiveStartShardId(from))
                    .streamDescription();
            description.shards().forEach(s -> ids.add(s.shardId()));
            more = description.hasMoreShards();
            start = ids.get(ids.size() - 1);
            assertThat(description.shards()).hasSizeLessThanOrEqualTo(3);
        }
        assertThat(ids).hasSize(7).doesNotHaveDuplicates().isSorted();
    }

    @Test
    void listStreamsPagesWithNextTokenOrExclusiveStart() {
        var first = client.listStreams(b -> b.limit(2));
        assertThat(first.streamNames()).containsExactly("p-a", "p-b");
        assertThat(first.hasMoreStreams()).isTrue();
        assertThat(first.streamSummaries()).extracting(s -> s.streamARN())
                .containsExactly(kinesis.streamArn("p-a"), kinesis.streamArn("p-b"));
        var second = client.listStreams(b -> b.nextToken(first.nextToken()).limit(2));
        assertThat(second.streamNames()).containsExactly("p-c", "p-d");
        var last = client.listStreams(b -> b.exclusiveStartStreamName("p-d"));
        assertThat(last.streamNames()).containsExactly("p-e");
        assertThat(last.hasMoreStreams()).isFalse();
    }

    @Test
    void listShardsPagesToTheEnd() {
        List<Shard> all = new ArrayList<>();
        var page = client.listShards(b -> b.streamName("p-a").maxResults(4));
        all.addAll(page.shards());
        while (page.nextToken() != null) {
            String token = page.nextToken();
            page = client.listShards(b -> b.nextToken(token).maxResults(4));
            all.addAll(page.shards());
        }
        assertThat(all).extracting(Shard::shardId).hasSize(7).doesNotHaveDuplicates();
    }

    @Test
    void tagsAddListRemove() {
        client.addTagsToStream(b -> b.streamName("p-b").tags(Map.of("a", "1", "b", "2", "c", "3")));
        var page = client.listTagsForStream(b -> b.streamName("p-b").limit(2));
        assertThat(page.tags()).extracting(t -> t.key()).containsExactly("a", "b");
        assertThat(page.hasMoreTags()).isTrue();
        client.removeTagsFromStream(b -> b.streamName("p-b").tagKeys("a", "c"));
        assertThat(client.listTagsForStream(b -> b.streamName("p-b")).tags()).extracting(t -> t.key() + "=" + t.value())
                .containsExactly("b=2");
    }

    @Test
    void explicitHashKeysAndOrderingNumbersAreValidated() {
        // Outside the model's pattern: ValidationException; inside it but above 2^128-1: InvalidArgumentException.
        assertThat(thrown(() -> client.putRecord(b -> b.streamName("p-c").partitionKey("k").explicitHashKey("-1")
                .data(SdkBytes.fromUtf8String("x"))))).isInstanceOf(KinesisException.class)
                .hasMessageContaining("Value '-1' at 'explicitHashKey' failed to satisfy constraint: Member must "
                        + "satisfy regular expression pattern: 0|([1-9]\\d{0,38})");
        assertThat(thrown(() -> client.putRecord(b -> b.streamName("p-c").partitionKey("k")
                .explicitHashKey(LocalStream.MAX_HASH_KEY.add(java.math.BigInteger.ONE).toString())
                .data(SdkBytes.fromUtf8String("x"))))).isInstanceOf(InvalidArgumentException.class);
        var first = client.putRecord(b -> b.streamName("p-c").partitionKey("k").data(SdkBytes.fromUtf8String("1")));
        var second = client.putRecord(b -> b.streamName("p-c").partitionKey("k").data(SdkBytes.fromUtf8String("2"))
                .sequenceNumberForOrdering(first.sequenceNumber()));
        assertThat(new java.math.BigInteger(second.sequenceNumber()))
                .isGreaterThan(new java.math.BigInteger(first.sequenceNumber()));
        assertThat(thrown(() -> client.putRecord(b -> b.streamName("p-c").partitionKey("k")
                .data(SdkBytes.fromUtf8String("3")).sequenceNumberForOrdering("abc"))))
                .hasMessageContaining("Value 'abc' at 'sequenceNumberForOrdering' failed to satisfy constraint");
        // A number the stream never issued, and greater than any it could issue next, cannot be honoured.
        assertThat(thrown(() -> client.putRecord(b -> b.streamName("p-c").partitionKey("k")
                .data(SdkBytes.fromUtf8String("3")).sequenceNumberForOrdering("9".repeat(60)))))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void iteratorsAndSequenceNumbersFromElsewhereAreRefused() {
        var put = client.putRecord(b -> b.streamName("p-d").partitionKey("k").data(SdkBytes.fromUtf8String("1")));
        assertThat(thrown(() -> client.getShardIterator(b -> b.streamName("p-a").shardId("shardId-000000000001")
                .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).startingSequenceNumber(put.sequenceNumber()))))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("did not come from this shard");
        assertThat(thrown(() -> client.getRecords(b -> b.shardIterator("bm90LWFuLWl0ZXJhdG9y"))))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(thrown(() -> client.getShardIterator(b -> b.streamName("p-d").shardId("shardId-000000000009")
                .shardIteratorType(ShardIteratorType.LATEST)))).isInstanceOf(ResourceNotFoundException.class);
        Throwable badType = thrown(() -> client.getShardIterator(b -> b.streamName("p-d")
                .shardId("shardId-000000000000").shardIteratorType("SIDEWAYS")));
        assertThat(((KinesisException) badType).awsErrorDetails().errorCode()).isEqualTo("ValidationException");
        Throwable badName = thrown(() -> client.describeStream(b -> b.streamName("bad name!")));
        assertThat(((KinesisException) badName).awsErrorDetails().errorCode()).isEqualTo("ValidationException");
    }
}
