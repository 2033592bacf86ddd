package dev.shardline.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stream-level operations: CreateStream, DeleteStream, DescribeStream, DescribeStreamSummary, ListStreams,
 * ListShards, tags and retention.
 */
final class StreamOperations {
    static final int ON_DEMAND_SHARDS = 4;
    static final long NEXT_TOKEN_LIFETIME_MILLIS = 300_000;

    private final StreamStore store;
    private final StreamConsumerRegistry consumers;

    StreamOperations(StreamStore store, StreamConsumerRegistry consumers) {
        this.store = store;
        this.consumers = consumers;
    }

    void registerAll(OperationRegistry registry) {
        registry.register("CreateStream", this::createStream)
                .register("DeleteStream", this::deleteStream)
                .register("DescribeStream", this::describeStream)
                .register("DescribeStreamSummary", this::describeStreamSummary)
                .register("ListStreams", this::listStreams)
                .register("ListShards", this::listShards)
                .register("AddTagsToStream", this::addTags)
                .register("RemoveTagsFromStream", this::removeTags)
                .register("ListTagsForStream", this::listTags)
                .register("UpdateMaxRecordSize", this::updateMaxRecordSize)
                .register("IncreaseStreamRetentionPeriod", c -> retention(c, true))
                .register("DecreaseStreamRetentionPeriod", c -> retention(c, false));
    }

    Reply createStream(Call call) {
        String name = call.requireText("StreamName");
        JsonNode modeDetails = call.body().get("StreamModeDetails");
        String mode = modeDetails == null || modeDetails.isNull() || modeDetails.get("StreamMode") == null
                ? "PROVISIONED" : modeDetails.get("StreamMode").asText();
        boolean onDemand = mode.equals("ON_DEMAND"); // the model's enum was checked before
        Integer shardCount = call.integer("ShardCount");
        int shards;
        if (onDemand) {
            if (shardCount != null) {
                throw KinesisException.invalid("ShardCount must not be given for an ON_DEMAND stream.");
            }
            shards = ON_DEMAND_SHARDS;
        } else {
            if (shardCount == null) {
                throw KinesisException.invalid("ShardCount is required for a PROVISIONED stream.");
            }
            shards = call.integer("ShardCount", 1, 10_000, 1);
        }
        Map<String, String> tags = tags(name, call.body().get("Tags"));
        int maxRecordKiB = call.integer("MaxRecordSizeInKiB", 1024, 10_240, store.defaultMaxRecordSizeKiB());
        LocalStream stream = store.create(call.region(), name, shards, onDemand);
        stream.addTags(tags);
        stream.maxRecordSizeKiB(maxRecordKiB);
        return Reply.empty();
    }

    /** The service's limit of tags on one stream (and so in one request). */
    static final int MAX_TAGS = 50;
    /** Tag characters the service allows: Unicode letters, digits, white space and {@code _ . / = + - % @}. */
    private static final java.util.regex.Pattern TAG_CHARACTERS =
            java.util.regex.Pattern.compile("[\\p{L}\\p{Z}\\p{N}_./=+\\-%@\\s]*");

    /**
     * The tags of a request (lengths are checked against the model before); characters outside the service's set
     * and more than {@value #MAX_TAGS} in one request are InvalidArgumentException.
     */
    private Map<String, String> tags(String streamName, JsonNode node) {
        Map<String, String> tags = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return tags;
        }
        node.fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        if (tags.size() > MAX_TAGS) {
            throw KinesisException.invalid("Failed to add tags to stream " + streamName + " under account "
                    + store.account() + " because a given request cannot have more than " + MAX_TAGS + " tags.");
        }
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (!TAG_CHARACTERS.matcher(e.getKey()).matches() || !TAG_CHARACTERS.matcher(e.getValue()).matches()) {
                throw KinesisException.invalid("Failed to add tags to stream " + streamName + " under account "
                        + store.account() + " because some tags contained illegal characters. Tag keys and values "
                        + "may contain Unicode letters, digits, white space and _ . / = + - % @ (key '"
                        + e.getKey() + "').");
            }
        }
        return tags;
    }

    Reply deleteStream(Call call) {
        LocalStream stream = store.resolve(call);
        store.delete(stream);
        return Reply.empty();
    }

    Reply describeStream(Call call) {
        LocalStream stream = store.resolveDescribable(call);
        int limit = call.integer("Limit", 1, 10_000, 100);
        String exclusiveStart = LocalStream.canonicalShardId(call.text("ExclusiveStartShardId"));
        stream.trimExpired(store.nowMillis());
        // The service lists no shards until the stream is ACTIVE.
        List<LocalShard> visible = stream.status() == StreamStatus.CREATING ? List.of() : visibleShards(stream);
        List<LocalShard> page = new ArrayList<>();
        boolean more = false;
        for (LocalShard shard : visible) {
            if (exclusiveStart != null && shard.shardId().compareTo(exclusiveStart) <= 0) {
                continue;
            }
            if (page.size() == limit) {
                more = true;
                break;
            }
            page.add(shard);
        }
        ObjectNode out = call.newObject();
        ObjectNode description = out.putObject("StreamDescription");
        common(call, stream, description);
        ArrayNode shards = description.putArray("Shards");
        page.forEach(s -> shards.add(ShardJson.shard(call, s)));
        description.put("HasMoreShards", more);
        return Reply.of(out);
    }

    Reply describeStreamSummary(Call call) {
        LocalStream stream = store.resolveDescribable(call);
        ObjectNode out = call.newObject();
        ObjectNode summary = out.putObject("StreamDescriptionSummary");
        common(call, stream, summary);
        summary.put("OpenShardCount", stream.openShards().size());
        summary.put("ConsumerCount", consumers.count(stream.arn(), stream.createdMillis()));
        return Reply.of(out);
    }

    private void common(Call call, LocalStream stream, ObjectNode node) {
        node.put("StreamName", stream.name());
        node.put("StreamARN", stream.arn());
        node.put("StreamStatus", stream.status().name());
        node.putObject("StreamModeDetails").put("StreamMode", stream.onDemand() ? "ON_DEMAND" : "PROVISIONED");
        node.put("RetentionPeriodHours", stream.retentionHours());
        node.set("StreamCreationTimestamp", call.timestamp(Instant.ofEpochMilli(stream.createdMillis())));
        node.putArray("EnhancedMonitoring").addObject().putArray("ShardLevelMetrics");
        node.put("EncryptionType", "NONE");
        node.put("MaxRecordSizeInKiB", stream.maxRecordSizeKiB());
    }

    Reply updateMaxRecordSize(Call call) {
        LocalStream stream = store.resolve(call);
        stream.maxRecordSizeKiB(call.integer("MaxRecordSizeInKiB", 1024, 10_240, 1024));
        return Reply.empty();
    }

    /** Shards a reader can still see: open ones, and closed ones that still hold records within retention. */
    private List<LocalShard> visibleShards(LocalStream stream) {
        long horizon = store.nowMillis() - stream.retentionHours() * 3_600_000L;
        return stream.shards().stream().filter(s -> !s.isClosed() || s.closedMillis() >= horizon).toList();
    }

    Reply listStreams(Call call) {
        int limit = call.integer("Limit", 1, 10_000, 100);
        String exclusiveStart = call.text("ExclusiveStartStreamName");
        String nextToken = call.text("NextToken");
        if (nextToken != null) {
            exclusiveStart = decodeToken(nextToken, "ListStreams")[0];
        }
        List<LocalStream> page = new ArrayList<>();
        boolean more = false;
        for (LocalStream stream : store.list()) {
            if (exclusiveStart != null && stream.name().compareTo(exclusiveStart) <= 0) {
                continue;
            }
            if (page.size() == limit) {
                more = true;
                break;
            }
            page.add(stream);
        }
        ObjectNode out = call.newObject();
        ArrayNode names = out.putArray("StreamNames");
        ArrayNode summaries = out.putArray("StreamSummaries");
        for (LocalStream stream : page) {
            names.add(stream.name());
            ObjectNode summary = summaries.addObject();
            summary.put("StreamName", stream.name());
            summary.put("StreamARN", stream.arn());
            summary.put("StreamStatus", stream.status().name());
            summary.putObject("StreamModeDetails").put("StreamMode", stream.onDemand() ? "ON_DEMAND" : "PROVISIONED");
            summary.set("StreamCreationTimestamp", call.timestamp(Instant.ofEpochMilli(stream.createdMillis())));
        }
        out.put("HasMoreStreams", more);
        if (more) {
            out.put("NextToken", encodeToken("ListStreams", page.get(page.size() - 1).name()));
        }
        return Reply.of(out);
    }

    /** A paging token: kind, values and issue time, base64; expires after 300 s. */
    private String encodeToken(String kind, String... values) {
        String payload = kind + "|" + store.nowMillis() + "|" + String.join("|", values);
        return Base64.getEncoder().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    }

    private String[] decodeToken(String token, String kind) {
        String[] parts;
        try {
            parts = new String(Base64.getDecoder().decode(token), StandardCharsets.UTF_8).split("\\|", -1);
        } catch (IllegalArgumentException e) {
            throw KinesisException.invalid("Invalid NextToken.");
        }
        if (parts.length < 3 || !parts[0].equals(kind)) {
            throw KinesisException.invalid("Invalid NextToken.");
        }
        long issued;
        try {
            issued = Long.parseLong(parts[1]);
        } catch (NumberFormatException e) {
            throw KinesisException.invalid("Invalid NextToken.");
        }
        if (store.nowMillis() - issued > NEXT_TOKEN_LIFETIME_MILLIS) {
            throw KinesisException.expiredNextToken("The token " + token + " has expired (tokens are valid for "
                    + NEXT_TOKEN_LIFETIME_MILLIS / 1000 + " seconds).");
        }
        String[] values = new String[parts.length - 2];
        System.arraycopy(parts, 2, values, 0, values.length);
        return values;
    }

    Reply listShards(Call call) {
        String nextToken = call.text("NextToken");
        int maxResults = call.integer("MaxResults", 1, 10_000, 1000);
        LocalStream stream;
        String exclusiveStart;
        String filterType = null;
        String filterShardId = null;
        Long filterMillis = null;
        if (nextToken != null) {
            if (call.has("StreamName") || call.has("StreamARN") || call.has("ExclusiveStartShardId")
                    || call.has("StreamCreationTimestamp")) {
                throw KinesisException.invalid("NextToken and StreamName cannot be provided together.");
            }
            String[] values = decodeToken(nextToken, "ListShards");
            if (values.length != 5) {
                throw KinesisException.invalid("Invalid NextToken.");
            }
            stream = store.resolve(null, values[0]);
            exclusiveStart = values[1];
            filterType = values[2].isEmpty() ? null : values[2];
            filterShardId = values[3].isEmpty() ? null : values[3];
            filterMillis = values[4].isEmpty() ? null : Long.valueOf(values[4]);
        } else {
            stream = store.resolve(call);
            exclusiveStart = LocalStream.canonicalShardId(call.text("ExclusiveStartShardId"));
            JsonNode filter = call.body().get("ShardFilter");
            if (filter != null && !filter.isNull()) {
                filterType = filter.path("Type").asText(null);
                filterShardId = LocalStream.canonicalShardId(filter.path("ShardId").asText(null));
                Instant ts = call.timestamp(filter, "Timestamp");
                filterMillis = ts == null ? null : ts.toEpochMilli();
                checkFilter(filterType, filterShardId, filterMillis);
            }
        }
        if (stream.status() == StreamStatus.CREATING) {
            throw KinesisException.inUse("Stream " + stream.name() + " under account " + store.account()
                    + " is not ACTIVE, instead in state CREATING; its shards can be listed once it is ACTIVE.");
        }
        long now = store.nowMillis();
        stream.trimExpired(now);
        List<LocalShard> candidates = filtered(stream, filterType, filterShardId, filterMillis, now);
        List<LocalShard> page = new ArrayList<>();
        boolean more = false;
        for (LocalShard shard : candidates) {
            if (exclusiveStart != null && shard.shardId().compareTo(exclusiveStart) <= 0) {
                continue;
            }
            if (page.size() == maxResults) {
                more = true;
                break;
            }
            page.add(shard);
        }
        ObjectNode out = call.newObject();
        ArrayNode shards = out.putArray("Shards");
        page.forEach(s -> shards.add(ShardJson.shard(call, s)));
        if (more) {
            out.put("NextToken", encodeToken("ListShards", stream.arn(), page.get(page.size() - 1).shardId(),
                    filterType == null ? "" : filterType, filterShardId == null ? "" : filterShardId,
                    filterMillis == null ? "" : Long.toString(filterMillis)));
        }
        return Reply.of(out);
    }

    /** The members a ShardFilter type needs (its type is one of the model's enum, checked before). */
    private static void checkFilter(String type, String shardId, Long millis) {
        switch (type) {
            case "AFTER_SHARD_ID" -> {
                if (shardId == null) {
                    throw KinesisException.invalid("ShardFilter of type AFTER_SHARD_ID requires a ShardId.");
                }
            }
            case "AT_TIMESTAMP", "FROM_TIMESTAMP" -> {
                if (millis == null) {
                    throw KinesisException.invalid("ShardFilter of type " + type + " requires a Timestamp.");
                }
            }
            default -> {
            }
        }
    }

    /**
     * The shards a ShardFilter selects. A shard is "open at" time t when it was created at or before t and
     * closed after t; the trim horizon is now minus the retention period.
     */
    private List<LocalShard> filtered(LocalStream stream, String type, String shardId, Long millis, long now) {
        long horizon = now - stream.retentionHours() * 3_600_000L;
        List<LocalShard> all = stream.shards();
        if (type == null) {
            return all.stream().filter(s -> !s.isClosed() || s.closedMillis() >= horizon).toList();
        }
        return switch (type) {
            case "AFTER_SHARD_ID" -> all.stream().filter(s -> s.shardId().compareTo(shardId) > 0)
                    .filter(s -> !s.isClosed() || s.closedMillis() >= horizon).toList();
            case "AT_LATEST" -> all.stream().filter(s -> !s.isClosed()).toList();
            case "AT_TRIM_HORIZON" -> openAt(all, Math.max(horizon, stream.createdMillis()));
            case "FROM_TRIM_HORIZON" -> all.stream().filter(s -> !s.isClosed() || s.closedMillis() >= horizon)
                    .toList();
            case "AT_TIMESTAMP" -> openAt(all, Math.max(millis, stream.createdMillis()));
            case "FROM_TIMESTAMP" -> all.stream()
                    .filter(s -> !s.isClosed() || s.closedMillis() > Math.max(millis, horizon)).toList();
            default -> throw new IllegalStateException(type);
        };
    }

    private static List<LocalShard> openAt(List<LocalShard> all, long millis) {
        return all.stream().filter(s -> s.createdMillis() <= millis && s.closedMillis() > millis).toList();
    }

    Reply addTags(Call call) {
        LocalStream stream = store.resolve(call);
        Map<String, String> tags = tags(stream.name(), call.body().get("Tags"));
        Map<String, String> merged = stream.tags();
        merged.putAll(tags);
        if (merged.size() > MAX_TAGS) {
            throw KinesisException.limitExceeded("Failed to add tags to stream " + stream.name() + " under account "
                    + store.account() + " because a stream may have at most " + MAX_TAGS + " tags; this request "
                    + "would make " + merged.size() + ".");
        }
        stream.addTags(tags);
        return Reply.empty();
    }

    Reply removeTags(Call call) {
        LocalStream stream = store.resolve(call);
        JsonNode keys = call.body().get("TagKeys");
        List<String> list = new ArrayList<>();
        if (keys != null && keys.isArray()) {
            keys.forEach(k -> list.add(k.asText()));
        }
        stream.removeTags(list);
        return Reply.empty();
    }

    Reply listTags(Call call) {
        LocalStream stream = store.resolve(call);
        int limit = call.integer("Limit", 1, 50, 50);
        String exclusiveStart = call.text("ExclusiveStartTagKey");
        ObjectNode out = call.newObject();
        ArrayNode tags = out.putArray("Tags");
        boolean more = false;
        for (Map.Entry<String, String> tag : stream.tags().entrySet()) {
            if (exclusiveStart != null && tag.getKey().compareTo(exclusiveStart) <= 0) {
                continue;
            }
            if (tags.size() == limit) {
                more = true;
                break;
            }
            tags.addObject().put("Key", tag.getKey()).put("Value", tag.getValue());
        }
        out.put("HasMoreTags", more);
        return Reply.of(out);
    }

    Reply retention(Call call, boolean increase) {
        LocalStream stream = store.resolve(call);
        int hours = call.integer("RetentionPeriodHours");
        if (hours < 24 || hours > 8760) {
            throw KinesisException.invalid("Minimum allowed retention period is 24 hours and maximum is 8760 hours "
                    + "(was " + hours + ").");
        }
        if (increase && hours < stream.retentionHours()) {
            throw KinesisException.invalid("Requested retention period (" + hours + " hours) for stream "
                    + stream.name() + " can not be shorter than existing retention period ("
                    + stream.retentionHours() + " hours). Use DecreaseRetentionPeriod API.");
        }
        if (!increase && hours > stream.retentionHours()) {
            throw KinesisException.invalid("Requested retention period (" + hours + " hours) for stream "
                    + stream.name() + " can not be longer than existing retention period ("
                    + stream.retentionHours() + " hours). Use IncreaseRetentionPeriod API.");
        }
        stream.retentionHours(hours);
        stream.trimExpired(store.nowMillis());
        return Reply.empty();
    }
}
