package dev.shardline.consumer;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeStreamSummaryRequest;
import software.amazon.awssdk.services.kinesis.model.StreamDescriptionSummary;

/**
 * The streams a worker consumes, and which stream a lease belongs to. One stream: every lease (keys are shard ids).
 * Multi-stream: leases are matched by the stream identifier in their key; the set is fixed
 * ({@link ConsumerConfig#streams()}) or polled from {@link ConsumerConfig#streamsSupplier()} ({@link #refresh()}, on
 * its own thread: resolving a stream and registering a fan-out consumer may take a while). Leases of streams not in
 * the set are "former": {@link #formerLeasesDue} names them for deletion once they have been former for
 * {@link ConsumerConfig#removedStreamLeaseDeletionDelay()} on this worker's clock.
 */
final class Streams {
    private static final Logger log = LoggerFactory.getLogger(Streams.class);

    private final ConsumerConfig config;
    private final KinesisAsyncClient kinesis;
    private final LeaseTable leaseTable;
    private final ConsumerMetrics metrics;
    private final ScheduledExecutorService readers;
    /** Multi-stream: identifier -> stream; one stream: "" -> it. */
    private final Map<String, ConsumedStream> active = new ConcurrentHashMap<>();
    /** Stream name -> identifier of the active multi-stream streams (for matching the supplier's set). */
    private final Map<String, String> byName = new ConcurrentHashMap<>();
    private final AtomicBoolean changed = new AtomicBoolean();
    /** Names the application wants now, resolved or not: their leases are never former. */
    private volatile Set<String> wanted = Set.of();
    /** Coordinator thread only: former stream identifier -> when first seen former. */
    private final Map<String, Long> formerSince = new HashMap<>();

    Streams(ConsumerConfig config, KinesisAsyncClient kinesis, LeaseTable leaseTable, ConsumerMetrics metrics,
            ScheduledExecutorService readers) {
        this.config = config;
        this.kinesis = kinesis;
        this.leaseTable = leaseTable;
        this.metrics = metrics;
        this.readers = readers;
    }

    /** Resolves the initial set (start-up; failures are thrown for a fixed set, logged for a supplied one). */
    void start() {
        if (config.streamsSupplier() != null) {
            refresh();
            return;
        }
        Set<String> names = new HashSet<>();
        config.streams().forEach(spec -> names.add(spec.streamName()));
        wanted = Set.copyOf(names);
        for (StreamSpec spec : config.streams()) {
            add(resolve(spec));
        }
    }

    /** Asks the supplier for the current set; resolves added streams, drops removed ones. */
    void refresh() {
        Collection<StreamSpec> specs;
        try {
            specs = List.copyOf(config.streamsSupplier().get());
        } catch (RuntimeException e) {
            log.warn("streams supplier failed, keeping the current set: {}", e.toString());
            return;
        }
        Set<String> names = new HashSet<>();
        specs.forEach(spec -> names.add(spec.streamName()));
        wanted = Set.copyOf(names);
        for (StreamSpec spec : specs) {
            if (!byName.containsKey(spec.streamName())) {
                try {
                    ConsumedStream s = resolve(spec);
                    add(s);
                    log.info("stream {} added ({})", s, s.retrieval());
                } catch (RuntimeException e) {
                    log.warn("stream {} could not be added, trying again on the next poll: {}", spec,
                            KinesisRecords.unwrap(e).toString());
                }
            }
        }
        for (Map.Entry<String, String> e : new ArrayList<>(byName.entrySet())) {
            if (!names.contains(e.getKey())) {
                byName.remove(e.getKey());
                active.remove(e.getValue());
                changed.set(true);
                log.info("stream {} removed: its processors stop; its leases are deleted after {}", e.getKey(),
                        config.removedStreamLeaseDeletionDelay());
            }
        }
    }

    private void add(ConsumedStream s) {
        active.put(s.ref().isMulti() ? s.ref().identifier() : "", s);
        if (s.ref().isMulti()) {
            byName.put(s.ref().name(), s.ref().identifier());
        }
        s.discovery().requestSync();
        changed.set(true);
    }

    private ConsumedStream resolve(StreamSpec spec) {
        StreamDescriptionSummary summary = kinesis.describeStreamSummary(DescribeStreamSummaryRequest.builder()
                .streamName(spec.streamArn().isPresent() ? null : spec.streamName())
                .streamARN(spec.streamArn().orElse(null)).build()).join().streamDescriptionSummary();
        StreamRef ref = config.isMultiStream()
                ? StreamRef.multi(summary.streamName(), summary.streamARN(), summary.streamCreationTimestamp())
                : new StreamRef(summary.streamName(), summary.streamARN());
        InitialPosition initial = spec.initialPosition().orElse(config.initialPosition());
        Retrieval retrieval = spec.retrieval().orElse(config.retrieval());
        ShardDiscovery discovery = new ShardDiscovery(kinesis, leaseTable, ref, initial, metrics);
        ConsumedStream stream;
        if (retrieval.mode() == Retrieval.Mode.FAN_OUT) {
            String consumerArn = new FanOutRegistration(kinesis, ref.arn(), retrieval.consumerName())
                    .registerAndWait().join();
            stream = new ConsumedStream(ref, initial, retrieval, discovery,
                    shardId -> new FanOutSource(kinesis, consumerArn, shardId, config, readers));
        } else {
            stream = new ConsumedStream(ref, initial, retrieval, discovery,
                    shardId -> new PollingSource(kinesis, ref, shardId, config, readers));
        }
        return stream;
    }

    /** The stream {@code leaseKey} belongs to, or null when it is not (or no longer) consumed. */
    ConsumedStream forLease(String leaseKey) {
        if (!config.isMultiStream()) {
            ConsumedStream only = active.get("");
            return only != null && only.ref().owns(leaseKey) ? only : null;
        }
        String id = StreamRef.identifierOf(leaseKey);
        return id == null ? null : active.get(id);
    }

    /** The streams consumed now. */
    Collection<ConsumedStream> all() {
        return List.copyOf(active.values());
    }

    /** True (once) when the set changed since the last call. */
    boolean takeChanged() {
        return changed.getAndSet(false);
    }

    /** True when any stream asked for a shard sync. */
    boolean takeSyncRequest() {
        boolean any = false;
        for (ConsumedStream s : active.values()) {
            any |= s.discovery().takeSyncRequest();
        }
        return any;
    }

    /**
     * Multi-stream: the leases whose stream has been out of the set for at least the deletion delay (first
     * noticed by this worker at {@code nowNanos} or earlier). A stream back in the set is forgiven.
     */
    List<Lease> formerLeasesDue(List<Lease> leases, long nowNanos) {
        if (!config.isMultiStream()) {
            return List.of();
        }
        Set<String> former = new HashSet<>();
        List<Lease> due = new ArrayList<>();
        long delay = config.removedStreamLeaseDeletionDelay().toNanos();
        for (Lease l : leases) {
            String id = l.streamIdentifier().orElse(StreamRef.identifierOf(l.leaseKey()));
            String name = id == null ? null : id.split(":")[1];
            // Wanted but not resolved yet (e.g. DescribeStreamSummary failed): not former. A re-created stream
            // (same name, new epoch) leaves the old incarnation's leases former.
            if (id == null || active.containsKey(id) || (wanted.contains(name) && !byName.containsKey(name))) {
                continue;
            }
            former.add(id);
            long since = formerSince.computeIfAbsent(id, k -> nowNanos);
            if (nowNanos - since >= delay) {
                due.add(l);
            }
        }
        formerSince.keySet().retainAll(former);
        return due;
    }
}
