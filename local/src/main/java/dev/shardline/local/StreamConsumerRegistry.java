package dev.shardline.local;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The enhanced fan-out consumers of every stream: at most {@value #MAX_CONSUMERS_PER_STREAM} per stream, names
 * unique per stream, statuses moving CREATING → ACTIVE and DELETING → gone after a configurable delay.
 *
 * <p>Consumers belong to one incarnation of a stream (its creation time): when a stream is deleted and created again
 * under the same name (and so the same ARN), the old consumers are dropped the next time the stream's consumers are
 * touched, as the service forgets them with the stream. Control-plane rates are low, so one lock suffices.
 */
final class StreamConsumerRegistry {
    /** The service's limit of registered consumers per stream. */
    static final int MAX_CONSUMERS_PER_STREAM = 20;
    /** ListStreamConsumers MaxResults bounds and default. */
    static final int MAX_LIST_RESULTS = 10_000;
    static final int DEFAULT_LIST_RESULTS = 100;
    private static final int MAX_NAME_LENGTH = 128;
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]+");

    private final Clock clock;
    private final Duration statusDelay;
    /** stream ARN -> consumers of that stream in registration order. */
    private final Map<String, StreamConsumers> byStream = new HashMap<>();

    private static final class StreamConsumers {
        final long streamCreated;
        final Map<String, StreamConsumer> byName = new LinkedHashMap<>();

        StreamConsumers(long streamCreated) {
            this.streamCreated = streamCreated;
        }
    }

    StreamConsumerRegistry(Clock clock, Duration statusDelay) {
        this.clock = clock;
        this.statusDelay = statusDelay;
    }

    /**
     * Registers a consumer on a stream that exists and is active.
     *
     * @param streamCreated the stream's creation time, telling one incarnation of a stream name from the next
     * @throws KinesisException ResourceInUseException for a name already registered, LimitExceededException past
     *     {@value #MAX_CONSUMERS_PER_STREAM}, ValidationException for a malformed name
     */
    synchronized StreamConsumer register(String streamArn, long streamCreated, String name) {
        checkName(name);
        StreamConsumers consumers = consumers(streamArn, streamCreated);
        if (consumers.byName.containsKey(name)) {
            throw KinesisException.inUse("Consumer " + name + " under stream " + streamArn
                    + " already exists (names are unique per stream)");
        }
        if (consumers.byName.size() >= MAX_CONSUMERS_PER_STREAM) {
            throw KinesisException.limitExceeded("Stream " + streamArn + " already has "
                    + consumers.byName.size() + " registered consumers; the limit is " + MAX_CONSUMERS_PER_STREAM);
        }
        Instant now = clock.instant();
        StreamConsumer consumer = new StreamConsumer(streamArn, name, now);
        consumers.byName.put(name, consumer);
        return consumer;
    }

    /** The consumer with this ARN on the stream (any status but gone). */
    synchronized StreamConsumer describe(String streamArn, long streamCreated, String consumerArn) {
        for (StreamConsumer c : consumers(streamArn, streamCreated).byName.values()) {
            if (c.arn().equals(consumerArn)) {
                return c;
            }
        }
        throw KinesisException.notFound("Consumer " + consumerArn + " not found.");
    }

    /** The consumer with this name on the stream (any status but gone). */
    synchronized StreamConsumer describeByName(String streamArn, long streamCreated, String name) {
        StreamConsumer c = consumers(streamArn, streamCreated).byName.get(name);
        if (c == null) {
            throw KinesisException.notFound("Consumer " + name + " under stream " + streamArn + " not found.");
        }
        return c;
    }

    /** The consumers of a stream (any status but gone), in registration order. */
    synchronized List<StreamConsumer> list(String streamArn, long streamCreated) {
        return new ArrayList<>(consumers(streamArn, streamCreated).byName.values());
    }

    /** How many consumers the stream has registered (any status but gone): DescribeStreamSummary's ConsumerCount. */
    synchronized int count(String streamArn, long streamCreated) {
        return consumers(streamArn, streamCreated).byName.size();
    }

    /** Starts deregistering a consumer: DELETING for the status delay, then gone. Idempotent while DELETING. */
    synchronized StreamConsumer deregister(StreamConsumer consumer) {
        consumer.deregister(clock.instant());
        return consumer;
    }

    /** Status of a consumer now; null once it is gone. */
    StreamConsumer.Status status(StreamConsumer consumer) {
        return consumer.status(clock.instant(), statusDelay);
    }

    private StreamConsumers consumers(String streamArn, long streamCreated) {
        StreamConsumers consumers = byStream.get(streamArn);
        if (consumers == null || consumers.streamCreated != streamCreated) {
            consumers = new StreamConsumers(streamCreated);
            byStream.put(streamArn, consumers);
        }
        purgeGone(consumers);
        return consumers;
    }

    private void purgeGone(StreamConsumers consumers) {
        Instant now = clock.instant();
        consumers.byName.values().removeIf(c -> c.status(now, statusDelay) == null);
    }

    private static void checkName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH || !NAME.matcher(name).matches()) {
            throw KinesisException.validation("Value '" + name + "' at 'consumerName' failed to satisfy constraint: "
                    + "Member must have length between 1 and " + MAX_NAME_LENGTH
                    + " and match pattern [a-zA-Z0-9_.-]+");
        }
    }

    /** An opaque ListStreamConsumers token: the stream and the position of the next consumer. */
    static String nextToken(String streamArn, int position) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((position + "|" + streamArn).getBytes(StandardCharsets.UTF_8));
    }

    /** The position a token continues from; -1 if the token is malformed or of another stream. */
    static int tokenPosition(String token, String streamArn) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            int bar = text.indexOf('|');
            if (bar < 0 || !text.substring(bar + 1).equals(streamArn)) {
                return -1;
            }
            return Integer.parseInt(text.substring(0, bar));
        } catch (IllegalArgumentException e) {
            return -1;
        }
    }
}
