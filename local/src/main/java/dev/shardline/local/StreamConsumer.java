package dev.shardline.local;

import java.time.Duration;
import java.time.Instant;

/**
 * A registered enhanced fan-out consumer. Its status is derived from the clock rather than flipped by a timer:
 * CREATING until {@code created + delay}, then ACTIVE; once deregistered, DELETING until {@code deregistered +
 * delay}, then gone. A test clock that stands still therefore keeps a consumer CREATING.
 */
final class StreamConsumer {
    enum Status { CREATING, ACTIVE, DELETING }

    private final String streamArn;
    private final String name;
    private final String arn;
    private final Instant created;
    private volatile Instant deregistered;

    StreamConsumer(String streamArn, String name, Instant created) {
        this.streamArn = streamArn;
        this.name = name;
        this.created = created;
        // The service appends the creation time in epoch seconds, so a re-registered name gets a new ARN.
        this.arn = streamArn + "/consumer/" + name + ":" + created.getEpochSecond();
    }

    String streamArn() {
        return streamArn;
    }

    String name() {
        return name;
    }

    String arn() {
        return arn;
    }

    Instant created() {
        return created;
    }

    void deregister(Instant at) {
        if (deregistered == null) {
            deregistered = at;
        }
    }

    /** Status at {@code now}, or null once the consumer is gone. */
    Status status(Instant now, Duration delay) {
        Instant gone = deregistered;
        if (gone != null) {
            return now.isBefore(gone.plus(delay)) ? Status.DELETING : null;
        }
        return now.isBefore(created.plus(delay)) ? Status.CREATING : Status.ACTIVE;
    }

    /** The stream ARN inside a consumer ARN, or null if it is not shaped like one. */
    static String streamArnOf(String consumerArn) {
        int at = consumerArn.indexOf("/consumer/");
        return at < 0 ? null : consumerArn.substring(0, at);
    }

    @Override
    public String toString() {
        return arn;
    }
}
