package dev.shardline.local;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * SplitShard, MergeShards and UpdateShardCount. The stream is UPDATING for the status delay, then the change is
 * applied at once: parents close, children open. UpdateShardCount (uniform scaling) is carried out as the service
 * does, as splits at the new boundaries followed by merges, so every child names its real parents.
 */
final class ReshardOperations {
    private final StreamStore store;

    ReshardOperations(StreamStore store) {
        this.store = store;
    }

    void registerAll(OperationRegistry registry) {
        registry.register("SplitShard", this::splitShard)
                .register("MergeShards", this::mergeShards)
                .register("UpdateShardCount", this::updateShardCount);
    }

    private LocalStream activeStream(Call call) {
        LocalStream stream = store.resolve(call);
        if (stream.status() != StreamStatus.ACTIVE) {
            throw KinesisException.inUse("Stream " + stream.name() + " under account " + store.account()
                    + " not ACTIVE, instead in state " + stream.status());
        }
        return stream;
    }

    private LocalShard openShard(LocalStream stream, String shardId) {
        LocalShard shard = stream.shard(shardId);
        if (shard == null) {
            throw KinesisException.notFound("Could not find shard " + shardId + " in stream " + stream.name()
                    + " under account " + store.account() + ".");
        }
        if (shard.isClosed()) {
            throw KinesisException.notFound("Shard " + shardId + " in stream " + stream.name() + " under account "
                    + store.account() + " has already been merged or split, and thus is not eligible for "
                    + "merging or splitting.");
        }
        return shard;
    }

    /** Runs the change after the status delay, with the stream UPDATING meanwhile. */
    private void update(LocalStream stream, Runnable change) {
        synchronized (stream) {
            if (stream.status() != StreamStatus.ACTIVE) {
                throw KinesisException.inUse("Stream " + stream.name() + " under account " + store.account()
                        + " not ACTIVE, instead in state " + stream.status());
            }
            if (store.statusDelayZero()) {
                change.run();
                return;
            }
            stream.status(StreamStatus.UPDATING);
        }
        store.after(() -> {
            synchronized (stream) {
                change.run();
                if (stream.status() == StreamStatus.UPDATING) {
                    stream.status(StreamStatus.ACTIVE);
                }
            }
        });
    }

    Reply splitShard(Call call) {
        LocalStream stream = activeStream(call);
        String shardId = call.requireText("ShardToSplit");
        String keyText = call.requireText("NewStartingHashKey");
        LocalShard shard = openShard(stream, shardId);
        BigInteger key = RecordOperations.explicitHashKey(keyText);
        if (key.compareTo(shard.startingHashKey()) <= 0 || key.compareTo(shard.endingHashKey()) > 0) {
            throw KinesisException.invalid("NewStartingHashKey " + keyText + " used in SplitShard() on shard "
                    + shardId + " in stream " + stream.name() + " under account " + store.account()
                    + " is not both greater than one plus the shard's StartingHashKey "
                    + shard.startingHashKey() + " and less than the shard's EndingHashKey " + shard.endingHashKey()
                    + ".");
        }
        store.checkShardLimit(call.region(), 1);
        update(stream, () -> split(stream, shard, key));
        return Reply.empty();
    }

    private List<LocalShard> split(LocalStream stream, LocalShard shard, BigInteger key) {
        long now = store.nowMillis();
        synchronized (stream) {
            LocalShard low = stream.addShard(shard.shardId(), null, shard.startingHashKey(),
                    key.subtract(BigInteger.ONE), now);
            LocalShard high = stream.addShard(shard.shardId(), null, key, shard.endingHashKey(), now);
            shard.close(now);
            stream.refreshOpen();
            return List.of(low, high);
        }
    }

    Reply mergeShards(Call call) {
        LocalStream stream = activeStream(call);
        LocalShard first = openShard(stream, call.requireText("ShardToMerge"));
        LocalShard second = openShard(stream, call.requireText("AdjacentShardToMerge"));
        boolean adjacent = first.endingHashKey().add(BigInteger.ONE).equals(second.startingHashKey())
                || second.endingHashKey().add(BigInteger.ONE).equals(first.startingHashKey());
        if (!adjacent) {
            throw KinesisException.invalid("Shards " + first.shardId() + " and " + second.shardId() + " in stream "
                    + stream.name() + " under account " + store.account() + " are not an adjacent pair of shards "
                    + "eligible for merging");
        }
        update(stream, () -> merge(stream, first, second));
        return Reply.empty();
    }

    private LocalShard merge(LocalStream stream, LocalShard first, LocalShard second) {
        long now = store.nowMillis();
        synchronized (stream) {
            BigInteger start = first.startingHashKey().min(second.startingHashKey());
            BigInteger end = first.endingHashKey().max(second.endingHashKey());
            LocalShard child = stream.addShard(first.shardId(), second.shardId(), start, end, now);
            first.close(now);
            second.close(now);
            stream.refreshOpen();
            return child;
        }
    }

    Reply updateShardCount(Call call) {
        LocalStream stream = activeStream(call);
        int target = call.integer("TargetShardCount", 1, 10_000, 0);
        if (!call.has("TargetShardCount")) {
            call.requireText("TargetShardCount");
        }
        String scaling = call.requireText("ScalingType");
        if (!scaling.equals("UNIFORM_SCALING")) {
            throw KinesisException.validation("Value '" + scaling + "' at 'scalingType' failed to satisfy "
                    + "constraint: Member must satisfy enum value set: [UNIFORM_SCALING]");
        }
        int current = stream.openShards().size();
        if (target > current * 2) {
            throw KinesisException.limitExceeded("UpdateShardCount of stream " + stream.name() + ": target shard "
                    + "count " + target + " is more than double the current shard count " + current + ".");
        }
        if (target * 2 < current) {
            throw KinesisException.limitExceeded("UpdateShardCount of stream " + stream.name() + ": target shard "
                    + "count " + target + " is less than half the current shard count " + current + ".");
        }
        store.checkShardLimit(call.region(), target - current);
        update(stream, () -> scale(stream, target));
        ObjectNode out = call.newObject();
        out.put("StreamName", stream.name());
        out.put("StreamARN", stream.arn());
        out.put("CurrentShardCount", current);
        out.put("TargetShardCount", target);
        return Reply.of(out);
    }

    private void scale(LocalStream stream, int target) {
        BigInteger step = BigInteger.ONE.shiftLeft(128).divide(BigInteger.valueOf(target));
        List<BigInteger> starts = new ArrayList<>();
        for (int j = 0; j < target; j++) {
            starts.add(step.multiply(BigInteger.valueOf(j)));
        }
        synchronized (stream) {
            // 1. Split open shards at every new boundary that falls strictly inside them.
            boolean again = true;
            while (again) {
                again = false;
                for (LocalShard shard : stream.openShards()) {
                    for (BigInteger boundary : starts) {
                        if (boundary.compareTo(shard.startingHashKey()) > 0
                                && boundary.compareTo(shard.endingHashKey()) <= 0) {
                            split(stream, shard, boundary);
                            again = true;
                            break;
                        }
                    }
                    if (again) {
                        break;
                    }
                }
            }
            // 2. Merge the pieces inside each new range, left to right.
            for (int j = 0; j < target; j++) {
                BigInteger start = starts.get(j);
                BigInteger end = j == target - 1 ? LocalStream.MAX_HASH_KEY : starts.get(j + 1).subtract(BigInteger.ONE);
                List<LocalShard> pieces = stream.openShards().stream()
                        .filter(s -> s.startingHashKey().compareTo(start) >= 0 && s.endingHashKey().compareTo(end) <= 0)
                        .toList();
                LocalShard current = pieces.get(0);
                for (int i = 1; i < pieces.size(); i++) {
                    current = merge(stream, current, pieces.get(i));
                }
            }
        }
    }
}
