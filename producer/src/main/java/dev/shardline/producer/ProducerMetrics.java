package dev.shardline.producer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The producer's Micrometer meters, named {@code shardline.producer.*}. */
final class ProducerMetrics {
    private final MeterRegistry registry;
    final Counter userRecordsPut;
    final Counter kinesisRecordsPut;
    final Counter bytesPut;
    final Counter retries;
    final Counter resent;
    final Counter expired;
    final Counter failed;
    final Timer putRecordsLatency;

    ProducerMetrics(MeterRegistry registry, BufferLimiter buffer) {
        this.registry = registry;
        userRecordsPut = Counter.builder("shardline.producer.user.records.put").description("user records acknowledged")
                .register(registry);
        kinesisRecordsPut = Counter.builder("shardline.producer.kinesis.records.put")
                .description("Kinesis records (aggregates or plain) stored").register(registry);
        bytesPut = Counter.builder("shardline.producer.bytes.put").baseUnit("bytes")
                .description("Kinesis record bytes stored (data plus partition key)").register(registry);
        retries = Counter.builder("shardline.producer.retries").description("PutRecords entries retried").register(registry);
        resent = Counter.builder("shardline.producer.records.resent")
                .description("user records sent again because their aggregate landed on an unexpected shard")
                .register(registry);
        expired = Counter.builder("shardline.producer.records.expired").description("user records past recordTtl")
                .register(registry);
        failed = Counter.builder("shardline.producer.records.failed")
                .description("user records failed with a non-retryable error").register(registry);
        putRecordsLatency = Timer.builder("shardline.producer.putrecords.latency").description("PutRecords call time")
                .register(registry);
        Gauge.builder("shardline.producer.buffered.bytes", buffer, BufferLimiter::used).baseUnit("bytes")
                .description("user bytes held by the producer").register(registry);
    }

    Counter throttles(String stream, String shardId) {
        return Counter.builder("shardline.producer.throttles").description("entries throttled by the shard")
                .tag("stream", stream).tag("shard", shardId).register(registry);
    }
}
