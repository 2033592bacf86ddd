package dev.shardline.consumer;

import java.time.Instant;

/**
 * A stream a worker reads: its name, its ARN, and in a multi-stream application its identifier
 * {@code account:streamName:creationEpoch} (KCL's {@code StreamIdentifier}), which prefixes its lease keys. A
 * re-created stream has a new creation epoch, so its leases never mix with the old stream's.
 */
record StreamRef(String name, String arn, String identifier) {

    StreamRef(String name, String arn) {
        this(name, arn, null);
    }

    /** The multi-stream reference of a stream with {@code arn} created at {@code created}. */
    static StreamRef multi(String name, String arn, Instant created) {
        String account = arn.split(":")[4];
        return new StreamRef(name, arn, account + ":" + name + ":" + created.getEpochSecond());
    }

    boolean isMulti() {
        return identifier != null;
    }

    /** The lease key of {@code shardId}: the shard id itself, or {@code identifier:shardId} for multi-stream. */
    String leaseKey(String shardId) {
        return identifier == null ? shardId : identifier + ":" + shardId;
    }

    /** The shard id in a lease key of this stream. */
    String shardIdOf(String leaseKey) {
        return identifier == null ? leaseKey : leaseKey.substring(identifier.length() + 1);
    }

    /** True when {@code leaseKey} is a lease of this stream. */
    boolean owns(String leaseKey) {
        return identifier == null ? identifierOf(leaseKey) == null
                : leaseKey.length() > identifier.length() && leaseKey.startsWith(identifier)
                && leaseKey.charAt(identifier.length()) == ':';
    }

    /**
     * The stream identifier of a multi-stream lease key ({@code account:streamName:creationEpoch:shardId}), or null
     * for a single-stream key (a bare shard id).
     */
    static String identifierOf(String leaseKey) {
        int last = leaseKey.lastIndexOf(':');
        if (last < 0) {
            return null;
        }
        String id = leaseKey.substring(0, last);
        return id.matches("\\d+:[a-zA-Z0-9_.-]+:\\d+") ? id : null;
    }

    @Override
    public String toString() {
        return name != null ? name : arn;
    }
}
