package dev.shardline.producer;

import dev.shardline.aggregation.HashKeyRange;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/** Reads a whole stream back through the SDK and de-aggregates it with Amazon KCL's de-aggregator (its shard rule). */
final class StreamReader {

    /** One user record as KCL sees it. */
    record Read(String shardId, String sequenceNumber, long subSequenceNumber, String partitionKey, String data) {
    }

    static List<Shard> shards(KinesisAsyncClient client, String stream) throws Exception {
        List<Shard> shards = new ArrayList<>();
        String token = null;
        do {
            String t = token;
            ListShardsResponse r = client.listShards(b -> {
                if (t == null) {
                    b.streamName(stream);
                } else {
                    b.nextToken(t);
                }
            }).get(10, TimeUnit.SECONDS);
            shards.addAll(r.shards());
            token = r.nextToken();
        } while (token != null);
        return shards;
    }

    static List<Read> readAll(KinesisAsyncClient client, String stream) throws Exception {
        List<Read> out = new ArrayList<>();
        AggregatorUtil kcl = new AggregatorUtil();
        for (Shard shard : shards(client, stream)) {
            String iterator = client.getShardIterator(b -> b.streamName(stream).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).get(10, TimeUnit.SECONDS).shardIterator();
            int emptyInARow = 0;
            while (iterator != null && emptyInARow < 2) {
                String it = iterator;
                GetRecordsResponse r = getRecords(client, it);
                List<KinesisClientRecord> raw = new ArrayList<>();
                r.records().forEach(rec -> raw.add(KinesisClientRecord.fromRecord(rec)));
                for (KinesisClientRecord u : kcl.deaggregate(raw, shard.hashKeyRange().startingHashKey(),
                        shard.hashKeyRange().endingHashKey())) {
                    out.add(new Read(shard.shardId(), u.sequenceNumber(), u.subSequenceNumber(), u.partitionKey(),
                            utf8(u.data())));
                }
                emptyInARow = r.records().isEmpty() && (r.millisBehindLatest() == null || r.millisBehindLatest() == 0)
                        ? emptyInARow + 1 : 0;
                iterator = r.nextShardIterator();
            }
        }
        return out;
    }

    private static GetRecordsResponse getRecords(KinesisAsyncClient client, String iterator) throws Exception {
        for (int attempt = 0; ; attempt++) {
            try {
                return client.getRecords(b -> b.shardIterator(iterator).limit(10_000)).get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                if (attempt > 50 || !String.valueOf(e.getCause()).contains("ProvisionedThroughputExceeded")) {
                    throw e;
                }
                Thread.sleep(Duration.ofMillis(250).toMillis());
            }
        }
    }

    static HashKeyRange range(Shard shard) {
        return HashKeyRange.of(shard.hashKeyRange().startingHashKey(), shard.hashKeyRange().endingHashKey());
    }

    static String utf8(ByteBuffer data) {
        ByteBuffer copy = data.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
