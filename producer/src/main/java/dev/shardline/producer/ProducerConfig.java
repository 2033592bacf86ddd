package dev.shardline.producer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Every setting of a {@link KinesisProducer}, immutable. Build one with {@link #builder()}; each setter documents its
 * default and its valid range, and {@link Builder#build()} rejects a value out of range with an
 * {@link IllegalArgumentException} naming the setting.
 */
public final class ProducerConfig {
    /** Kinesis' per-shard write limit in records per second. */
    public static final int SHARD_RECORDS_PER_SECOND = 1000;
    /** Kinesis' per-shard write limit in bytes per second (1 MiB). */
    public static final long SHARD_BYTES_PER_SECOND = 1024 * 1024;
    /** Largest PutRecords entry count the service accepts. */
    public static final int MAX_RECORDS_PER_REQUEST = 500;

    private static final int MIB = 1024 * 1024;

    private final KinesisAsyncClient client;
    private final Region region;
    private final URI endpoint;
    private final AwsCredentialsProvider credentialsProvider;
    private final boolean aggregationEnabled;
    private final Duration maxBufferedTime;
    private final int aggregationMaxBytes;
    private final int aggregationMaxCount;
    private final int maxRecordsPerRequest;
    private final int maxBytesPerRequest;
    private final int maxRecordBytes;
    private final boolean rateLimitEnabled;
    private final double rateLimitShare;
    private final Duration recordTtl;
    private final long maxBufferedBytes;
    private final Duration maxBlockTime;
    private final boolean strictOrdering;
    private final Duration retryInitialBackoff;
    private final Duration retryMaxBackoff;
    private final int maxConcurrentRequests;
    private final Duration requestTimeout;
    private final Duration shardMapRefreshInterval;
    private final Duration closeTimeout;
    private final Executor callbackExecutor;
    private final MeterRegistry meterRegistry;
    private final DeadLetterSink deadLetterSink;

    private ProducerConfig(Builder b) {
        this.client = b.client;
        this.region = b.region;
        this.endpoint = b.endpoint;
        this.credentialsProvider = b.credentialsProvider;
        this.aggregationEnabled = b.aggregationEnabled;
        this.maxBufferedTime = b.maxBufferedTime;
        this.aggregationMaxBytes = b.aggregationMaxBytes;
        this.aggregationMaxCount = b.aggregationMaxCount;
        this.maxRecordsPerRequest = b.maxRecordsPerRequest;
        this.maxBytesPerRequest = b.maxBytesPerRequest;
        this.maxRecordBytes = b.maxRecordBytes;
        this.rateLimitEnabled = b.rateLimitEnabled;
        this.rateLimitShare = b.rateLimitShare;
        this.recordTtl = b.recordTtl;
        this.maxBufferedBytes = b.maxBufferedBytes;
        this.maxBlockTime = b.maxBlockTime;
        this.strictOrdering = b.strictOrdering;
        this.retryInitialBackoff = b.retryInitialBackoff;
        this.retryMaxBackoff = b.retryMaxBackoff;
        this.maxConcurrentRequests = b.maxConcurrentRequests;
        this.requestTimeout = b.requestTimeout;
        this.shardMapRefreshInterval = b.shardMapRefreshInterval;
        this.closeTimeout = b.closeTimeout;
        this.callbackExecutor = b.callbackExecutor;
        this.meterRegistry = b.meterRegistry;
        this.deadLetterSink = b.deadLetterSink;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.client = client;
        b.region = region;
        b.endpoint = endpoint;
        b.credentialsProvider = credentialsProvider;
        b.aggregationEnabled = aggregationEnabled;
        b.maxBufferedTime = maxBufferedTime;
        b.aggregationMaxBytes = aggregationMaxBytes;
        b.aggregationMaxCount = aggregationMaxCount;
        b.maxRecordsPerRequest = maxRecordsPerRequest;
        b.maxBytesPerRequest = maxBytesPerRequest;
        b.maxRecordBytes = maxRecordBytes;
        b.rateLimitEnabled = rateLimitEnabled;
        b.rateLimitShare = rateLimitShare;
        b.recordTtl = recordTtl;
        b.maxBufferedBytes = maxBufferedBytes;
        b.maxBlockTime = maxBlockTime;
        b.strictOrdering = strictOrdering;
        b.retryInitialBackoff = retryInitialBackoff;
        b.retryMaxBackoff = retryMaxBackoff;
        b.maxConcurrentRequests = maxConcurrentRequests;
        b.requestTimeout = requestTimeout;
        b.shardMapRefreshInterval = shardMapRefreshInterval;
        b.closeTimeout = closeTimeout;
        b.callbackExecutor = callbackExecutor;
        b.meterRegistry = meterRegistry;
        b.deadLetterSink = deadLetterSink;
        return b;
    }

    /** The caller's client, or null when the producer builds (and owns) its own. */
    public KinesisAsyncClient client() {
        return client;
    }

    public Region region() {
        return region;
    }

    public URI endpoint() {
        return endpoint;
    }

    public AwsCredentialsProvider credentialsProvider() {
        return credentialsProvider;
    }

    public boolean aggregationEnabled() {
        return aggregationEnabled;
    }

    public Duration maxBufferedTime() {
        return maxBufferedTime;
    }

    public int aggregationMaxBytes() {
        return aggregationMaxBytes;
    }

    public int aggregationMaxCount() {
        return aggregationMaxCount;
    }

    public int maxRecordsPerRequest() {
        return maxRecordsPerRequest;
    }

    public int maxBytesPerRequest() {
        return maxBytesPerRequest;
    }

    public int maxRecordBytes() {
        return maxRecordBytes;
    }

    public boolean rateLimitEnabled() {
        return rateLimitEnabled;
    }

    public double rateLimitShare() {
        return rateLimitShare;
    }

    public Duration recordTtl() {
        return recordTtl;
    }

    public long maxBufferedBytes() {
        return maxBufferedBytes;
    }

    public Duration maxBlockTime() {
        return maxBlockTime;
    }

    public boolean strictOrdering() {
        return strictOrdering;
    }

    public Duration retryInitialBackoff() {
        return retryInitialBackoff;
    }

    public Duration retryMaxBackoff() {
        return retryMaxBackoff;
    }

    public int maxConcurrentRequests() {
        return maxConcurrentRequests;
    }

    public Duration requestTimeout() {
        return requestTimeout;
    }

    public Duration shardMapRefreshInterval() {
        return shardMapRefreshInterval;
    }

    public Duration closeTimeout() {
        return closeTimeout;
    }

    public Executor callbackExecutor() {
        return callbackExecutor;
    }

    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** Where records that failed for good also go, or null (default: nowhere but their futures). */
    public DeadLetterSink deadLetterSink() {
        return deadLetterSink;
    }

    @Override
    public String toString() {
        return "ProducerConfig{aggregationEnabled=" + aggregationEnabled + ", maxBufferedTime=" + maxBufferedTime
                + ", aggregationMaxBytes=" + aggregationMaxBytes + ", aggregationMaxCount=" + aggregationMaxCount
                + ", maxRecordsPerRequest=" + maxRecordsPerRequest + ", maxBytesPerRequest=" + maxBytesPerRequest
                + ", maxRecordBytes=" + maxRecordBytes + ", rateLimitEnabled=" + rateLimitEnabled
                + ", rateLimitShare=" + rateLimitShare + ", recordTtl=" + recordTtl + ", maxBufferedBytes="
                + maxBufferedBytes + ", maxBlockTime=" + maxBlockTime + ", strictOrdering=" + strictOrdering
                + ", maxConcurrentRequests=" + maxConcurrentRequests
                + (deadLetterSink != null ? ", deadLetterSink=" + deadLetterSink : "") + "}";
    }

    /** Builds a {@link ProducerConfig}; every setting has a default. */
    public static final class Builder {
        private KinesisAsyncClient client;
        private Region region;
        private URI endpoint;
        private AwsCredentialsProvider credentialsProvider;
        private boolean aggregationEnabled = true;
        private Duration maxBufferedTime = Duration.ofMillis(100);
        private int aggregationMaxBytes = 64 * 1024;
        private int aggregationMaxCount = 4096;
        private int maxRecordsPerRequest = MAX_RECORDS_PER_REQUEST;
        private int maxBytesPerRequest = 5 * MIB;
        private int maxRecordBytes = MIB;
        private boolean rateLimitEnabled = true;
        private double rateLimitShare = 1.0;
        private Duration recordTtl = Duration.ofSeconds(30);
        private long maxBufferedBytes = 64L * MIB;
        private Duration maxBlockTime = Duration.ofSeconds(60);
        private boolean strictOrdering;
        private Duration retryInitialBackoff = Duration.ofMillis(100);
        private Duration retryMaxBackoff = Duration.ofSeconds(5);
        private int maxConcurrentRequests = 32;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration shardMapRefreshInterval = Duration.ofMinutes(1);
        private Duration closeTimeout = Duration.ofSeconds(30);
        private Executor callbackExecutor = ForkJoinPool.commonPool();
        private MeterRegistry meterRegistry = Metrics.globalRegistry;
        private DeadLetterSink deadLetterSink;

        private Builder() {
        }

        /**
         * The caller's Kinesis client (default: none, the producer builds a Netty-based client from {@link #region},
         * {@link #endpoint} and {@link #credentialsProvider}, with SDK retries off since the producer retries itself).
         * A client passed here is not closed by the producer.
         */
        public Builder client(KinesisAsyncClient client) {
            this.client = client;
            return this;
        }

        /** Region of the client the producer builds (default: the SDK's default region chain). */
        public Builder region(Region region) {
            this.region = region;
            return this;
        }

        /** Endpoint of the client the producer builds (default: the region's Kinesis endpoint). */
        public Builder endpoint(URI endpoint) {
            this.endpoint = endpoint;
            return this;
        }

        /** Credentials of the client the producer builds (default: the SDK's default credential chain). */
        public Builder credentialsProvider(AwsCredentialsProvider credentialsProvider) {
            this.credentialsProvider = credentialsProvider;
            return this;
        }

        /**
         * Pack user records bound for the same shard into KPL-format aggregates (default true). Turn off for
         * consumers that do not de-aggregate (Lambda without the de-aggregation library, Firehose).
         */
        public Builder aggregationEnabled(boolean aggregationEnabled) {
            this.aggregationEnabled = aggregationEnabled;
            return this;
        }

        /** Longest a record waits for its aggregate to fill before it is sent (default 100 ms; 0 .. 1 min). */
        public Builder maxBufferedTime(Duration maxBufferedTime) {
            this.maxBufferedTime = maxBufferedTime;
            return this;
        }

        /**
         * Largest aggregate, data plus partition key (default 64 KiB; 64 bytes .. {@link #maxRecordBytes}). Larger
         * aggregates cost less CPU per record but let one shard's aggregate take a larger slice of a PutRecords call
         * and of the shard's 1 MiB/s; see docs/benchmarks.md (producer section).
         */
        public Builder aggregationMaxBytes(int aggregationMaxBytes) {
            this.aggregationMaxBytes = aggregationMaxBytes;
            return this;
        }

        /** Most user records in one aggregate (default 4096; 1 .. 1,000,000). */
        public Builder aggregationMaxCount(int aggregationMaxCount) {
            this.aggregationMaxCount = aggregationMaxCount;
            return this;
        }

        /** Most entries in one PutRecords call (default and service limit 500; 1 .. 500). */
        public Builder maxRecordsPerRequest(int maxRecordsPerRequest) {
            this.maxRecordsPerRequest = maxRecordsPerRequest;
            return this;
        }

        /**
         * Most bytes (data plus partition keys) in one PutRecords call (default and service limit 5 MiB;
         * {@link #maxRecordBytes} .. 64 MiB, raise it only for streams the service allows more on).
         */
        public Builder maxBytesPerRequest(int maxBytesPerRequest) {
            this.maxBytesPerRequest = maxBytesPerRequest;
            return this;
        }

        /**
         * Largest Kinesis record, data plus partition key (default 1 MiB; 64 bytes .. 10 MiB, for streams configured
         * for larger records). A user record over it is refused by {@code send}.
         */
        public Builder maxRecordBytes(int maxRecordBytes) {
            this.maxRecordBytes = maxRecordBytes;
            return this;
        }

        /** Limit each shard's send rate on the client side (default true). */
        public Builder rateLimitEnabled(boolean rateLimitEnabled) {
            this.rateLimitEnabled = rateLimitEnabled;
            return this;
        }

        /**
         * Share of a shard's limits (1000 records/s, 1 MiB/s) one producer aims at (default 1.0; 0.01 .. 100). Lower
         * it when several producers write to the same shards; above 1 the adaptive limit (backoff on throttles,
         * then a slow ramp back up) finds the shard's real capacity, as with KPL's {@code RateLimit=150}.
         */
        public Builder rateLimitShare(double rateLimitShare) {
            this.rateLimitShare = rateLimitShare;
            return this;
        }

        /** A record not acknowledged this long after {@code send} fails with {@link RecordExpiredException} (default 30 s; 100 ms .. 1 day). */
        public Builder recordTtl(Duration recordTtl) {
            this.recordTtl = recordTtl;
            return this;
        }

        /**
         * Most user bytes (data plus partition key) held at once, from {@code send} until the future completes
         * (default 64 MiB; at least {@link #maxRecordBytes}). When full, {@code send} blocks up to
         * {@link #maxBlockTime}.
         */
        public Builder maxBufferedBytes(long maxBufferedBytes) {
            this.maxBufferedBytes = maxBufferedBytes;
            return this;
        }

        /** Longest {@code send} blocks for buffer space before it throws {@link BufferFullException} (default 60 s; 0 .. 1 h). */
        public Builder maxBlockTime(Duration maxBlockTime) {
            this.maxBlockTime = maxBlockTime;
            return this;
        }

        /**
         * Keep records with the same partition key in the order they were sent, across retries (default false): each
         * PutRecords call carries at most one entry per shard and each shard has at most one call in flight.
         */
        public Builder strictOrdering(boolean strictOrdering) {
            this.strictOrdering = strictOrdering;
            return this;
        }

        /** First delay after a throttle or a retryable error (default 100 ms; 1 ms .. 1 min); doubles with jitter. */
        public Builder retryInitialBackoff(Duration retryInitialBackoff) {
            this.retryInitialBackoff = retryInitialBackoff;
            return this;
        }

        /** Longest delay between retries (default 5 s; at least {@link #retryInitialBackoff}, at most 5 min). */
        public Builder retryMaxBackoff(Duration retryMaxBackoff) {
            this.retryMaxBackoff = retryMaxBackoff;
            return this;
        }

        /** Most PutRecords calls in flight at once (default 32; 1 .. 1024). */
        public Builder maxConcurrentRequests(int maxConcurrentRequests) {
            this.maxConcurrentRequests = maxConcurrentRequests;
            return this;
        }

        /**
         * Time limit of one PutRecords call (default 10 s; 100 ms .. 10 min). A call that timed out may have been
         * stored: its retry can write duplicates (at-least-once).
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** A stream's shard map is reloaded in the background when older than this (default 1 min; 1 s .. 1 day). */
        public Builder shardMapRefreshInterval(Duration shardMapRefreshInterval) {
            this.shardMapRefreshInterval = shardMapRefreshInterval;
            return this;
        }

        /** How long {@link KinesisProducer#close()} waits for buffered records (default 30 s; 0 .. 1 h). */
        public Builder closeTimeout(Duration closeTimeout) {
            this.closeTimeout = closeTimeout;
            return this;
        }

        /** Where the futures returned by {@code send} complete (default {@link ForkJoinPool#commonPool()}). */
        public Builder callbackExecutor(Executor callbackExecutor) {
            this.callbackExecutor = callbackExecutor;
            return this;
        }

        /** Where the producer's metrics go (default Micrometer's global registry). */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /**
         * Where a record that failed for good ({@link RecordExpiredException} after {@code recordTtl}, or
         * {@link RecordFailedException} for a non-retryable error) also goes, as a {@link DeadLetter} with source
         * {@code producer}, after its future has failed. Default: none. A sink's failure is logged, never thrown.
         * Records failed by {@code close()} ({@link ProducerClosedException}) are not dead-lettered. A sink that writes
         * to a stream should use another producer than this one.
         */
        public Builder deadLetterSink(DeadLetterSink deadLetterSink) {
            this.deadLetterSink = deadLetterSink;
            return this;
        }

        /** @throws IllegalArgumentException naming the first setting out of range */
        public ProducerConfig build() {
            if (client == null && endpoint != null && endpoint.getScheme() == null) {
                throw new IllegalArgumentException("endpoint: must be an absolute URI such as https://host:port, was "
                        + endpoint);
            }
            range("maxBufferedTime", maxBufferedTime, Duration.ZERO, Duration.ofMinutes(1));
            range("maxRecordBytes", maxRecordBytes, 64, 10 * MIB);
            range("aggregationMaxBytes", aggregationMaxBytes, 64, maxRecordBytes);
            range("aggregationMaxCount", aggregationMaxCount, 1, 1_000_000);
            range("maxRecordsPerRequest", maxRecordsPerRequest, 1, MAX_RECORDS_PER_REQUEST);
            range("maxBytesPerRequest", maxBytesPerRequest, maxRecordBytes, 64 * MIB);
            if (!(rateLimitShare >= 0.01 && rateLimitShare <= 100)) {
                throw new IllegalArgumentException("rateLimitShare: must be in 0.01 .. 100, was " + rateLimitShare);
            }
            range("recordTtl", recordTtl, Duration.ofMillis(100), Duration.ofDays(1));
            if (maxBufferedBytes < maxRecordBytes) {
                throw new IllegalArgumentException("maxBufferedBytes: must be at least maxRecordBytes ("
                        + maxRecordBytes + "), was " + maxBufferedBytes);
            }
            range("maxBlockTime", maxBlockTime, Duration.ZERO, Duration.ofHours(1));
            range("retryInitialBackoff", retryInitialBackoff, Duration.ofMillis(1), Duration.ofMinutes(1));
            range("retryMaxBackoff", retryMaxBackoff, retryInitialBackoff, Duration.ofMinutes(5));
            range("maxConcurrentRequests", maxConcurrentRequests, 1, 1024);
            range("requestTimeout", requestTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
            range("shardMapRefreshInterval", shardMapRefreshInterval, Duration.ofSeconds(1), Duration.ofDays(1));
            range("closeTimeout", closeTimeout, Duration.ZERO, Duration.ofHours(1));
            Objects.requireNonNull(callbackExecutor, "callbackExecutor");
            Objects.requireNonNull(meterRegistry, "meterRegistry");
            return new ProducerConfig(this);
        }

        private static void range(String name, long value, long min, long max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(name + ": must be in " + min + " .. " + max + ", was " + value);
            }
        }

        private static void range(String name, Duration value, Duration min, Duration max) {
            if (value == null) {
                throw new IllegalArgumentException(name + ": must not be null");
            }
            if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + ": must be in " + min + " .. " + max + ", was " + value);
            }
        }
    }
}
