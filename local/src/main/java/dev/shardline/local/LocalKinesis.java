package dev.shardline.local;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded Kinesis Data Streams endpoint for tests, demos and benchmarks: the unmodified AWS SDK and Amazon's
 * KPL talk to it over real sockets on 127.0.0.1, as if it were Kinesis.
 *
 * <pre>{@code
 * try (LocalKinesis kinesis = LocalKinesis.builder().build().start()) {
 *     kinesis.createStream("orders", 4);                       // waits until ACTIVE
 *     KinesisAsyncClient client = LocalClients.kinesis(kinesis.endpoint());
 *     ...
 * }
 * }</pre>
 *
 * <p>The plain port serves HTTP/1.1 and HTTP/2 with prior knowledge (h2c); the TLS port (a self-signed
 * certificate made at start, by Netty with Bouncy Castle) offers ALPN {@code h2} and {@code http/1.1} and, for
 * clients that offer no ALPN, tells the HTTP/2 preface from an HTTP/1.1 request line. Both speak the Kinesis JSON
 * 1.1 protocol in JSON and CBOR, and answer STS {@code GetCallerIdentity}. Any credentials are accepted.
 *
 * <p>Per-shard limits and the account's shard limit are enforced as the service does unless
 * {@link Builder#limitsEnabled(boolean)} turns them off; faults are injected with {@link #faults()}.
 *
 * <p>Extension points (package-private, for features built in this package, such as enhanced fan-out):
 * {@link OperationRegistry} via {@code registry()} — plug in operations by name; {@link Reply#streaming} with a
 * {@link ResponseSink} — answer with a body written over time, honouring HTTP/2 flow control;
 * {@link LocalShard#addListener(ShardListener)} via {@code store()} — learn of new records without polling.
 */
public final class LocalKinesis implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LocalKinesis.class);
    /** The service's default limit of open shards per account (most regions). */
    public static final int DEFAULT_SHARD_LIMIT = 500;

    private final Builder config;
    private final OperationRegistry registry = new OperationRegistry();
    private final Faults faults = new Faults();
    private final ScheduledExecutorService scheduler;
    private final StreamStore store;
    private final FanOutOperations fanOut;
    private final RequestDispatcher dispatcher;
    private EventLoopGroup group;
    private Channel plainChannel;
    private Channel tlsChannel;

    private LocalKinesis(Builder config) {
        this.config = config;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("local-kinesis-timer",
                true));
        this.store = new StreamStore(config.clock, config.account, config.region, config.statusDelay,
                config.maxStoredBytesPerStream, config.limitsEnabled, scheduler);
        // Enhanced fan-out: stream consumers and SubscribeToShard (FanOut*, Subscription* classes).
        this.fanOut = new FanOutOperations(store, config.fanOut);
        new StreamOperations(store, fanOut.consumers()).registerAll(registry);
        new RecordOperations(store).registerAll(registry);
        new ReshardOperations(store).registerAll(registry);
        fanOut.registerAll(registry);
        new AccountOperations(store).registerAll(registry);
        store.defaultMaxRecordSizeKiB(config.maxRecordSizeKiB);
        store.shardLimit(config.effectiveShardLimit());
        this.dispatcher = new RequestDispatcher(registry, store, faults, new StsResponder(config.account),
                config.requireSignature);
    }

    /** A builder with the defaults: free ports, limits on, system clock, us-east-1, account 000000000000. */
    public static Builder builder() {
        return new Builder();
    }

    /** Binds the ports and starts serving; returns this. */
    public synchronized LocalKinesis start() {
        if (group != null) {
            throw new IllegalStateException("already started");
        }
        group = new NioEventLoopGroup(config.ioThreads, new DefaultThreadFactory("local-kinesis", true));
        try {
            ServerPipelines pipelines = new ServerPipelines(dispatcher);
            plainChannel = bind(config.port, pipelines.plain());
            if (config.tls) {
                tlsChannel = bind(config.tlsPort, pipelines.tls(sslContext()));
            }
            scheduler.scheduleWithFixedDelay(this::trimQuietly, 1, 1, TimeUnit.SECONDS);
            log.debug("LocalKinesis on {} and {}", endpoint(), config.tls ? tlsEndpoint() : "no TLS");
            return this;
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void trimQuietly() {
        try {
            store.trimAll();
        } catch (RuntimeException e) {
            log.warn("retention trimming failed", e);
        }
    }

    private Channel bind(int port, io.netty.channel.ChannelInitializer<Channel> initializer) {
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(initializer);
        try {
            return bootstrap.bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while binding 127.0.0.1:" + port, e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    private static SslContext sslContext() {
        try {
            // EC keys: generated in milliseconds, unlike RSA.
            SelfSignedCertificate certificate = new SelfSignedCertificate("localhost", "EC", 256);
            return SslContextBuilder.forServer(certificate.certificate(), certificate.privateKey())
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(
                            ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                    .build();
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the self-signed TLS certificate: " + e, e);
        }
    }

    /** The plain port. */
    public int port() {
        return local(plainChannel).getPort();
    }

    /** The TLS port. */
    public int tlsPort() {
        if (!config.tls) {
            throw new IllegalStateException("TLS is off");
        }
        return local(tlsChannel).getPort();
    }

    private static InetSocketAddress local(Channel channel) {
        if (channel == null) {
            throw new IllegalStateException("not started");
        }
        return (InetSocketAddress) channel.localAddress();
    }

    /** {@code http://127.0.0.1:<port>}: HTTP/1.1 and h2c. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** {@code https://127.0.0.1:<tlsPort>}: self-signed, so clients must trust all certificates. */
    public URI tlsEndpoint() {
        return URI.create("https://127.0.0.1:" + tlsPort());
    }

    /** The region streams are created in when a request does not name one. */
    public String region() {
        return config.region;
    }

    /** The account id in ARNs. */
    public String account() {
        return config.account;
    }

    /** Whether the per-shard limits are enforced. */
    public boolean limitsEnabled() {
        return config.limitsEnabled;
    }

    /** The ARN a stream of this name has (in the default region). */
    public String streamArn(String streamName) {
        return store.streamArn(config.region, streamName);
    }

    /**
     * Creates a provisioned stream with {@code shards} shards (hash-key space split evenly) in the default region
     * and waits until it is ACTIVE; returns its ARN.
     *
     * @throws IllegalStateException if a stream of that name exists
     */
    public String createStream(String name, int shards) {
        if (shards < 1 || shards > 10_000) {
            throw new IllegalArgumentException("shards must be 1..10000, was " + shards);
        }
        LocalStream stream;
        try {
            stream = store.create(config.region, name, shards, false);
        } catch (KinesisException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        awaitActive(stream);
        return stream.arn();
    }

    private void awaitActive(LocalStream stream) {
        long deadline = System.nanoTime() + config.statusDelay.toNanos() + TimeUnit.SECONDS.toNanos(10);
        while (stream.status() != StreamStatus.ACTIVE) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("stream " + stream.name() + " did not become ACTIVE");
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    /** Sets the maximum record size of a stream, 1024..10240 KiB (1 to 10 MiB). */
    public void maxRecordSize(String streamName, int kib) {
        if (kib < 1024 || kib > 10_240) {
            throw new IllegalArgumentException("maximum record size must be 1024..10240 KiB, was " + kib);
        }
        LocalStream stream = store.find(streamName);
        if (stream == null) {
            throw new IllegalArgumentException("no stream " + streamName);
        }
        stream.maxRecordSizeKiB(kib);
    }

    /** Fault injection: throttling, 500, 503, latency and dropped connections by operation and stream. */
    public Faults faults() {
        return faults;
    }

    /** Enhanced fan-out: its settings, subscription fault injection and per-subscription stats. */
    public FanOut fanOut() {
        return new FanOut(fanOut);
    }

    /** Extension point: the operations served, by name. */
    OperationRegistry registry() {
        return registry;
    }

    /** HTTP/2 connections accepted so far (for tests). */
    long http2Connections() {
        return dispatcher.http2Connections();
    }

    /** Kinesis calls received so far in the given wire format (for tests). */
    long calls(WireFormat format) {
        return dispatcher.calls(format);
    }

    /** Extension point: the streams and shards. */
    StreamStore store() {
        return store;
    }

    /** Stops serving and frees the ports. */
    @Override
    public synchronized void close() {
        scheduler.shutdownNow();
        if (group == null) {
            return;
        }
        try {
            if (plainChannel != null) {
                plainChannel.close().syncUninterruptibly();
            }
            if (tlsChannel != null) {
                tlsChannel.close().syncUninterruptibly();
            }
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            group = null;
            plainChannel = null;
            tlsChannel = null;
        }
    }

    /** Settings of a {@link LocalKinesis}; every one has a default. */
    public static final class Builder {
        private int port;
        private int tlsPort;
        private boolean tls = true;
        private boolean limitsEnabled = true;
        private Clock clock = Clock.systemUTC();
        private String region = "us-east-1";
        private String account = "000000000000";
        private Duration statusDelay = Duration.ZERO;
        private long maxStoredBytesPerStream = 256L * 1024 * 1024;
        private FanOutConfig fanOut = FanOutConfig.defaults();
        private int ioThreads = Math.max(2, Runtime.getRuntime().availableProcessors());
        private int maxRecordSizeKiB = 1024;
        private Integer shardLimit;
        private boolean requireSignature;

        private Builder() {
        }

        /** Plain port (HTTP/1.1 + h2c); 0 (default) picks a free one. */
        public Builder port(int port) {
            this.port = checkPort(port);
            return this;
        }

        /** TLS port; 0 (default) picks a free one. */
        public Builder tlsPort(int port) {
            this.tlsPort = checkPort(port);
            return this;
        }

        /** Whether to open the TLS port at all (default true). */
        public Builder tls(boolean enabled) {
            this.tls = enabled;
            return this;
        }

        private static int checkPort(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            return port;
        }

        /** Per-shard throughput limits as Kinesis enforces them (default true); off for benchmarks. */
        public Builder limitsEnabled(boolean enabled) {
            this.limitsEnabled = enabled;
            return this;
        }

        /** The clock behind arrival times, retention, iterator and token expiry and the limits (default UTC). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The region in ARNs when a request's signature names none (default us-east-1). */
        public Builder region(String region) {
            this.region = Objects.requireNonNull(region, "region");
            return this;
        }

        /** The 12-digit account id in ARNs (default 000000000000). */
        public Builder account(String account) {
            if (account == null || !account.matches("\\d{12}")) {
                throw new IllegalArgumentException("account must be 12 digits, was " + account);
            }
            this.account = account;
            return this;
        }

        /**
         * How long streams stay CREATING / UPDATING / DELETING before the change completes (default zero: changes
         * complete before the call returns).
         */
        public Builder statusDelay(Duration delay) {
            if (delay == null || delay.isNegative()) {
                throw new IllegalArgumentException("statusDelay must be >= 0, was " + delay);
            }
            this.statusDelay = delay;
            return this;
        }

        /** Cap on record bytes stored per stream; the oldest records are trimmed beyond it (default 256 MiB). */
        public Builder maxStoredBytesPerStream(long bytes) {
            if (bytes < 1024 * 1024) {
                throw new IllegalArgumentException("maxStoredBytesPerStream must be >= 1 MiB, was " + bytes);
            }
            this.maxStoredBytesPerStream = bytes;
            return this;
        }

        /**
         * The maximum record size (data + partition key) of new streams, in KiB: 1024 (1 MiB, the default) up to
         * 10240 (10 MiB), as the service allows per stream. A CreateStream call may set its own
         * ({@code MaxRecordSizeInKiB}); {@code UpdateMaxRecordSize} and {@link LocalKinesis#maxRecordSize} change it.
         */
        public Builder maxRecordSizeKiB(int kib) {
            if (kib < 1024 || kib > 10_240) {
                throw new IllegalArgumentException("maxRecordSizeKiB must be 1024..10240, was " + kib);
            }
            this.maxRecordSizeKiB = kib;
            return this;
        }

        /**
         * The account's limit of open shards across its streams (the service's default, 500, while
         * {@link #limitsEnabled} is on; none when it is off, unless set here). CreateStream, SplitShard and
         * UpdateShardCount past it answer LimitExceededException; DescribeLimits reports it.
         */
        public Builder shardLimit(int limit) {
            if (limit < 1 || limit > 1_000_000) {
                throw new IllegalArgumentException("shardLimit must be 1..1000000, was " + limit);
            }
            this.shardLimit = limit;
            return this;
        }

        int effectiveShardLimit() {
            return shardLimit != null ? shardLimit : limitsEnabled ? DEFAULT_SHARD_LIMIT : Integer.MAX_VALUE;
        }

        /**
         * Strict mode (default off): Kinesis calls without an AWS Signature Version 4 {@code Authorization} header
         * are refused with MissingAuthenticationTokenException, as the service refuses them, for tests of a
         * client's credential set-up. The signature itself is not verified.
         */
        public Builder requireSignature(boolean required) {
            this.requireSignature = required;
            return this;
        }

        /** Netty I/O threads (default: number of cores, at least 2). */
        public Builder ioThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("ioThreads must be >= 1, was " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /** Enhanced fan-out settings (default {@link FanOutConfig#defaults()}: the service's behaviour). */
        public Builder fanOut(FanOutConfig fanOut) {
            this.fanOut = Objects.requireNonNull(fanOut, "fanOut");
            return this;
        }

        public LocalKinesis build() {
            return new LocalKinesis(this);
        }
    }
}
