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
 * {@code .shard.restarts} (stuck readers restarted), {@code .millis.behind.latest} per shard (tag {@code shard}, removed when the shard leaves this worker).
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

    ConsumerMetrics(MeterRegistry registry, String application, String worker) {
        this.registry = registry;
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

    void millisBehindLatest(String shardId, long millis) {
        behind.computeIfAbsent(shardId, s -> {
            AtomicLong v = new AtomicLong();
            behindGauges.put(s, Gauge.builder("shardline.consumer.millis.behind.latest", v, AtomicLong::get)
                    .tags(tags).tag("shard", s).register(registry));
            return v;
        }).set(millis);
    }

    void shardGone(String shardId) {
        behind.remove(shardId);
        Gauge g = behindGauges.remove(shardId);
        if (g != null) {
            registry.remove(g);
        }
    }
}
