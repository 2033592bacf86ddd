package dev.shardline.local;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of LocalKinesis's enhanced fan-out (stream consumers and SubscribeToShard). Immutable; the defaults are
 * the service's behaviour, except that consumers become ACTIVE at once instead of after seconds.
 *
 * <pre>{@code
 * FanOutConfig config = FanOutConfig.builder()
 *         .subscriptionLifetime(Duration.ofSeconds(10))   // default 5 min
 *         .takeoverWindow(Duration.ofMillis(500))         // default 5 s
 *         .build();
 * }</pre>
 */
public final class FanOutConfig {
    /** The service's read throughput per consumer per shard: 2 MiB/s. */
    public static final long DEFAULT_READ_BYTES_PER_SECOND = 2L * 1024 * 1024;

    private static final FanOutConfig DEFAULTS = builder().build();

    private final Duration consumerStatusDelay;
    private final Duration keepAliveInterval;
    private final Duration subscriptionLifetime;
    private final Duration takeoverWindow;
    private final long readBytesPerSecond;
    private final int maxEventBytes;

    private FanOutConfig(Builder b) {
        this.consumerStatusDelay = b.consumerStatusDelay;
        this.keepAliveInterval = b.keepAliveInterval;
        this.subscriptionLifetime = b.subscriptionLifetime;
        this.takeoverWindow = b.takeoverWindow;
        this.readBytesPerSecond = b.readBytesPerSecond;
        this.maxEventBytes = b.maxEventBytes;
    }

    /** The defaults described on each builder method. */
    public static FanOutConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** How long a consumer stays CREATING after RegisterStreamConsumer, and DELETING after deregistration. */
    public Duration consumerStatusDelay() {
        return consumerStatusDelay;
    }

    /** How often an idle subscription gets an event with no records and an advancing continuation. */
    public Duration keepAliveInterval() {
        return keepAliveInterval;
    }

    /** How long one SubscribeToShard call streams before the server ends it. */
    public Duration subscriptionLifetime() {
        return subscriptionLifetime;
    }

    /** Within this time of a successful SubscribeToShard, another one for the same consumer and shard is refused. */
    public Duration takeoverWindow() {
        return takeoverWindow;
    }

    /** Record bytes per second one subscription may receive while limits are enabled. */
    public long readBytesPerSecond() {
        return readBytesPerSecond;
    }

    /** Record data bytes packed into one event at most (an event always carries at least one record). */
    public int maxEventBytes() {
        return maxEventBytes;
    }

    @Override
    public String toString() {
        return "FanOutConfig{consumerStatusDelay=" + consumerStatusDelay + ", keepAliveInterval=" + keepAliveInterval
                + ", subscriptionLifetime=" + subscriptionLifetime + ", takeoverWindow=" + takeoverWindow
                + ", readBytesPerSecond=" + readBytesPerSecond + ", maxEventBytes=" + maxEventBytes + "}";
    }

    /** Builder of {@link FanOutConfig}. */
    public static final class Builder {
        private Duration consumerStatusDelay = Duration.ZERO;
        private Duration keepAliveInterval = Duration.ofSeconds(5);
        private Duration subscriptionLifetime = Duration.ofMinutes(5);
        private Duration takeoverWindow = Duration.ofSeconds(5);
        private long readBytesPerSecond = DEFAULT_READ_BYTES_PER_SECOND;
        private int maxEventBytes = 1024 * 1024;

        private Builder() {
        }

        /** Default 0: a consumer is ACTIVE as soon as it is described (the service takes seconds). */
        public Builder consumerStatusDelay(Duration delay) {
            this.consumerStatusDelay = nonNegative(delay, "consumerStatusDelay");
            return this;
        }

        /** Default 5 s, as the service; must be positive. */
        public Builder keepAliveInterval(Duration interval) {
            this.keepAliveInterval = positive(interval, "keepAliveInterval");
            return this;
        }

        /** Default 5 min, as the service; must be positive. */
        public Builder subscriptionLifetime(Duration lifetime) {
            this.subscriptionLifetime = positive(lifetime, "subscriptionLifetime");
            return this;
        }

        /** Default 5 s, as the service; 0 lets a new subscription take over at once. */
        public Builder takeoverWindow(Duration window) {
            this.takeoverWindow = nonNegative(window, "takeoverWindow");
            return this;
        }

        /** Default 2 MiB/s, as the service; applies only while LocalKinesis enforces limits. */
        public Builder readBytesPerSecond(long bytesPerSecond) {
            if (bytesPerSecond <= 0) {
                throw new IllegalArgumentException("readBytesPerSecond must be positive, was " + bytesPerSecond);
            }
            this.readBytesPerSecond = bytesPerSecond;
            return this;
        }

        /** Default 1 MiB; between 1 KiB and 8 MiB. */
        public Builder maxEventBytes(int bytes) {
            if (bytes < 1024 || bytes > 8 * 1024 * 1024) {
                throw new IllegalArgumentException("maxEventBytes must be between 1024 and 8388608, was " + bytes);
            }
            this.maxEventBytes = bytes;
            return this;
        }

        public FanOutConfig build() {
            return new FanOutConfig(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }

        private static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, was " + d);
            }
            return d;
        }
    }
}
