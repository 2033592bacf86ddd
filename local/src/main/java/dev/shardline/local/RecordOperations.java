package dev.shardline.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BinaryNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashSet;
import java.util.Set;

/** PutRecord, PutRecords, GetShardIterator and GetRecords. */
final class RecordOperations {
    static final int MAX_PUT_RECORDS_ENTRIES = 500;
    static final long MAX_PUT_RECORDS_BYTES = 5L * 1024 * 1024;
    static final int MAX_GET_RECORDS_LIMIT = 10_000;
    static final long MAX_GET_RECORDS_BYTES = 10L * 1024 * 1024;
    private static final ThreadLocal<MessageDigest> MD5 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private final StreamStore store;

    RecordOperations(StreamStore store) {
        this.store = store;
    }

    void registerAll(OperationRegistry registry) {
        registry.register("PutRecord", this::putRecord)
                .register("PutRecords", this::putRecords)
                .register("GetShardIterator", this::getShardIterator)
                .register("GetRecords", this::getRecords);
    }

    /** One validated entry to store. */
    private record Entry(String partitionKey, byte[] data, BigInteger hashKey) {
        int sizeBytes() {
            return data.length + partitionKey.length();
        }
    }

    /** An entry of a request already checked against the model: partition key and data are there and in bounds. */
    private Entry entry(LocalStream stream, JsonNode node, String prefix) {
        String pk = node.get("PartitionKey").asText();
        byte[] data = Call.blob(node, "Data");
        int max = stream.maxRecordSizeKiB() * 1024;
        if (data.length > max) {
            throw KinesisException.validation("Value at '" + prefix + "data' failed to satisfy constraint: "
                    + "Member must have length less than or equal to " + max
                    + " (the maximum record size of stream " + stream.name() + ")");
        }
        if (data.length + pk.length() > max) {
            throw KinesisException.invalid("Record size " + (data.length + pk.length())
                    + " bytes (data + partition key) exceeds the maximum record size of " + max
                    + " bytes of stream " + stream.name() + ".");
        }
        JsonNode ehkNode = node.get("ExplicitHashKey");
        BigInteger hashKey;
        if (ehkNode != null && !ehkNode.isNull()) {
            hashKey = explicitHashKey(ehkNode.asText());
        } else {
            hashKey = hashKey(pk);
        }
        return new Entry(pk, data, hashKey);
    }

    static BigInteger explicitHashKey(String text) {
        BigInteger value = null;
        if (!text.isEmpty() && text.length() <= 39 && text.chars().allMatch(c -> c >= '0' && c <= '9')) {
            value = new BigInteger(text);
        }
        if (value == null || value.compareTo(LocalStream.MAX_HASH_KEY) > 0) {
            throw KinesisException.invalid("Invalid ExplicitHashKey. ExplicitHashKey must be in the range: "
                    + "[0, 2^128-1]. Specified value was " + text);
        }
        return value;
    }

    /** MD5 of the partition key (UTF-8) as an unsigned 128-bit integer: where the service routes a record. */
    static BigInteger hashKey(String partitionKey) {
        MessageDigest md5 = MD5.get();
        md5.reset();
        return new BigInteger(1, md5.digest(partitionKey.getBytes(StandardCharsets.UTF_8)));
    }

    private KinesisException throttled(LocalShard shard) {
        return KinesisException.throughput("Rate exceeded for shard " + shard.shardId() + " in stream "
                + shard.stream().name() + " under account " + store.account()
                + " (limit: 1 MiB/s and 1000 records/s of writes per shard).");
    }

    /** Stores one entry; null when the shard refused it for its write limit. */
    private StoredRecord store(LocalStream stream, Entry entry, long now, LocalShard[] shardOut) {
        for (int attempt = 0; attempt < 3; attempt++) {
            LocalShard shard = stream.route(entry.hashKey());
            shardOut[0] = shard;
            if (store.limitsEnabled() && !shard.limiter().tryWrite(entry.sizeBytes(), now)) {
                return null;
            }
            StoredRecord record = shard.appendQuietly(entry.partitionKey(), entry.data(), now);
            if (record != null) {
                stream.storedBytes().addAndGet(record.sizeBytes());
                return record;
            }
            // The shard closed between routing and appending (resharding): route again.
        }
        throw KinesisException.internalFailure("shards kept closing while storing a record");
    }

    private void afterWrite(LocalStream stream) {
        long cap = store.maxStoredBytesPerStream();
        if (stream.storedBytes().get() > cap) {
            stream.trimToBytes(cap - cap / 16);
        }
    }

    Reply putRecord(Call call) {
        LocalStream stream = store.resolveReady(call);
        Entry entry = entry(stream, call.body(), "");
        String ordering = call.text("SequenceNumberForOrdering");
        if (ordering != null) {
            checkOrdering(stream, ordering);
        }
        LocalShard[] shard = new LocalShard[1];
        StoredRecord record = store(stream, entry, store.nowMillis(), shard);
        if (record == null) {
            throw throttled(shard[0]);
        }
        afterWrite(stream);
        shard[0].fireAppended();
        ObjectNode out = call.newObject();
        out.put("ShardId", shard[0].shardId());
        out.put("SequenceNumber", record.sequenceNumber);
        out.put("EncryptionType", "NONE");
        return Reply.of(out);
    }

    /**
     * The record stored next must get a greater number than SequenceNumberForOrdering. Every number this stream
     * issued is smaller than the next one (the stream-wide counter leads), so only a number the stream never
     * issued can be one that cannot be exceeded: it is refused as the service refuses a number it did not issue.
     */
    private void checkOrdering(LocalStream stream, String ordering) {
        if (!SequenceNumbers.plausible(ordering)) {
            throw KinesisException.validation("Value '" + ordering + "' at 'sequenceNumberForOrdering' failed to "
                    + "satisfy constraint: Member must satisfy regular expression pattern: " + SequenceNumbers.PATTERN);
        }
        long counter = SequenceNumbers.counter(ordering);
        boolean issued = counter != SequenceNumbers.NOT_OURS && counter <= stream.recordCounter()
                && SequenceNumbers.position(ordering) != SequenceNumbers.NOT_OURS;
        BigInteger value = new BigInteger(ordering);
        BigInteger next = new BigInteger(SequenceNumbers.of(stream.recordCounter() + 1, 0, -1));
        if (!issued && value.compareTo(next) >= 0) {
            throw KinesisException.invalid("ExclusiveMinimumSequenceNumber " + ordering + " used in PutRecord on "
                    + "stream " + stream.name() + " under account " + store.account() + " is invalid.");
        }
    }

    Reply putRecords(Call call) {
        LocalStream stream = store.resolveReady(call);
        // 1..500 entries: checked against the model before.
        JsonNode records = call.body().get("Records");
        Entry[] entries = new Entry[records.size()];
        long total = 0;
        for (int i = 0; i < entries.length; i++) {
            entries[i] = entry(stream, records.get(i), "records." + (i + 1) + ".member.");
            total += entries[i].sizeBytes();
        }
        if (total > MAX_PUT_RECORDS_BYTES) {
            throw KinesisException.invalid("Records size " + total + " bytes exceeds the PutRecords request limit of "
                    + MAX_PUT_RECORDS_BYTES + " bytes (5 MiB, data + partition keys).");
        }
        long now = store.nowMillis();
        ObjectNode out = call.newObject();
        ArrayNode results = call.format().mapper().createArrayNode();
        int failed = 0;
        Set<LocalShard> touched = new LinkedHashSet<>();
        LocalShard[] shard = new LocalShard[1];
        for (Entry entry : entries) {
            StoredRecord record = store(stream, entry, now, shard);
            ObjectNode result = results.addObject();
            if (record == null) {
                failed++;
                KinesisException e = throttled(shard[0]);
                result.put("ErrorCode", e.type());
                result.put("ErrorMessage", e.getMessage());
            } else {
                touched.add(shard[0]);
                result.put("SequenceNumber", record.sequenceNumber);
                result.put("ShardId", shard[0].shardId());
            }
        }
        afterWrite(stream);
        for (LocalShard s : touched) {
            s.fireAppended();
        }
        out.put("FailedRecordCount", failed);
        out.set("Records", results);
        out.put("EncryptionType", "NONE");
        return Reply.of(out);
    }

    private LocalShard shardOf(LocalStream stream, String shardId) {
        LocalShard shard = stream.shard(shardId);
        if (shard == null) {
            throw KinesisException.notFound("Shard " + shardId + " in stream " + stream.name() + " under account "
                    + store.account() + " does not exist");
        }
        return shard;
    }

    Reply getShardIterator(Call call) {
        LocalStream stream = store.resolveReady(call);
        String shardId = call.requireText("ShardId");
        String type = call.requireText("ShardIteratorType");
        LocalShard shard = shardOf(stream, shardId);
        long now = store.nowMillis();
        stream.trimExpired(now);
        long position = IteratorStart.position(store, shard, "GetShardIterator", "StartingSequenceNumber", type,
                call.text("StartingSequenceNumber"), call.timestamp("Timestamp"));
        ObjectNode out = call.newObject();
        out.put("ShardIterator", ShardIterators.encode(shard, position, now));
        return Reply.of(out);
    }

    Reply getRecords(Call call) {
        String iterator = call.requireText("ShardIterator");
        int limit = call.integer("Limit", 1, MAX_GET_RECORDS_LIMIT, MAX_GET_RECORDS_LIMIT);
        ShardIterators.Token token = ShardIterators.decode(iterator);
        long now = store.nowMillis();
        if (now - token.issuedMillis() > ShardIterators.LIFETIME_MILLIS) {
            throw KinesisException.expiredIterator("Iterator expired. The iterator was created at time "
                    + token.issuedMillis() + " while right now it is " + now + " which is further in the future "
                    + "than the tolerated delay of " + ShardIterators.LIFETIME_MILLIS + " milliseconds.");
        }
        String name = StreamStore.nameFromArn(token.streamArn());
        String arnParam = call.text("StreamARN");
        if (arnParam != null && !arnParam.equals(token.streamArn())) {
            throw KinesisException.invalid("StreamARN " + arnParam + " does not match the shard iterator's stream.");
        }
        LocalStream stream = store.find(name);
        if (stream == null || stream.createdMillis() != token.streamCreatedMillis()
                || !stream.arn().equals(token.streamArn()) || stream.status() == StreamStatus.DELETING) {
            throw KinesisException.notFound("Stream " + name + " under account " + store.account() + " not found.");
        }
        LocalShard shard = stream.shard(token.shardIndex());
        if (shard == null) {
            throw KinesisException.invalid("Invalid ShardIterator.");
        }
        if (store.limitsEnabled() && !shard.limiter().tryRead(now)) {
            throw KinesisException.throughput("Rate exceeded for shard " + shard.shardId() + " in stream "
                    + stream.name() + " under account " + store.account()
                    + " (limit: 5 GetRecords calls/s and 2 MiB/s of reads per shard).");
        }
        stream.trimExpired(now);
        LocalShard.Batch batch = shard.read(token.position(), limit, MAX_GET_RECORDS_BYTES);
        if (store.limitsEnabled()) {
            shard.limiter().charge(batch.bytes);
        }
        ObjectNode out = call.newObject();
        ArrayNode records = out.putArray("Records");
        for (StoredRecord record : batch.records) {
            ObjectNode node = records.addObject();
            node.put("SequenceNumber", record.sequenceNumber);
            node.set("ApproximateArrivalTimestamp", call.timestamp(java.time.Instant.ofEpochMilli(record.arrivalMillis)));
            node.set("Data", BinaryNode.valueOf(record.data));
            node.put("PartitionKey", record.partitionKey);
        }
        boolean ended = shard.isClosed() && batch.nextPosition >= shard.nextPosition();
        if (ended) {
            out.set("ChildShards", ShardJson.childShards(call, shard));
        } else {
            out.put("NextShardIterator", ShardIterators.encode(shard, batch.nextPosition, now));
        }
        long behind = 0;
        if (!batch.atTip()) {
            long arrival = shard.arrivalAt(batch.nextPosition);
            behind = arrival < 0 ? 0 : Math.max(0, now - arrival);
        }
        out.put("MillisBehindLatest", behind);
        return Reply.of(out);
    }
}
