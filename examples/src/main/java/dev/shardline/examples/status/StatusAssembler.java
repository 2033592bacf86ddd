package dev.shardline.examples.status;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.WorkerHeartbeats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns what is stored (leases, heartbeat items) and what Kinesis says (shards and their parents) into an
 * {@link ApplicationStatus}. Pure: no I/O, the instant is given, so every rule here has plain unit tests.
 *
 * <p>A worker is alive while its last beat is younger than the failover time it announced (the consumer's default
 * when it announced none): the same bound the other workers use before taking its leases, though they measure it on
 * their own monotonic clocks from the counter, while this compares the worker's wall clock with ours.
 */
final class StatusAssembler {
    /** The consumer's default failover time, for workers that did not announce theirs. */
    static final Duration DEFAULT_FAILOVER = Duration.ofSeconds(3);

    /** A shard as ListShards describes it: its parents (one after a split, two after a merge) and whether closed. */
    record KinesisShard(String shardId, Set<String> parentShardIds, boolean closed) {
    }

    /** Everything the status is made of. {@code workers} is empty when the heartbeat table does not exist. */
    record Inputs(String application, Instant now, Collection<String> requestedStreams, List<Lease> leases,
                  Optional<List<WorkerHeartbeats.Worker>> workers, Map<String, List<KinesisShard>> shardsByStream,
                  Map<String, Long> lagByLeaseKey, Map<String, Throughput> throughputByLeaseKey,
                  List<String> warnings) {
    }

    private StatusAssembler() {
    }

    /**
     * The stream and shard id of a lease: KCL's multi-stream attributes ({@code streamName} =
     * {@code account:stream:epoch}, {@code shardId}) when present, else the lease key
     * ({@code account:stream:epoch:shardId}, or a plain shard id naming no stream).
     */
    record Key(String stream, String shardId) {
        static Key of(Lease lease) {
            if (lease.streamIdentifier().isPresent()) {
                String[] id = lease.streamIdentifier().get().split(":");
                if (id.length == 3 && !id[1].isEmpty()) {
                    return new Key(id[1], lease.shardId());
                }
            }
            return parse(lease.leaseKey());
        }

        static Key parse(String leaseKey) {
            String[] parts = leaseKey.split(":");
            if (parts.length == 4 && !parts[1].isEmpty()) {
                return new Key(parts[1], parts[3]);
            }
            return new Key(null, leaseKey);
        }
    }

    /** The streams of the application: asked for, announced by workers, or named in multi-stream lease keys. */
    static List<String> streams(Collection<String> requested, List<Lease> leases,
            Optional<List<WorkerHeartbeats.Worker>> workers) {
        Set<String> streams = new TreeSet<>(requested);
        if (requested.isEmpty()) {
            workers.ifPresent(ws -> ws.forEach(w -> streams.addAll(w.streams())));
            leases.forEach(l -> {
                Key key = Key.of(l);
                if (key.stream() != null) {
                    streams.add(key.stream());
                }
            });
        }
        return List.copyOf(streams);
    }

    static ApplicationStatus assemble(Inputs in) {
        List<String> streams = streams(in.requestedStreams(), in.leases(), in.workers());
        List<String> warnings = new ArrayList<>(in.warnings());

        // Kinesis's view: shard -> parents, shard -> children, closed or not, per stream.
        Map<String, Map<String, KinesisShard>> shards = new HashMap<>();
        Map<String, Map<String, Set<String>>> children = new HashMap<>();
        in.shardsByStream().forEach((stream, list) -> {
            Map<String, KinesisShard> byId = shards.computeIfAbsent(stream, s -> new HashMap<>());
            Map<String, Set<String>> kids = children.computeIfAbsent(stream, s -> new HashMap<>());
            for (KinesisShard shard : list) {
                byId.put(shard.shardId(), shard);
                shard.parentShardIds().forEach(p -> kids.computeIfAbsent(p, x -> new TreeSet<>()).add(shard.shardId()));
            }
        });

        // Which stream each lease is of, and the leases by stream and shard (to judge parents).
        Map<String, Key> keys = new HashMap<>();
        Map<Key, Lease> byShard = new HashMap<>();
        int streamless = 0;
        for (Lease lease : in.leases()) {
            Key parsed = Key.of(lease);
            String stream = parsed.stream() != null ? parsed.stream() : streamOf(parsed.shardId(), streams, shards);
            if (stream == null) {
                streamless++;
            }
            Key key = new Key(stream, parsed.shardId());
            keys.put(lease.leaseKey(), key);
            byShard.put(key, lease);
        }
        if (streamless > 0) {
            warnings.add(streamless + (streamless == 1 ? " lease names" : " leases name") + " no stream and no running"
                    + " worker says which: pass --stream for states, lag and lineage from Kinesis");
        }

        Map<String, WorkerStatus> workers = workers(in, warnings);
        List<LeaseStatus> leases = new ArrayList<>();
        for (Lease lease : in.leases()) {
            Key key = keys.get(lease.leaseKey());
            KinesisShard shard = key.stream() == null ? null
                    : shards.getOrDefault(key.stream(), Map.of()).get(key.shardId());
            Set<String> parents = new TreeSet<>(lease.parentShardIds());
            Set<String> kids = new TreeSet<>(lease.childShardIds());
            if (shard != null) {
                parents.addAll(shard.parentShardIds());
                kids.addAll(children.getOrDefault(key.stream(), Map.of()).getOrDefault(key.shardId(), Set.of()));
            }
            ShardState state = state(lease, key, parents, shard != null && shard.closed() || !kids.isEmpty(), byShard);
            String owner = lease.owner().orElse(null);
            Boolean alive = owner == null ? null : Optional.ofNullable(workers.get(owner)).map(WorkerStatus::alive)
                    .orElse(null);
            Throughput measured = in.throughputByLeaseKey().get(lease.leaseKey());
            Double records = measured != null ? measured.recordsPerSecond() : lease.recordsPerSecond().orElse(null);
            Double bytes = measured != null ? measured.bytesPerSecond()
                    : lease.throughputKBps().map(kb -> kb * 1024).orElse(null);
            leases.add(new LeaseStatus(lease.leaseKey(), key.stream(), key.shardId(), state, owner, alive,
                    lease.checkpoint().sequenceNumber(), lease.checkpoint().subSequenceNumber(),
                    state.needsOwner() ? in.lagByLeaseKey().get(lease.leaseKey()) : null,
                    state.needsOwner() ? lease.millisBehindLatest().orElse(null) : null, parents, kids,
                    lease.checkpointOwner().orElse(null), records, bytes));
        }
        leases.sort(Comparator.comparing((LeaseStatus l) -> l.stream() == null ? "" : l.stream())
                .thenComparing(LeaseStatus::shardId));

        List<String> problems = new ArrayList<>();
        for (LeaseStatus lease : leases) {
            if (!lease.unattended()) {
                continue;
            }
            String what = (lease.stream() == null ? "" : lease.stream() + "/") + lease.shardId() + " is "
                    + lease.state().label() + " and ";
            if (lease.owner() == null) {
                problems.add(what + "has no owner");
            } else {
                WorkerStatus w = workers.get(lease.owner());
                problems.add(what + "its owner " + lease.owner() + (w == null || w.heartbeatAgeMillis() == null
                        ? " is dead (no heartbeat)"
                        : " is dead or stalled (last heartbeat " + seconds(w.heartbeatAgeMillis()) + " ago, failover "
                        + seconds(w.failoverMillis() != null ? w.failoverMillis() : DEFAULT_FAILOVER.toMillis()) + ")"));
            }
        }
        return new ApplicationStatus(in.application(), in.now(), streams, leases, List.copyOf(workers.values()),
                problems, warnings);
    }

    /** A single-stream lease key names no stream: the only stream there is, or the one whose shards include it. */
    private static String streamOf(String shardId, List<String> streams, Map<String, Map<String, KinesisShard>> shards) {
        if (streams.size() == 1) {
            return streams.get(0);
        }
        for (String stream : streams) {
            if (shards.getOrDefault(stream, Map.of()).containsKey(shardId)) {
                return stream;
            }
        }
        return null;
    }

    /**
     * Finished at SHARD_END; waiting while a parent's lease is not finished (a parent without a lease counts as
     * done, as the consumer counts it: never leased, or its finished lease already cleaned up); then closed or open.
     */
    static ShardState state(Lease lease, Key key, Set<String> parents, boolean closed, Map<Key, Lease> byShard) {
        if (lease.checkpoint().isShardEnd()) {
            return ShardState.FINISHED;
        }
        for (String parent : parents) {
            Lease p = byShard.get(new Key(key.stream(), parent));
            if (p != null && !p.checkpoint().isShardEnd()) {
                return ShardState.WAITING;
            }
        }
        return closed ? ShardState.CLOSED : ShardState.OPEN;
    }

    private static Map<String, WorkerStatus> workers(Inputs in, List<String> warnings) {
        Map<String, List<String>> held = new TreeMap<>();
        for (Lease lease : in.leases()) {
            lease.owner().ifPresent(o -> held.computeIfAbsent(o, x -> new ArrayList<>()).add(lease.leaseKey()));
        }
        Map<String, WorkerStatus> workers = new TreeMap<>();
        if (in.workers().isEmpty()) {
            warnings.add("no heartbeat table " + in.application() + "-ShardlineWorkers: whether owners are alive"
                    + " cannot be told (not a Shardline application, or never started)");
        }
        for (WorkerHeartbeats.Worker w : in.workers().orElse(List.of())) {
            Duration failover = w.failoverTime().orElse(DEFAULT_FAILOVER);
            Long age = w.lastBeat().map(t -> Math.max(0, Duration.between(t, in.now()).toMillis())).orElse(null);
            Boolean alive = age == null ? null : age <= failover.toMillis();
            workers.put(w.workerId(), new WorkerStatus(w.workerId(), alive, age,
                    sorted(held.getOrDefault(w.workerId(), List.of())), w.streams(),
                    w.failoverTime().map(Duration::toMillis).orElse(null), w.beat().draining()));
        }
        held.forEach((owner, leases) -> workers.computeIfAbsent(owner, o -> new WorkerStatus(o,
                in.workers().isPresent() ? Boolean.FALSE : null, null, sorted(leases), Set.of(), null, false)));
        return workers;
    }

    private static List<String> sorted(List<String> keys) {
        return List.copyOf(new TreeSet<>(keys));
    }

    /** {@code 0.8s}, {@code 12.3s}, {@code 4m05s}. */
    static String seconds(long millis) {
        if (millis < 60_000) {
            return String.format(java.util.Locale.ROOT, "%.1fs", millis / 1000.0);
        }
        long s = millis / 1000;
        return s < 3600 ? String.format(java.util.Locale.ROOT, "%dm%02ds", s / 60, s % 60)
                : String.format(java.util.Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
}
