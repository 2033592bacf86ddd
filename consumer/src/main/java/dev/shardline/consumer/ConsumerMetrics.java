package dev.shardline.consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The consumer's Micrometer meters, all tagged with application and worker: {@code shardline.consumer.records} and
 * {@code .bytes} processed, {@code .process.time}, {@code .process.failures}, {@code .leases.held},
 * {@code .lease.operations} (tag {@code op}: take, steal, release, lost, create, evict) and
 * {@code .shard.restarts} (stuck readers restarted),
 * {@code .millis.behind.latest} per shard (tags {@code stream}, {@code shard}; removed when the shard leaves this worker),
 * {@code .millis.behind.latest.max} (the most any shard of this worker is behind; the application's is the max over
 * the {@code worker} tag) and {@code .application.millis.behind.latest.max} (the most any shard of the application
 * is behind, as last read from the lease table plus this worker's own shards). A shard more than
 * {@link ConsumerConfig#lagThreshold()} behind is logged once at WARN with its owner until it is back under.
 */
final class ConsumerMetrics {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter records;
    private final Counter bytes;
    private final Timer processTime;
    private final Counter failures;
    private final AtomicInteger leasesHeld = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicLong> behind = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Gauge> behindGauges = new ConcurrentHashMap<>();
    private final java.util.Set<String> lagging = ConcurrentHashMap.newKeySet();
    private final AtomicLong applicationBehind = new AtomicLong();
    private final String worker;
    private final long lagThresholdMillis;
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ConsumerMetrics.class);

    ConsumerMetrics(MeterRegistry registry, String application, String worker) {
        this(registry, application, worker, java.time.Duration.ofMinutes(1));
    }

    ConsumerMetrics(MeterRegistry registry, String application, String worker, java.time.Duration lagThreshold) {
        this.registry = registry;
        this.worker = worker;
        this.lagThresholdMillis = lagThreshold.toMillis();
        this.tags = Tags.of("application", application, "worker", worker);
        this.records = Counter.builder("shardline.consumer.records").tags(tags)
                .description("user records delivered to processors").register(registry);
        this.bytes = Counter.builder("shardline.consumer.bytes").tags(tags).baseUnit("bytes")
                .description("user record payload bytes delivered to processors").register(registry);
        this.processTime = Timer.builder("shardline.consumer.process.time").tags(tags)
                .description("time spent in processRecords").register(registry);
        this.failures = Counter.builder("shardline.consumer.process.failures").tags(tags)
                .description("processRecords calls that threw").register(registry);
        Gauge.builder("shardline.consumer.leases.held", leasesHeld, AtomicInteger::get).tags(tags)
                .description("leases this worker holds").register(registry);
        Gauge.builder("shardline.consumer.millis.behind.latest.max", behind, ConsumerMetrics::max).tags(tags)
                .baseUnit("milliseconds")
                .description("the most any shard held by this worker is behind the tip").register(registry);
        Gauge.builder("shardline.consumer.application.millis.behind.latest.max", this,
                        m -> Math.max(m.applicationBehind.get(), max(m.behind))).tags(tags)
                .baseUnit("milliseconds")
                .description("the most any shard of the application is behind (lease table and own shards)")
                .register(registry);
    }

    private static double max(java.util.Map<String, AtomicLong> values) {
        long m = 0;
        for (AtomicLong v : values.values()) {
            m = Math.max(m, v.get());
        }
        return m;
    }

    /** The most any other worker's shard was behind, as last read from the lease table. */
    void applicationBehind(long millis) {
        applicationBehind.set(millis);
    }

    /** The lag of a held shard now (0 when unknown). */
    long millisBehind(String leaseKey) {
        AtomicLong v = behind.get(leaseKey);
        return v == null ? 0 : v.get();
    }

    void delivered(int count, long payloadBytes, long nanos) {
        records.increment(count);
        bytes.increment(payloadBytes);
        processTime.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    void shardRestarted() {
        Counter.builder("shardline.consumer.shard.restarts").tags(tags)
                .description("shard readers restarted after hearing nothing from Kinesis").register(registry).increment();
    }

    void processFailure() {
        failures.increment();
    }

    void leaseOp(String op) {
        Counter.builder("shardline.consumer.lease.operations").tags(tags).tag("op", op).register(registry).increment();
    }

    void leasesHeld(int n) {
        leasesHeld.set(n);
    }

    void millisBehindLatest(String leaseKey, String stream, String shardId, long millis) {
        behind.computeIfAbsent(leaseKey, s -> {
            AtomicLong v = new AtomicLong();
            behindGauges.put(s, Gauge.builder("shardline.consumer.millis.behind.latest", v, AtomicLong::get)
                    .tags(tags).tag("stream", stream == null ? "" : stream).tag("shard", shardId)
                    .baseUnit("milliseconds").register(registry));
            return v;
        }).set(millis);
        if (millis > lagThresholdMillis) {
            if (lagging.add(leaseKey)) {
                log.warn("shard {} of stream {} is {} ms behind the tip (threshold {} ms); owner {}", shardId, stream,
                        millis, lagThresholdMillis, worker);
            }
        } else if (lagging.remove(leaseKey)) {
            log.info("shard {} of stream {} caught up ({} ms behind); owner {}", shardId, stream, millis, worker);
        }
    }

    void shardGone(String shardId) {
        behind.remove(shardId);
        lagging.remove(shardId);
        Gauge g = behindGauges.remove(shardId);
        if (g != null) {
            registry.remove(g);
        }
    }
}
