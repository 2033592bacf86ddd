package dev.shardline.consumer;

import dev.shardline.checkpoint.ExtendedSequenceNumber;
import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import dev.shardline.common.ShardLister;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ChildShard;
import software.amazon.awssdk.services.kinesis.model.Shard;

/**
 * Finds shards and creates their leases: from ListShards (at start and periodically) and from the ChildShards seen at
 * a shard's end. Which leases and at which starting checkpoint is decided by {@link #plan} (pure): a shard descending
 * from a leased shard starts at TRIM_HORIZON (its parents were or will be read, so nothing is skipped); otherwise it
 * starts at the initial position, and closed shards get a lease only when the initial position is TRIM_HORIZON (with
 * LATEST or AT_TIMESTAMP their records are not wanted, and a parent without a lease counts as done). A closed shard
 * with a leased descendant never gets a lease again: its lease was deleted once its children moved on.
 */
final class ShardDiscovery {
    private static final Logger log = LoggerFactory.getLogger(ShardDiscovery.class);
    private static final Duration LIST_SHARDS_TIMEOUT = Duration.ofSeconds(10);

    private final KinesisAsyncClient kinesis;
    private final LeaseTable leaseTable;
    private final StreamRef stream;
    private final InitialPosition initial;
    private final ConsumerMetrics metrics;
    private final AtomicBoolean syncRequested = new AtomicBoolean();
    /** PutItems in flight at most while creating leases. */
    static final int CREATE_CONCURRENCY = 16;

    ShardDiscovery(KinesisAsyncClient kinesis, LeaseTable leaseTable, StreamRef stream, InitialPosition initial,
                   ConsumerMetrics metrics) {
        this.kinesis = kinesis;
        this.leaseTable = leaseTable;
        this.stream = stream;
        this.initial = initial;
        this.metrics = metrics;
    }

    /** Asks the coordinator to run {@link #sync} soon (e.g. a shard ended without ChildShards). */
    void requestSync() {
        syncRequested.set(true);
    }

    boolean takeSyncRequest() {
        return syncRequested.getAndSet(false);
    }

    /** What a sync found: how many leases it created, and every shard id the stream listed. */
    /**
     * What a sync did: leases created, the stream's shard ids, and leases it left to other workers' slices
     * ({@code skipped}, to be created by whoever syncs next if still missing).
     */
    record Synced(int created, Set<String> shardIds, int skipped) {
    }

    /** Lists every shard and creates every missing lease. */
    CompletableFuture<Synced> sync(List<Lease> existing) {
        return sync(existing, 0, 1, null, null);
    }

    /**
     * Lists every shard and creates the missing leases of slice {@code slice} of {@code slices} (by a hash of the
     * shard id), when the missing leases are one layer (none is a parent of another, e.g. a new stream); deeper plans
     * are created whole, parents first. Workers that sync at the same time each take their own slice, so N workers
     * make 1/N of the PutItems each instead of all of them racing for the same leases (measured with
     * {@code bench scale}: four workers creating 1,000 leases each kept DynamoDB too busy to acknowledge heartbeats).
     * With {@code owner}, a sliced one-layer plan's leases are created already owned by it (counter 1): the same
     * conditional write as creating them unowned, and one take per lease less; the owner starts their tasks from the
     * table it reads next; the keys of those it created are added to {@code ownedOut}.
     */
    CompletableFuture<Synced> sync(List<Lease> existing, int slice, int slices, String owner,
                                   Set<String> ownedOut) {
        return listShards().thenCompose(shards -> {
            Set<String> leased = new HashSet<>();
            for (Lease l : existing) { // other streams' leases may be in the table too
                if (stream.owns(l.leaseKey())) {
                    leased.add(stream.shardIdOf(l.leaseKey()));
                }
            }
            Set<String> ids = new HashSet<>();
            shards.forEach(sh -> ids.add(sh.shardId()));
            List<Lease> create = plan(shards, leased, initial);
            List<Lease> mine = slice(create, slice, slices);
            int skipped = create.size() - mine.size();
            // Owned at creation only without lineage: a child must wait for its parents (readiness) like any lease.
            boolean owned = owner != null && ownedOut != null && slices > 1 && mine.size() < create.size()
                    && mine.stream().allMatch(l -> l.parentShardIds().isEmpty());
            return createAll(mine, owned ? owner : null, ownedOut).thenApply(n -> new Synced(n, ids, skipped));
        });
    }

    /**
     * Creates leases for the children reported at a shard's end: TRIM_HORIZON, parents recorded. When a child has a
     * parent without a lease (the other side of a merge, itself a child that nobody created a lease for yet), a full
     * sync runs instead, which creates parents before children: a child must never be seen while a parent it waits on
     * has no lease, since a parent without a lease counts as finished.
     */
    CompletableFuture<Integer> createChildLeases(List<ChildShard> children) {
        Set<String> parents = new HashSet<>();
        children.forEach(c -> parents.addAll(c.parentShards()));
        return leaseTable.getLeases(parents).thenCompose(found -> {
            if (found.size() < parents.size()) {
                log.debug("children {} have a parent without a lease: syncing", children.stream()
                        .map(ChildShard::shardId).toList());
                return leaseTable.listLeases().thenCompose(this::sync).thenApply(Synced::created);
            }
            List<Lease> create = new ArrayList<>();
            for (ChildShard c : children) {
                create.add(Lease.builder(c.shardId())
                        .checkpoint(ExtendedSequenceNumber.TRIM_HORIZON)
                        .parentShardIds(new LinkedHashSet<>(c.parentShards()))
                        .hashKeyRange(new BigInteger(c.hashKeyRange().startingHashKey()),
                                new BigInteger(c.hashKeyRange().endingHashKey()))
                        .build());
            }
            return createAll(create, null, null);
        });
    }

    /** Pure: the leases to create for {@code shards} given the shards already leased. */
    static List<Lease> plan(List<Shard> shards, Set<String> leased, InitialPosition initial) {
        List<Shard> sorted = new ArrayList<>(shards);
        // Parents always have smaller ids than their children, so one pass in id order sees parents first.
        sorted.sort(Comparator.comparing(Shard::shardId));
        Set<String> withLease = new HashSet<>(leased);
        java.util.Map<String, List<String>> children = new java.util.HashMap<>();
        for (Shard s : sorted) {
            parents(s).forEach(p -> children.computeIfAbsent(p, k -> new ArrayList<>()).add(s.shardId()));
        }
        List<Lease> out = new ArrayList<>();
        for (Shard s : sorted) {
            if (withLease.contains(s.shardId())) {
                continue;
            }
            boolean closed = s.sequenceNumberRange() != null && s.sequenceNumberRange().endingSequenceNumber() != null;
            if (closed && hasLeasedDescendant(s.shardId(), children, leased, new HashSet<>())) {
                continue; // finished and cleaned up (its descendants took over): never read it again
            }
            Set<String> parents = parents(s);
            boolean descendsFromLeased = parents.stream().anyMatch(withLease::contains);
            ExtendedSequenceNumber checkpoint;
            if (descendsFromLeased) {
                checkpoint = ExtendedSequenceNumber.TRIM_HORIZON;
            } else if (closed && initial.type() != InitialPosition.Type.TRIM_HORIZON) {
                continue;
            } else {
                checkpoint = sentinel(initial);
            }
            out.add(Lease.builder(s.shardId())
                    .checkpoint(checkpoint)
                    .parentShardIds(parents)
                    .hashKeyRange(new BigInteger(s.hashKeyRange().startingHashKey()),
                            new BigInteger(s.hashKeyRange().endingHashKey()))
                    .build());
            withLease.add(s.shardId());
        }
        return out;
    }

    private static boolean hasLeasedDescendant(String shardId, java.util.Map<String, List<String>> children,
                                               Set<String> leased, Set<String> seen) {
        for (String child : children.getOrDefault(shardId, List.of())) {
            if (seen.add(child) && (leased.contains(child) || hasLeasedDescendant(child, children, leased, seen))) {
                return true;
            }
        }
        return false;
    }

    /** Slice {@code slice} of {@code slices} of a one-layer plan; a plan with lineage inside it, whole. */
    static List<Lease> slice(List<Lease> planned, int slice, int slices) {
        if (slices <= 1) {
            return planned;
        }
        Set<String> keys = new HashSet<>();
        planned.forEach(l -> keys.add(l.leaseKey()));
        for (Lease l : planned) {
            if (l.parentShardIds().stream().anyMatch(keys::contains)) {
                return planned;
            }
        }
        List<Lease> out = new ArrayList<>();
        for (Lease l : planned) {
            int h = l.leaseKey().hashCode();
            h ^= h >>> 16;
            h *= 0x85ebca6b;
            h ^= h >>> 13;
            if (Math.floorMod(h, slices) == slice) {
                out.add(l);
            }
        }
        return out;
    }

    private static Set<String> parents(Shard s) {
        Set<String> p = new LinkedHashSet<>();
        if (s.parentShardId() != null) {
            p.add(s.parentShardId());
        }
        if (s.adjacentParentShardId() != null) {
            p.add(s.adjacentParentShardId());
        }
        return p;
    }

    static ExtendedSequenceNumber sentinel(InitialPosition initial) {
        return switch (initial.type()) {
            case LATEST -> ExtendedSequenceNumber.LATEST;
            case TRIM_HORIZON -> ExtendedSequenceNumber.TRIM_HORIZON;
            case AT_TIMESTAMP -> ExtendedSequenceNumber.AT_TIMESTAMP;
        };
    }

    /**
     * Creates leases parents first: a layer of leases whose parents are not being created in parallel with them, then
     * the next. A worker reading the table in between must never see a child whose parent lease is still missing,
     * since a parent without a lease counts as finished (readiness).
     */
    private CompletableFuture<Integer> createAll(List<Lease> leases, String owner, Set<String> ownedOut) {
        if (leases.isEmpty()) {
            return CompletableFuture.completedFuture(0);
        }
        Set<String> pending = new HashSet<>();
        leases.forEach(l -> pending.add(l.leaseKey()));
        List<Lease> layer = new ArrayList<>();
        List<Lease> rest = new ArrayList<>();
        for (Lease l : leases) {
            (l.parentShardIds().stream().anyMatch(pending::contains) ? rest : layer).add(l);
        }
        if (layer.isEmpty()) { // a cycle cannot happen in Kinesis lineage; never loop on bad data
            layer = rest;
            rest = List.of();
        }
        List<Lease> next = rest;
        return createLayer(layer, owner, ownedOut)
                .thenCompose(n -> createAll(next, owner, ownedOut).thenApply(m -> n + m));
    }

    /**
     * Creates one layer of leases (planned keyed by shard id) under this stream's lease keys, at most
     * {@link #CREATE_CONCURRENCY} PutItems at a time ({@link BoundedCalls}).
     */
    private CompletableFuture<Integer> createLayer(List<Lease> planned, String owner, Set<String> ownedOut) {
        List<Lease> leases = planned.stream().map(this::keyed)
                .map(l -> owner == null ? l : l.toBuilder().owner(owner).counter(1).build()).toList();
        if (leases.size() > 20) {
            log.info("creating {} leases of stream {}", leases.size(), stream);
        }
        return BoundedCalls.run(leases, CREATE_CONCURRENCY, l -> leaseTable.createLeaseIfAbsent(l).thenApply(ok -> {
            if (ok) {
                if (owner != null) {
                    ownedOut.add(l.leaseKey());
                }
                metrics.leaseOp("create");
                log.debug("created lease {} at {} (parents {})", l.leaseKey(), l.checkpoint(), l.parentShardIds());
            }
            return ok;
        }));
    }

    StreamRef stream() {
        return stream;
    }

    /** The lease of this stream for {@code planned} (keyed by shard id): KCL's multi-stream key and attributes. */
    private Lease keyed(Lease planned) {
        if (!stream.isMulti()) {
            return planned;
        }
        Lease.Builder b = Lease.builder(stream.leaseKey(planned.leaseKey()))
                .checkpoint(planned.checkpoint())
                .parentShardIds(planned.parentShardIds())
                .multiStream(stream.identifier(), planned.leaseKey());
        if (planned.startingHashKey().isPresent()) {
            b.hashKeyRange(planned.startingHashKey().get(), planned.endingHashKey().get());
        }
        return b.build();
    }

    /** Every shard of the stream. */
    CompletableFuture<List<Shard>> listShards() {
        return ShardLister.listShards(kinesis, stream.nameOrArn(), LIST_SHARDS_TIMEOUT);
    }
}
