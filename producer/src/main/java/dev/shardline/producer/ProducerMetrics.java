package dev.shardline.producer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The producer's Micrometer meters at three levels, as the KPL reports them: overall ({@code shardline.producer.*}),
 * by stream ({@code shardline.producer.stream.*}, tag {@code stream}) and by shard ({@code shardline.producer.shard.*},
 * tags {@code stream} and {@code shard}). Counts are added once per aggregate, not per user record.
 */
final class ProducerMetrics {
    private final MeterRegistry registry;
    final Scope overall;
    final Timer putRecordsLatency;
    private final Map<String, Scope> streams = new ConcurrentHashMap<>();

    /** The counters of one level (overall, one stream or one shard). */
    static final class Scope {
        final Counter userRecordsPut;
        final Counter kinesisRecordsPut;
        final Counter bytesPut;
        final Counter retries;
        final Counter resent;
        final Counter expired;
        final Counter failed;
        private final Scope parent;

        private Scope(MeterRegistry registry, String prefix, Tags tags, Scope parent) {
            this.parent = parent;
            userRecordsPut = Counter.builder(prefix + "user.records.put").tags(tags).description("user records acknowledged")
                    .register(registry);
            kinesisRecordsPut = Counter.builder(prefix + "kinesis.records.put").tags(tags)
                    .description("Kinesis records (aggregates or plain) stored").register(registry);
            bytesPut = Counter.builder(prefix + "bytes.put").tags(tags).baseUnit("bytes")
                    .description("Kinesis record bytes stored (data plus partition key)").register(registry);
            retries = Counter.builder(prefix + "retries").tags(tags).description("PutRecords entries retried")
                    .register(registry);
            resent = Counter.builder(prefix + "records.resent").tags(tags)
                    .description("user records sent again because their aggregate landed on an unexpected shard")
                    .register(registry);
            expired = Counter.builder(prefix + "records.expired").tags(tags).description("user records past recordTtl")
                    .register(registry);
            failed = Counter.builder(prefix + "records.failed").tags(tags)
                    .description("user records failed with a non-retryable error").register(registry);
        }

        /** One Kinesis record of {@code userRecords} user records and {@code bytes} bytes stored. */
        void put(int userRecords, long bytes) {
            for (Scope s = this; s != null; s = s.parent) {
                s.kinesisRecordsPut.increment();
                s.userRecordsPut.increment(userRecords);
                s.bytesPut.increment(bytes);
            }
        }

        void retried() {
            for (Scope s = this; s != null; s = s.parent) {
                s.retries.increment();
            }
        }

        void resent(int n) {
            for (Scope s = this; s != null; s = s.parent) {
                s.resent.increment(n);
            }
        }

        void expired(int n) {
            for (Scope s = this; s != null; s = s.parent) {
                s.expired.increment(n);
            }
        }

        void failed(int n) {
            for (Scope s = this; s != null; s = s.parent) {
                s.failed.increment(n);
            }
        }
    }

    ProducerMetrics(MeterRegistry registry) {
        this.registry = registry;
        overall = new Scope(registry, "shardline.producer.", Tags.empty(), null);
        putRecordsLatency = Timer.builder("shardline.producer.putrecords.latency").description("PutRecords call time")
                .register(registry);
    }

    /** Gauges of what the producer holds (read on scrape). */
    <T> void gauges(T source, ToDoubleFunction<T> bufferedBytes, ToDoubleFunction<T> outstandingRecords,
            ToDoubleFunction<T> oldestRecordAgeMillis) {
        Gauge.builder("shardline.producer.buffered.bytes", source, bufferedBytes).baseUnit("bytes")
                .description("user bytes held by the producer").register(registry);
        Gauge.builder("shardline.producer.outstanding.records", source, outstandingRecords)
                .description("user records accepted and not yet completed").register(registry);
        Gauge.builder("shardline.producer.oldest.record.age", source, oldestRecordAgeMillis).baseUnit("milliseconds")
                .description("age of the oldest record not yet completed").register(registry);
    }

    Scope stream(String stream) {
        return streams.computeIfAbsent(stream,
                s -> new Scope(registry, "shardline.producer.stream.", Tags.of("stream", s), overall));
    }

    Scope shard(String stream, String shardId) {
        return new Scope(registry, "shardline.producer.shard.", Tags.of("stream", stream, "shard", shardId),
                stream(stream));
    }

    Counter throttles(String stream, String shardId) {
        return Counter.builder("shardline.producer.throttles").description("entries throttled by the shard")
                .tag("stream", stream).tag("shard", shardId).register(registry);
    }
}
