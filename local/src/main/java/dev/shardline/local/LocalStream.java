package dev.shardline.local;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** One stream: its shards (open and closed), settings, tags and stored-bytes account. */
final class LocalStream {
    static final BigInteger MAX_HASH_KEY = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    private final String name;
    private final String arn;
    private final long createdMillis;
    private final boolean onDemand;
    private final List<LocalShard> shards = new ArrayList<>();
    private final Map<String, String> tags = new TreeMap<>();
    private final AtomicLong storedBytes = new AtomicLong();
    /** Advanced by every record stored in any shard: the stream-wide part of the sequence numbers. */
    private final AtomicLong recordCounter = new AtomicLong();
    private volatile LocalShard[] open = new LocalShard[0];
    private volatile StreamStatus status;
    private volatile int retentionHours = 24;
    private volatile int maxRecordSizeKiB = 1024;

    LocalStream(String name, String arn, long createdMillis, boolean onDemand, StreamStatus status) {
        this.name = name;
        this.arn = arn;
        this.createdMillis = createdMillis;
        this.onDemand = onDemand;
        this.status = status;
    }

    /** Creates {@code count} shards splitting the hash-key space evenly, as the service does. */
    synchronized void createShards(int count, long nowMillis) {
        BigInteger step = BigInteger.ONE.shiftLeft(128).divide(BigInteger.valueOf(count));
        for (int i = 0; i < count; i++) {
            BigInteger start = step.multiply(BigInteger.valueOf(i));
            BigInteger end = i == count - 1 ? MAX_HASH_KEY : start.add(step).subtract(BigInteger.ONE);
            shards.add(new LocalShard(this, shards.size(), null, null, start, end, nowMillis));
        }
        refreshOpen();
    }

    /** Adds a child shard (resharding); the caller closes its parents and calls {@link #refreshOpen()}. */
    synchronized LocalShard addShard(String parent, String adjacentParent, BigInteger start, BigInteger end,
            long nowMillis) {
        LocalShard shard = new LocalShard(this, shards.size(), parent, adjacentParent, start, end, nowMillis);
        shards.add(shard);
        return shard;
    }

    synchronized void refreshOpen() {
        open = shards.stream().filter(s -> !s.isClosed())
                .sorted(Comparator.comparing(LocalShard::startingHashKey)).toArray(LocalShard[]::new);
    }

    String name() {
        return name;
    }

    String arn() {
        return arn;
    }

    long createdMillis() {
        return createdMillis;
    }

    boolean onDemand() {
        return onDemand;
    }

    StreamStatus status() {
        return status;
    }

    void status(StreamStatus status) {
        this.status = status;
    }

    int retentionHours() {
        return retentionHours;
    }

    void retentionHours(int hours) {
        this.retentionHours = hours;
    }

    int maxRecordSizeKiB() {
        return maxRecordSizeKiB;
    }

    void maxRecordSizeKiB(int kib) {
        this.maxRecordSizeKiB = kib;
    }

    /** The counter of the newest record stored in the stream (0 before the first). */
    long recordCounter() {
        return recordCounter.get();
    }

    long nextRecordCounter() {
        return recordCounter.incrementAndGet();
    }

    AtomicLong storedBytes() {
        return storedBytes;
    }

    /** Every shard, open and closed, in creation order. */
    synchronized List<LocalShard> shards() {
        return List.copyOf(shards);
    }

    /** The open shards, by starting hash key. */
    List<LocalShard> openShards() {
        return Arrays.asList(open);
    }

    /**
     * The shard a shard id names, in the canonical form or a short one the service also accepts: the shard's
     * number after any prefix ({@code shardId-0}, {@code 0}, {@code shard-7}); null when there is none.
     */
    synchronized LocalShard shard(String shardId) {
        int index = shardIndexOf(shardId);
        return index < 0 || index >= shards.size() ? null : shards.get(index);
    }

    /** The shard number an id names (see {@link #shard(String)}), or -1 when it names none. */
    static int shardIndexOf(String shardId) {
        if (shardId == null) {
            return -1;
        }
        int start = shardId.length();
        while (start > 0 && Character.isDigit(shardId.charAt(start - 1)) && shardId.charAt(start - 1) < 128) {
            start--;
        }
        if (start == shardId.length()) {
            return -1;
        }
        String digits = shardId.substring(start).replaceFirst("^0+(?=.)", "");
        if (digits.length() > 9) {
            return -1;
        }
        return Integer.parseInt(digits);
    }

    /** The canonical id of a shard id in any accepted form (unchanged when it names no number). */
    static String canonicalShardId(String shardId) {
        int index = shardIndexOf(shardId);
        return index < 0 ? shardId : LocalShard.shardIdOf(index);
    }

    synchronized LocalShard shard(int index) {
        return index >= 0 && index < shards.size() ? shards.get(index) : null;
    }

    /** The open shard whose range holds {@code hashKey}. */
    LocalShard route(BigInteger hashKey) {
        LocalShard[] current = open;
        int lo = 0;
        int hi = current.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            LocalShard shard = current[mid];
            if (shard.endingHashKey().compareTo(hashKey) < 0) {
                lo = mid + 1;
            } else if (shard.startingHashKey().compareTo(hashKey) > 0) {
                hi = mid - 1;
            } else {
                return shard;
            }
        }
        throw KinesisException.internalFailure("no open shard holds hash key " + hashKey + " in stream " + name);
    }

    Map<String, String> tags() {
        synchronized (tags) {
            return new TreeMap<>(tags);
        }
    }

    void addTags(Map<String, String> added) {
        synchronized (tags) {
            tags.putAll(added);
        }
    }

    void removeTags(List<String> keys) {
        synchronized (tags) {
            keys.forEach(tags::remove);
        }
    }

    int tagCount() {
        synchronized (tags) {
            return tags.size();
        }
    }

    /** Drops records older than the retention period; returns bytes freed. */
    long trimExpired(long nowMillis) {
        long horizon = nowMillis - retentionHours * 3_600_000L;
        long freed = 0;
        for (LocalShard shard : shards()) {
            if (shard.oldestArrivalMillis() < horizon) {
                freed += shard.trimBefore(horizon);
            }
        }
        storedBytes.addAndGet(-freed);
        return freed;
    }

    /** Drops the oldest records across shards until at most {@code targetBytes} are stored. */
    void trimToBytes(long targetBytes) {
        List<LocalShard> all = shards();
        while (storedBytes.get() > targetBytes) {
            LocalShard oldest = null;
            long oldestMillis = Long.MAX_VALUE;
            for (LocalShard shard : all) {
                long millis = shard.oldestArrivalMillis();
                if (millis < oldestMillis) {
                    oldestMillis = millis;
                    oldest = shard;
                }
            }
            if (oldest == null) {
                return;
            }
            long freed = 0;
            for (int i = 0; i < 64 && storedBytes.get() - freed > targetBytes; i++) {
                freed += oldest.trimOldest();
            }
            storedBytes.addAndGet(-freed);
            if (freed == 0) {
                return;
            }
        }
    }
}
