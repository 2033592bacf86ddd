package dev.shardline.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.aggregation.HashKeyRange;
import dev.shardline.aggregation.HashKeys;
import dev.shardline.aggregation.Limits;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ShardTableTest {

    /** n shards splitting the key space evenly, as CreateStream does. */
    static List<ShardTable.Shard> even(int n) {
        List<ShardTable.Shard> shards = new ArrayList<>();
        BigInteger size = Limits.MAX_HASH_KEY.add(BigInteger.ONE).divide(BigInteger.valueOf(n));
        for (int i = 0; i < n; i++) {
            BigInteger start = size.multiply(BigInteger.valueOf(i));
            BigInteger end = i == n - 1 ? Limits.MAX_HASH_KEY : start.add(size).subtract(BigInteger.ONE);
            shards.add(new ShardTable.Shard(String.format("shardId-%012d", i), new HashKeyRange(start, end)));
        }
        return shards;
    }

    @Test
    void predictsTheShardWhoseRangeHoldsTheKey() {
        List<ShardTable.Shard> shards = even(7);
        List<ShardTable.Shard> shuffled = new ArrayList<>(shards);
        java.util.Collections.shuffle(shuffled, new Random(1));
        ShardTable table = new ShardTable(shuffled, 0);
        Random random = new Random(2);
        for (int i = 0; i < 2000; i++) {
            BigInteger key = HashKeys.hashKey("key-" + random.nextInt());
            ShardTable.Shard predicted = table.shardFor(key);
            assertThat(predicted.range().contains(key)).as("key %s in %s", key, predicted).isTrue();
            long owners = shards.stream().filter(s -> s.range().contains(key)).count();
            assertThat(owners).isEqualTo(1);
        }
        assertThat(table.shardFor(BigInteger.ZERO).shardId()).isEqualTo("shardId-000000000000");
        assertThat(table.shardFor(Limits.MAX_HASH_KEY).shardId()).isEqualTo("shardId-000000000006");
        BigInteger boundary = shards.get(3).range().startingHashKey();
        assertThat(table.shardFor(boundary).shardId()).isEqualTo("shardId-000000000003");
        assertThat(table.shardFor(boundary.subtract(BigInteger.ONE)).shardId()).isEqualTo("shardId-000000000002");
    }

    @Test
    void findsShardsById() {
        ShardTable table = new ShardTable(even(2), 5);
        assertThat(table.shard("shardId-000000000001")).isNotNull();
        assertThat(table.shard("nope")).isNull();
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.loadedAtNanos).isEqualTo(5);
    }
}
