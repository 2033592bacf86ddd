package dev.shardline.checkpoint;

import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Lease item attribute names (KCL's) and the mapping between items and {@link Lease} snapshots. */
final class LeaseItems {
    static final String LEASE_KEY = "leaseKey";
    static final String LEASE_OWNER = "leaseOwner";
    static final String LEASE_COUNTER = "leaseCounter";
    static final String CHECKPOINT = "checkpoint";
    static final String CHECKPOINT_SUB = "checkpointSubSequenceNumber";
    static final String OWNER_SWITCHES = "ownerSwitchesSinceCheckpoint";
    static final String PARENT_SHARD_ID = "parentShardId";
    static final String CHILD_SHARD_IDS = "childShardIds";
    static final String PENDING_CHECKPOINT = "pendingCheckpoint";
    static final String PENDING_CHECKPOINT_SUB = "pendingCheckpointSubSequenceNumber";
    static final String PENDING_CHECKPOINT_STATE = "pendingCheckpointState";
    static final String STARTING_HASH_KEY = "startingHashKey";
    static final String ENDING_HASH_KEY = "endingHashKey";
    static final String CHECKPOINT_OWNER = "checkpointOwner";
    static final String THROUGHPUT = "throughputKBps";
    /** KCL's multi-stream attribute holding the stream identifier {@code account:streamName:creationEpoch}. */
    static final String STREAM_ID = "streamName";
    static final String SHARD_ID = "shardId";
    static final String RECORDS_PER_SECOND = "shardlineRecordsPerSecond";
    static final String MILLIS_BEHIND = "shardlineMillisBehindLatest";
    static final String OWNER_INDEX = "LeaseOwnerToLeaseKeyIndex";

    private LeaseItems() {
    }

    static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    static Map<String, AttributeValue> key(String leaseKey) {
        return Map.of(LEASE_KEY, s(leaseKey));
    }

    /** The full item for a new lease (only for create-if-absent). */
    static Map<String, AttributeValue> toItem(Lease lease) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(LEASE_KEY, s(lease.leaseKey()));
        lease.owner().ifPresent(o -> item.put(LEASE_OWNER, s(o)));
        item.put(LEASE_COUNTER, n(lease.counter()));
        item.put(CHECKPOINT, s(lease.checkpoint().sequenceNumber()));
        item.put(CHECKPOINT_SUB, n(lease.checkpoint().subSequenceNumber()));
        item.put(OWNER_SWITCHES, n(lease.ownerSwitchesSinceCheckpoint()));
        if (!lease.parentShardIds().isEmpty()) {
            item.put(PARENT_SHARD_ID, AttributeValue.fromSs(lease.parentShardIds().stream().toList()));
        }
        if (!lease.childShardIds().isEmpty()) {
            item.put(CHILD_SHARD_IDS, AttributeValue.fromSs(lease.childShardIds().stream().toList()));
        }
        lease.pendingCheckpoint().ifPresent(p -> {
            item.put(PENDING_CHECKPOINT, s(p.sequenceNumber()));
            item.put(PENDING_CHECKPOINT_SUB, n(p.subSequenceNumber()));
        });
        lease.pendingCheckpointState().ifPresent(st -> item.put(PENDING_CHECKPOINT_STATE, AttributeValue.fromB(SdkBytes.fromByteArray(st))));
        lease.startingHashKey().ifPresent(h -> item.put(STARTING_HASH_KEY, s(h.toString())));
        lease.endingHashKey().ifPresent(h -> item.put(ENDING_HASH_KEY, s(h.toString())));
        lease.checkpointOwner().ifPresent(o -> item.put(CHECKPOINT_OWNER, s(o)));
        lease.throughputKBps().ifPresent(t -> item.put(THROUGHPUT, AttributeValue.fromN(Double.toString(t))));
        lease.recordsPerSecond().ifPresent(r -> item.put(RECORDS_PER_SECOND, AttributeValue.fromN(Double.toString(r))));
        lease.millisBehindLatest().ifPresent(m -> item.put(MILLIS_BEHIND, n(m)));
        lease.streamIdentifier().ifPresent(id -> {
            item.put(STREAM_ID, s(id));
            item.put(SHARD_ID, s(lease.shardId()));
        });
        return item;
    }

    /** A snapshot of an item; attributes this class does not know are ignored (and kept in the table). */
    static Lease fromItem(Map<String, AttributeValue> item) {
        Lease.Builder b = Lease.builder(str(item, LEASE_KEY));
        b.owner(str(item, LEASE_OWNER));
        b.counter(num(item, LEASE_COUNTER, 0));
        String cp = str(item, CHECKPOINT);
        b.checkpoint(cp == null ? ExtendedSequenceNumber.TRIM_HORIZON
                : ExtendedSequenceNumber.of(cp, num(item, CHECKPOINT_SUB, 0)));
        String pending = str(item, PENDING_CHECKPOINT);
        if (pending != null) {
            b.pendingCheckpoint(ExtendedSequenceNumber.of(pending, num(item, PENDING_CHECKPOINT_SUB, 0)));
        }
        AttributeValue state = item.get(PENDING_CHECKPOINT_STATE);
        if (state != null && state.b() != null) {
            b.pendingCheckpointState(state.b().asByteArray());
        }
        b.ownerSwitchesSinceCheckpoint(num(item, OWNER_SWITCHES, 0));
        b.parentShardIds(strings(item, PARENT_SHARD_ID));
        b.childShardIds(strings(item, CHILD_SHARD_IDS));
        String start = str(item, STARTING_HASH_KEY);
        String end = str(item, ENDING_HASH_KEY);
        if (start != null && end != null) {
            b.hashKeyRange(new BigInteger(start), new BigInteger(end));
        }
        b.checkpointOwner(str(item, CHECKPOINT_OWNER));
        AttributeValue t = item.get(THROUGHPUT);
        if (t != null && t.n() != null) {
            b.throughputKBps(Double.valueOf(t.n()));
        }
        AttributeValue rps = item.get(RECORDS_PER_SECOND);
        if (rps != null && rps.n() != null) {
            b.recordsPerSecond(Double.valueOf(rps.n()));
        }
        AttributeValue behind = item.get(MILLIS_BEHIND);
        if (behind != null && behind.n() != null) {
            b.millisBehindLatest(Long.valueOf(behind.n()));
        }
        String streamId = str(item, STREAM_ID);
        if (streamId != null) {
            String shard = str(item, SHARD_ID);
            b.multiStream(streamId, shard);
        }
        return b.build();
    }

    private static String str(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }

    private static long num(Map<String, AttributeValue> item, String name, long dflt) {
        AttributeValue v = item.get(name);
        return v == null || v.n() == null ? dflt : Long.parseLong(v.n());
    }

    private static LinkedHashSet<String> strings(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        LinkedHashSet<String> out = new LinkedHashSet<>();
        if (v != null) {
            if (v.hasSs()) {
                out.addAll(v.ss());
            } else if (v.hasL()) { // tolerate a list
                v.l().forEach(e -> out.add(e.s()));
            } else if (v.s() != null) {
                out.add(v.s());
            }
        }
        return out;
    }
}
