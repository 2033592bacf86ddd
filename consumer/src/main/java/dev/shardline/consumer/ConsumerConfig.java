package dev.shardline.consumer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * Every setting of a {@link KinesisConsumer}, immutable, made with {@link #builder()}. Required: application name,
 * stream (name or ARN), record processor factory. Everything else has the default documented on its builder method.
 *
 * <pre>{@code
 * ConsumerConfig config = ConsumerConfig.builder()
 *         .applicationName("tracker")
 *         .streamName("trucks")
 *         .processorFactory(TrackerProcessor::new)
 *         .initialPosition(InitialPosition.trimHorizon())
 *         .retrieval(Retrieval.fanOut("tracker"))
 *         .kinesisClient(kinesis).dynamoDbClient(dynamo)
 *         .build();
 * }</pre>
 */
public final class ConsumerConfig {
    static final String STREAM_NAME_PATTERN = "[a-zA-Z0-9_.-]{1,128}";
    static final String STREAM_ARN_PATTERN = "arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\\d{12}:stream/[a-zA-Z0-9_.-]{1,128}";

    private final String applicationName;
    private final String tableName;
    private final String streamName;
    private final String streamArn;
    private final String workerId;
    private final Supplier<? extends RecordProcessor> processorFactory;
    private final InitialPosition initialPosition;
    private final Retrieval retrieval;
    private final Duration failoverTime;
    private final Duration leaseInterval;
    private final Duration heartbeatInterval;
    private final Duration shardSyncInterval;
    private final int maxLeasesPerWorker;
    private final Duration idleTimeBetweenReads;
    private final int maxRecordsPerCall;
    private final int prefetchRecords;
    private final long prefetchBytes;
    private final int processingRetries;
    private final Duration retryBackoff;
    private final Duration shutdownTimeout;
    private final MeterRegistry meterRegistry;
    private final KinesisAsyncClient kinesisClient;
    private final DynamoDbAsyncClient dynamoDbClient;
    private final List<StreamSpec> streams;
    private final Supplier<? extends Collection<StreamSpec>> streamsSupplier;
    private final Duration streamsPollInterval;
    private final Duration removedStreamLeaseDeletionDelay;
    private final boolean balanceByLoad;
    private final double loadTolerance;
    private final Duration loadDamping;
    private final Duration throughputReportInterval;
    private final Duration lagThreshold;
    private final Duration handoffTimeout;
    private final Duration stuckShardTimeout;
    /** What the builder was given for the derived settings (null = derive), so toBuilder() keeps them derived. */
    private final String givenTableName;
    private final Duration givenLeaseInterval;
    private final Duration givenHeartbeatInterval;

    private ConsumerConfig(Builder b) {
        this.givenTableName = b.tableName;
        this.givenLeaseInterval = b.leaseInterval;
        this.givenHeartbeatInterval = b.heartbeatInterval;
        this.handoffTimeout = b.handoffTimeout;
        this.stuckShardTimeout = b.stuckShardTimeout;
        this.applicationName = b.applicationName;
        this.tableName = b.tableName != null ? b.tableName : b.applicationName;
        this.streamName = b.streamName;
        this.streamArn = b.streamArn;
        this.workerId = b.workerId != null ? b.workerId : defaultWorkerId();
        this.processorFactory = b.processorFactory;
        this.initialPosition = b.initialPosition;
        this.retrieval = b.retrieval;
        this.failoverTime = b.failoverTime;
        this.leaseInterval = b.leaseInterval != null ? b.leaseInterval : b.failoverTime.dividedBy(3);
        this.heartbeatInterval = b.heartbeatInterval != null ? b.heartbeatInterval
                : defaultHeartbeatInterval(b.failoverTime, this.leaseInterval);
        this.shardSyncInterval = b.shardSyncInterval;
        this.maxLeasesPerWorker = b.maxLeasesPerWorker;
        this.idleTimeBetweenReads = b.idleTimeBetweenReads;
        this.maxRecordsPerCall = b.maxRecordsPerCall;
        this.prefetchRecords = b.prefetchRecords;
        this.prefetchBytes = b.prefetchBytes;
        this.processingRetries = b.processingRetries;
        this.retryBackoff = b.retryBackoff;
        this.shutdownTimeout = b.shutdownTimeout;
        this.meterRegistry = b.meterRegistry;
        this.kinesisClient = b.kinesisClient;
        this.dynamoDbClient = b.dynamoDbClient;
        this.streams = b.streams == null ? null : List.copyOf(b.streams);
        this.streamsSupplier = b.streamsSupplier;
        this.streamsPollInterval = b.streamsPollInterval;
        this.removedStreamLeaseDeletionDelay = b.removedStreamLeaseDeletionDelay;
        this.balanceByLoad = b.balanceByLoad;
        this.loadTolerance = b.loadTolerance;
        this.loadDamping = b.loadDamping;
        this.throughputReportInterval = b.throughputReportInterval;
        this.lagThreshold = b.lagThreshold;
    }

    /** A new builder with every default set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration's values, to derive a changed copy. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.applicationName = applicationName;
        b.tableName = givenTableName;
        b.streamName = streamName;
        b.streamArn = streamArn;
        b.workerId = workerId;
        b.processorFactory = processorFactory;
        b.initialPosition = initialPosition;
        b.retrieval = retrieval;
        b.failoverTime = failoverTime;
        // Derived defaults stay derived, so toBuilder().failoverTime(..) or .applicationName(..) recomputes them.
        b.leaseInterval = givenLeaseInterval;
        b.heartbeatInterval = givenHeartbeatInterval;
        b.handoffTimeout = handoffTimeout;
        b.stuckShardTimeout = stuckShardTimeout;
        b.shardSyncInterval = shardSyncInterval;
        b.maxLeasesPerWorker = maxLeasesPerWorker;
        b.idleTimeBetweenReads = idleTimeBetweenReads;
        b.maxRecordsPerCall = maxRecordsPerCall;
        b.prefetchRecords = prefetchRecords;
        b.prefetchBytes = prefetchBytes;
        b.processingRetries = processingRetries;
        b.retryBackoff = retryBackoff;
        b.shutdownTimeout = shutdownTimeout;
        b.meterRegistry = meterRegistry;
        b.kinesisClient = kinesisClient;
        b.dynamoDbClient = dynamoDbClient;
        b.streams = streams == null ? null : new ArrayList<>(streams);
        b.streamsSupplier = streamsSupplier;
        b.streamsPollInterval = streamsPollInterval;
        b.removedStreamLeaseDeletionDelay = removedStreamLeaseDeletionDelay;
        b.balanceByLoad = balanceByLoad;
        b.loadTolerance = loadTolerance;
        b.loadDamping = loadDamping;
        b.throughputReportInterval = throughputReportInterval;
        b.lagThreshold = lagThreshold;
        return b;
    }

    static String defaultWorkerId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "worker";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public String applicationName() {
        return applicationName;
    }

    /** The DynamoDB lease table name (default: the application name, as KCL names it). */
    public String tableName() {
        return tableName;
    }

    /**
     * True for a multi-stream application ({@link Builder#streams} or {@link Builder#streamsSupplier}): lease keys
     * are KCL's {@code account:streamName:creationEpoch:shardId}. False for one stream ({@link Builder#streamName}):
     * lease keys are shard ids.
     */
    public boolean isMultiStream() {
        return streams != null || streamsSupplier != null;
    }

    /**
     * The streams this application reads: the fixed set given to {@link Builder#streams}, or for a single-stream
     * application its one stream; empty when only a {@link #streamsSupplier()} was given.
     */
    public List<StreamSpec> streams() {
        if (streams != null) {
            return streams;
        }
        if (streamsSupplier != null) {
            return List.of();
        }
        return List.of(streamArn != null ? StreamSpec.of(streamArn) : StreamSpec.of(streamName));
    }

    /** The supplier of a changing set of streams, or null. */
    public Supplier<? extends Collection<StreamSpec>> streamsSupplier() {
        return streamsSupplier;
    }

    /** How often {@link #streamsSupplier()} is asked for the current set. */
    public Duration streamsPollInterval() {
        return streamsPollInterval;
    }

    /** How long after a stream left the set its leases are deleted (multi-stream). */
    public Duration removedStreamLeaseDeletionDelay() {
        return removedStreamLeaseDeletionDelay;
    }

    /** Whether leases are balanced by measured throughput (else by count). */
    public boolean balanceByLoad() {
        return balanceByLoad;
    }

    /** Fraction of the mean load within which workers count as balanced. */
    public double loadTolerance() {
        return loadTolerance;
    }

    /** A lease that moved is not moved again for balance within this long. */
    public Duration loadDamping() {
        return loadDamping;
    }

    /** How often each held lease's measured throughput is written to it (when it changed). */
    public Duration throughputReportInterval() {
        return throughputReportInterval;
    }

    /** A shard more than this far behind the tip is logged (once, with its owner) until it catches up. */
    public Duration lagThreshold() {
        return lagThreshold;
    }

    /** The stream name, or null when only the ARN was given. */
    public String streamName() {
        return streamName;
    }

    /** The stream ARN, or null when only the name was given. */
    public String streamArn() {
        return streamArn;
    }

    public String workerId() {
        return workerId;
    }

    public Supplier<? extends RecordProcessor> processorFactory() {
        return processorFactory;
    }

    public InitialPosition initialPosition() {
        return initialPosition;
    }

    public Retrieval retrieval() {
        return retrieval;
    }

    public Duration failoverTime() {
        return failoverTime;
    }

    public Duration leaseInterval() {
        return leaseInterval;
    }

    /** How often this worker writes its heartbeat; see {@link Builder#heartbeatInterval(Duration)}. */
    public Duration heartbeatInterval() {
        return heartbeatInterval;
    }

    /**
     * Two lease intervals, but at most failoverTime minus one lease interval: a live worker's next beat must land at
     * least one interval before an observer could declare it dead (that interval is the margin for a slow write or a
     * paused JVM).
     */
    static Duration defaultHeartbeatInterval(Duration failoverTime, Duration leaseInterval) {
        Duration twice = leaseInterval.multipliedBy(2);
        Duration cap = failoverTime.minus(leaseInterval);
        return twice.compareTo(cap) <= 0 ? twice : (cap.compareTo(leaseInterval) >= 0 ? cap : leaseInterval);
    }

    public Duration shardSyncInterval() {
        return shardSyncInterval;
    }

    public int maxLeasesPerWorker() {
        return maxLeasesPerWorker;
    }

    public Duration idleTimeBetweenReads() {
        return idleTimeBetweenReads;
    }

    public int maxRecordsPerCall() {
        return maxRecordsPerCall;
    }

    public int prefetchRecords() {
        return prefetchRecords;
    }

    public long prefetchBytes() {
        return prefetchBytes;
    }

    public int processingRetries() {
        return processingRetries;
    }

    public Duration retryBackoff() {
        return retryBackoff;
    }

    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** How long a receiver waits for a graceful handoff before taking the lease; see {@link Builder#handoffTimeout}. */
    public Duration handoffTimeout() {
        return handoffTimeout;
    }

    /** How long a shard reader may hear nothing from Kinesis before it is restarted; see the builder. */
    public Duration stuckShardTimeout() {
        return stuckShardTimeout;
    }

    /** One HTTP attempt of a lease-table or heartbeat call: failoverTime / 2, at least 1 s (1.5 s at the defaults). */
    public Duration dynamoDbAttemptTimeout() {
        Duration half = failoverTime.dividedBy(2);
        return half.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : half;
    }

    /**
     * A whole lease-table or heartbeat call, the SDK's retries included, and so a processor's checkpoint against a
     * DynamoDB that stopped answering: failoverTime, at least 3 s (3 s at the defaults).
     */
    public Duration dynamoDbCallTimeout() {
        return failoverTime.compareTo(Duration.ofSeconds(3)) < 0 ? Duration.ofSeconds(3) : failoverTime;
    }

    /**
     * How long after the start of its last heartbeat write that DynamoDB acknowledged this worker keeps delivering
     * records: failoverTime minus a margin of leaseInterval / 2, at most 250 ms (2.75 s at the defaults). Past it every
     * shard task stops with leaseLost (self-fencing), before any other worker may take over (see docs/consumer.md,
     * "Exclusivity").
     */
    public Duration fenceTime() {
        return fenceTime(failoverTime, leaseInterval);
    }

    static Duration fenceTime(Duration failoverTime, Duration leaseInterval) {
        Duration margin = leaseInterval.dividedBy(2);
        return failoverTime.minus(margin.compareTo(Duration.ofMillis(250)) > 0 ? Duration.ofMillis(250) : margin);
    }

    public MeterRegistry meterRegistry() {
        return meterRegistry;
    }

    /** The Kinesis client given to the builder, or null (then one is made from the default chains). */
    public KinesisAsyncClient kinesisClient() {
        return kinesisClient;
    }

    /** The DynamoDB client given to the builder, or null (then one is made from the default chains). */
    public DynamoDbAsyncClient dynamoDbClient() {
        return dynamoDbClient;
    }

    @Override
    public String toString() {
        return "ConsumerConfig{application=" + applicationName + ", table=" + tableName + ", stream"
                + (isMultiStream() ? "s=" + (streamsSupplier != null ? "(supplied)" : streams)
                : "=" + (streamArn != null ? streamArn : streamName)) + ", worker=" + workerId + ", initialPosition="
                + initialPosition + ", retrieval=" + retrieval + ", failoverTime=" + failoverTime
                + ", leaseInterval=" + leaseInterval + ", heartbeatInterval=" + heartbeatInterval
                + ", maxLeasesPerWorker=" + maxLeasesPerWorker + "}";
    }

    /** Builder of {@link ConsumerConfig}; {@link #build()} validates every field and names the one that is wrong. */
    public static final class Builder {
        private String applicationName;
        private String tableName;
        private String streamName;
        private String streamArn;
        private String workerId;
        private Supplier<? extends RecordProcessor> processorFactory;
        private InitialPosition initialPosition = InitialPosition.latest();
        private Retrieval retrieval = Retrieval.polling();
        private Duration failoverTime = Duration.ofSeconds(3);
        private Duration leaseInterval;
        private Duration heartbeatInterval;
        private Duration shardSyncInterval = Duration.ofSeconds(60);
        private int maxLeasesPerWorker = Integer.MAX_VALUE;
        private Duration idleTimeBetweenReads = Duration.ofMillis(200);
        private int maxRecordsPerCall = 10_000;
        private int prefetchRecords = 20_000;
        private long prefetchBytes = 16L * 1024 * 1024;
        private int processingRetries = 3;
        private Duration retryBackoff = Duration.ofMillis(200);
        private Duration shutdownTimeout = Duration.ofSeconds(10);
        private Duration handoffTimeout = Duration.ofSeconds(10);
        private Duration stuckShardTimeout = Duration.ofSeconds(30);
        private MeterRegistry meterRegistry = Metrics.globalRegistry;
        private KinesisAsyncClient kinesisClient;
        private DynamoDbAsyncClient dynamoDbClient;
        private List<StreamSpec> streams;
        private Supplier<? extends Collection<StreamSpec>> streamsSupplier;
        private Duration streamsPollInterval = Duration.ofSeconds(30);
        private Duration removedStreamLeaseDeletionDelay = Duration.ofHours(1);
        private boolean balanceByLoad = true;
        private double loadTolerance = 0.1;
        private Duration loadDamping = Duration.ofSeconds(30);
        private Duration throughputReportInterval = Duration.ofSeconds(10);
        private Duration lagThreshold = Duration.ofMinutes(1);

        private Builder() {
        }

        /**
         * A multi-stream application over these streams (names or ARNs), each at the configuration's initial
         * position and retrieval. Lease keys take KCL's multi-stream form {@code account:streamName:creationEpoch:
         * shardId}, so the table is shared with a KCL {@code MultiStreamTracker} application. Instead of
         * {@link #streamName}.
         */
        public Builder streams(String... namesOrArns) {
            List<StreamSpec> specs = new ArrayList<>();
            for (String s : namesOrArns) {
                specs.add(StreamSpec.of(s));
            }
            this.streams = specs;
            return this;
        }

        /** A multi-stream application over these streams, each with its own settings where given. */
        public Builder streams(StreamSpec... specs) {
            this.streams = new ArrayList<>(List.of(specs));
            return this;
        }

        /**
         * A multi-stream application over a changing set of streams: {@code supplier} is asked at start and every
         * {@link #streamsPollInterval}. A stream that appears starts at its initial position; a stream that is gone
         * has its processors shut down (they may checkpoint) and its leases deleted after
         * {@link #removedStreamLeaseDeletionDelay} (it may come back meanwhile and resumes from its checkpoints).
         * Every worker of the application should be given the same set. Instead of {@link #streams}.
         */
        public Builder streamsSupplier(Supplier<? extends Collection<StreamSpec>> supplier) {
            this.streamsSupplier = supplier;
            return this;
        }

        /** How often the streams supplier is asked. Default 30 s; at least 100 ms. */
        public Builder streamsPollInterval(Duration interval) {
            this.streamsPollInterval = interval;
            return this;
        }

        /**
         * How long the leases of a stream that left the set are kept before they are deleted (checkpoints with
         * them). Default 1 hour; 0 deletes on the next poll.
         */
        public Builder removedStreamLeaseDeletionDelay(Duration delay) {
            this.removedStreamLeaseDeletionDelay = delay;
            return this;
        }

        /**
         * Balance leases by measured throughput (bytes/s and records/s of each lease, smoothed, stored on the lease
         * as KCL 3.x's {@code throughputKBps}) instead of by count. Default true; without measurements (idle
         * streams) leases are balanced by count either way.
         */
        public Builder balanceByLoad(boolean balanceByLoad) {
            this.balanceByLoad = balanceByLoad;
            return this;
        }

        /** Load balancing: workers within this fraction of the mean load count as balanced. Default 0.1; 0.01..0.9. */
        public Builder loadTolerance(double tolerance) {
            this.loadTolerance = tolerance;
            return this;
        }

        /** Load balancing: a lease that moved is not moved again within this long. Default 30 s. */
        public Builder loadDamping(Duration damping) {
            this.loadDamping = damping;
            return this;
        }

        /**
         * How often the throughput measured on each held lease is written to it: one small UpdateItem per lease whose
         * throughput changed by more than a fifth (idle leases cost nothing). Default 10 s; at least 100 ms.
         */
        public Builder throughputReportInterval(Duration interval) {
            this.throughputReportInterval = interval;
            return this;
        }

        /**
         * A shard whose MillisBehindLatest exceeds this is logged at WARN once, with its owner, until it is back
         * under. Default 1 minute.
         */
        public Builder lagThreshold(Duration threshold) {
            this.lagThreshold = threshold;
            return this;
        }

        /** Required. Names the application; also the lease table name unless {@link #tableName} is set. */
        public Builder applicationName(String applicationName) {
            this.applicationName = applicationName;
            return this;
        }

        /** The lease table name. Default: the application name. */
        public Builder tableName(String tableName) {
            this.tableName = tableName;
            return this;
        }

        /** The stream to read, by name (this or {@link #streamArn} is required). */
        public Builder streamName(String streamName) {
            this.streamName = streamName;
            return this;
        }

        /** The stream to read, by ARN (this or {@link #streamName} is required; both must then agree). */
        public Builder streamArn(String streamArn) {
            this.streamArn = streamArn;
            return this;
        }

        /** This worker's id in the lease table. Default: host name + "-" + 8 random hex digits. */
        public Builder workerId(String workerId) {
            this.workerId = workerId;
            return this;
        }

        /** Required. Makes one {@link RecordProcessor} per leased shard. */
        public Builder processorFactory(Supplier<? extends RecordProcessor> processorFactory) {
            this.processorFactory = processorFactory;
            return this;
        }

        /** Where shards without a checkpoint start. Default: {@link InitialPosition#latest()}. */
        public Builder initialPosition(InitialPosition initialPosition) {
            this.initialPosition = initialPosition;
            return this;
        }

        /** Polling or fan-out. Default: {@link Retrieval#polling()}. */
        public Builder retrieval(Retrieval retrieval) {
            this.retrieval = retrieval;
            return this;
        }

        /**
         * How long a worker's heartbeat may stay unchanged before its leases are taken by others. Default 3 s;
         * at least 200 ms.
         */
        public Builder failoverTime(Duration failoverTime) {
            this.failoverTime = failoverTime;
            return this;
        }

        /**
         * How often the worker's lease round runs: it reads every worker's heartbeat (one small eventually consistent
         * Scan), and when something may have changed, or every few rounds otherwise, reads the lease table, takes,
         * steals and releases leases. A dead worker is noticed on the first round at least failoverTime after its
         * last beat was first seen, so failover takes from failoverTime − heartbeatInterval to failoverTime +
         * leaseInterval after the kill. Default: failoverTime / 3. Must be shorter than failoverTime.
         */
        public Builder leaseInterval(Duration leaseInterval) {
            this.leaseInterval = leaseInterval;
            return this;
        }

        /**
         * How often the worker writes its heartbeat item (one 1-WCU UpdateItem; the beat is written on the lease
         * round closest to this interval). Writes cost twice what the heartbeat reads cost, so the default beats less
         * often than it reads: 2 × leaseInterval, but at most failoverTime − leaseInterval (defaults: 2 s), leaving
         * a live worker at least one lease interval of margin for a slow write or a pause before others take its
         * leases.
         * Must be at least leaseInterval and shorter than failoverTime.
         */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = heartbeatInterval;
            return this;
        }

        /** How often the shard list is read again (new shards, missed children). Default 60 s. */
        public Builder shardSyncInterval(Duration shardSyncInterval) {
            this.shardSyncInterval = shardSyncInterval;
            return this;
        }

        /** The most leases this worker holds at once. Default: no limit. */
        public Builder maxLeasesPerWorker(int maxLeasesPerWorker) {
            this.maxLeasesPerWorker = maxLeasesPerWorker;
            return this;
        }

        /**
         * Polling: pause after a GetRecords that found the shard caught up (empty, MillisBehindLatest 0). Default
         * 200 ms; reads during a backlog only wait for the 5 reads/s and 2 MiB/s per-shard budget.
         */
        public Builder idleTimeBetweenReads(Duration idleTimeBetweenReads) {
            this.idleTimeBetweenReads = idleTimeBetweenReads;
            return this;
        }

        /** Polling: GetRecords Limit, 1..10000. Default 10000. */
        public Builder maxRecordsPerCall(int maxRecordsPerCall) {
            this.maxRecordsPerCall = maxRecordsPerCall;
            return this;
        }

        /** Kinesis records read ahead of the processor per shard, at most. Default 20000. */
        public Builder prefetchRecords(int prefetchRecords) {
            this.prefetchRecords = prefetchRecords;
            return this;
        }

        /** Bytes read ahead of the processor per shard, at most. Default 16 MiB. */
        public Builder prefetchBytes(long prefetchBytes) {
            this.prefetchBytes = prefetchBytes;
            return this;
        }

        /**
         * How many times a batch is retried when processRecords throws, before the processor is shut down and the
         * lease released. Default 3.
         */
        public Builder processingRetries(int processingRetries) {
            this.processingRetries = processingRetries;
            return this;
        }

        /** First pause before retrying a failed batch; doubles on each retry. Default 200 ms. */
        public Builder retryBackoff(Duration retryBackoff) {
            this.retryBackoff = retryBackoff;
            return this;
        }

        /** How long {@link KinesisConsumer#close()} waits for processors to finish shutdownRequested. Default 10 s. */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = shutdownTimeout;
            return this;
        }

        /**
         * Graceful handoff: how long a worker that asked for a lease (balancing, or the owner closing) waits for the
         * owner's processor to finish {@code shutdownRequested} and let go, before it takes the lease anyway (the
         * owner's later checkpoints are then refused). Default 10 s.
         */
        public Builder handoffTimeout(Duration handoffTimeout) {
            this.handoffTimeout = handoffTimeout;
            return this;
        }

        /**
         * A shard reader that has room for records and hears nothing from Kinesis for this long (no GetRecords or
         * GetShardIterator answer, no fan-out event or new subscription) is restarted after the last record delivered,
         * logged and counted ({@code shardline.consumer.shard.restarts}). Default 30 s; at least 100 ms.
         */
        public Builder stuckShardTimeout(Duration stuckShardTimeout) {
            this.stuckShardTimeout = stuckShardTimeout;
            return this;
        }

        /** Where metrics go. Default: Micrometer's global registry. */
        public Builder meterRegistry(MeterRegistry meterRegistry) {
            this.meterRegistry = meterRegistry;
            return this;
        }

        /**
         * The Kinesis client (not closed by the consumer). Default: one from the SDK's default chains, closed on
         * close(). Fan-out needs an HTTP/2 client.
         */
        public Builder kinesisClient(KinesisAsyncClient kinesisClient) {
            this.kinesisClient = kinesisClient;
            return this;
        }

        /** The DynamoDB client (not closed by the consumer). Default: one from the SDK's default chains. */
        public Builder dynamoDbClient(DynamoDbAsyncClient dynamoDbClient) {
            this.dynamoDbClient = dynamoDbClient;
            return this;
        }

        /** Validates and builds. @throws IllegalArgumentException naming the field and its limit */
        public ConsumerConfig build() {
            require(applicationName != null, "applicationName is required");
            require(applicationName.matches("[a-zA-Z0-9_.-]{3,255}"),
                    "applicationName must be 3..255 characters of [a-zA-Z0-9_.-] (a DynamoDB table name), got '"
                            + applicationName + "'");
            require(tableName == null || tableName.matches("[a-zA-Z0-9_.-]{3,255}"),
                    "tableName must be 3..255 characters of [a-zA-Z0-9_.-], got '" + tableName + "'");
            boolean multi = streams != null || streamsSupplier != null;
            require(streamName != null || streamArn != null || multi,
                    "streamName or streamArn (or streams / streamsSupplier for several) is required");
            require(!multi || (streamName == null && streamArn == null),
                    "streams/streamsSupplier (multi-stream) and streamName/streamArn (one stream) are exclusive");
            require(streams == null || streamsSupplier == null, "streams and streamsSupplier are exclusive");
            require(streams == null || !streams.isEmpty(), "streams must name at least one stream");
            if (streams != null) {
                for (int i = 0; i < streams.size(); i++) {
                    require(streams.get(i) != null, "streams[" + i + "] is null");
                    for (int j = 0; j < i; j++) {
                        require(!streams.get(i).sameStream(streams.get(j)),
                                "streams names " + streams.get(i).streamName() + " twice");
                    }
                }
            }
            require(streamsPollInterval != null && streamsPollInterval.toMillis() >= 100,
                    "streamsPollInterval must be at least 100ms, got " + streamsPollInterval);
            require(removedStreamLeaseDeletionDelay != null && !removedStreamLeaseDeletionDelay.isNegative(),
                    "removedStreamLeaseDeletionDelay must be >= 0, got " + removedStreamLeaseDeletionDelay);
            require(loadTolerance >= 0.01 && loadTolerance <= 0.9,
                    "loadTolerance must be 0.01..0.9, got " + loadTolerance);
            require(loadDamping != null && !loadDamping.isNegative(), "loadDamping must be >= 0, got " + loadDamping);
            require(throughputReportInterval != null && throughputReportInterval.toMillis() >= 100,
                    "throughputReportInterval must be at least 100ms, got " + throughputReportInterval);
            require(lagThreshold != null && lagThreshold.toMillis() > 0, "lagThreshold must be > 0, got " + lagThreshold);
            require(streamName == null || streamName.matches(STREAM_NAME_PATTERN),
                    "streamName must be 1..128 characters of [a-zA-Z0-9_.-], got '" + streamName + "'");
            require(streamArn == null || streamArn.matches(STREAM_ARN_PATTERN),
                    "streamArn must look like arn:aws:kinesis:REGION:ACCOUNT:stream/NAME, got '" + streamArn + "'");
            require(streamName == null || streamArn == null || streamArn.endsWith(":stream/" + streamName),
                    "streamName '" + streamName + "' and streamArn '" + streamArn + "' name different streams");
            require(workerId == null || (!workerId.isEmpty() && workerId.length() <= 255),
                    "workerId must be 1..255 characters");
            require(processorFactory != null, "processorFactory is required");
            Objects.requireNonNull(initialPosition, "initialPosition");
            Objects.requireNonNull(retrieval, "retrieval");
            Objects.requireNonNull(meterRegistry, "meterRegistry");
            require(failoverTime != null && failoverTime.toMillis() >= 200,
                    "failoverTime must be at least 200ms, got " + failoverTime);
            Duration interval = leaseInterval != null ? leaseInterval : failoverTime.dividedBy(3);
            require(interval.toMillis() >= 10 && interval.compareTo(failoverTime) < 0,
                    "leaseInterval must be at least 10ms and shorter than failoverTime (" + failoverTime + "), got "
                            + interval);
            require(heartbeatInterval == null || (heartbeatInterval.compareTo(interval) >= 0
                            && heartbeatInterval.compareTo(failoverTime) < 0),
                    "heartbeatInterval must be at least leaseInterval (" + interval
                            + ") and shorter than failoverTime (" + failoverTime + "), got " + heartbeatInterval);
            Duration fence = fenceTime(failoverTime, interval);
            require(heartbeatInterval == null || heartbeatInterval.compareTo(fence) < 0,
                    "heartbeatInterval must be shorter than the fence time (" + fence
                            + ", when a worker whose beats stopped being acknowledged fences itself), got "
                            + heartbeatInterval);
            require(shardSyncInterval != null && shardSyncInterval.toMillis() >= 100,
                    "shardSyncInterval must be at least 100ms, got " + shardSyncInterval);
            require(maxLeasesPerWorker >= 1, "maxLeasesPerWorker must be >= 1, got " + maxLeasesPerWorker);
            require(idleTimeBetweenReads != null && !idleTimeBetweenReads.isNegative(),
                    "idleTimeBetweenReads must be >= 0, got " + idleTimeBetweenReads);
            require(maxRecordsPerCall >= 1 && maxRecordsPerCall <= 10_000,
                    "maxRecordsPerCall must be 1..10000 (the GetRecords limit), got " + maxRecordsPerCall);
            require(prefetchRecords >= 1, "prefetchRecords must be >= 1, got " + prefetchRecords);
            require(prefetchBytes >= 1024, "prefetchBytes must be >= 1024, got " + prefetchBytes);
            require(processingRetries >= 0, "processingRetries must be >= 0, got " + processingRetries);
            require(retryBackoff != null && !retryBackoff.isNegative(), "retryBackoff must be >= 0, got " + retryBackoff);
            require(shutdownTimeout != null && !shutdownTimeout.isNegative(),
                    "shutdownTimeout must be >= 0, got " + shutdownTimeout);
            require(stuckShardTimeout != null && stuckShardTimeout.toMillis() >= 100,
                    "stuckShardTimeout must be at least 100ms, got " + stuckShardTimeout);
            require(handoffTimeout != null && handoffTimeout.toMillis() >= 10,
                    "handoffTimeout must be at least 10ms, got " + handoffTimeout);
            return new ConsumerConfig(this);
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
