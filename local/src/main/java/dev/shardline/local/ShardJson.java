package dev.shardline.local;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** The JSON shapes of shards, shared by DescribeStream, ListShards, GetRecords and the fan-out events. */
final class ShardJson {
    private ShardJson() {
    }

    static ObjectNode shard(Call call, LocalShard shard) {
        ObjectNode node = call.newObject();
        node.put("ShardId", shard.shardId());
        if (shard.parentShardId() != null) {
            node.put("ParentShardId", shard.parentShardId());
        }
        if (shard.adjacentParentShardId() != null) {
            node.put("AdjacentParentShardId", shard.adjacentParentShardId());
        }
        node.set("HashKeyRange", hashKeyRange(call, shard));
        ObjectNode sequence = node.putObject("SequenceNumberRange");
        sequence.put("StartingSequenceNumber", shard.startingSequenceNumber());
        String ending = shard.endingSequenceNumber();
        if (ending != null) {
            sequence.put("EndingSequenceNumber", ending);
        }
        return node;
    }

    static ObjectNode hashKeyRange(Call call, LocalShard shard) {
        ObjectNode range = call.newObject();
        range.put("StartingHashKey", shard.startingHashKey().toString());
        range.put("EndingHashKey", shard.endingHashKey().toString());
        return range;
    }

    /** The children of a closed shard, as GetRecords and SubscribeToShard report them. */
    static ArrayNode childShards(Call call, LocalShard parent) {
        ArrayNode children = call.format().mapper().createArrayNode();
        for (LocalShard child : children(parent)) {
            ObjectNode node = children.addObject();
            node.put("ShardId", child.shardId());
            ArrayNode parents = node.putArray("ParentShards");
            if (child.parentShardId() != null) {
                parents.add(child.parentShardId());
            }
            if (child.adjacentParentShardId() != null) {
                parents.add(child.adjacentParentShardId());
            }
            node.set("HashKeyRange", hashKeyRange(call, child));
        }
        return children;
    }

    static List<LocalShard> children(LocalShard parent) {
        return parent.stream().shards().stream()
                .filter(s -> parent.shardId().equals(s.parentShardId())
                        || parent.shardId().equals(s.adjacentParentShardId()))
                .toList();
    }
}
