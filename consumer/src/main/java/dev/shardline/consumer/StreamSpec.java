package dev.shardline.consumer;

import java.util.Objects;
import java.util.Optional;

/**
 * One stream of a multi-stream consumer application: the stream (by name or ARN) and, optionally, its own initial
 * position and retrieval; unset, they come from {@link ConsumerConfig#initialPosition()} and
 * {@link ConsumerConfig#retrieval()}. Immutable; the {@code with} methods return changed copies.
 *
 * <pre>{@code
 * ConsumerConfig.builder().applicationName("fleet")
 *         .streams(StreamSpec.of("trucks"),
 *                  StreamSpec.of("trailers").initialPosition(InitialPosition.trimHorizon())
 *                                           .retrieval(Retrieval.fanOut("fleet")))
 * }</pre>
 */
public final class StreamSpec {
    private final String streamName;
    private final String streamArn;
    private final InitialPosition initialPosition;
    private final Retrieval retrieval;

    private StreamSpec(String streamName, String streamArn, InitialPosition initialPosition, Retrieval retrieval) {
        this.streamName = streamName;
        this.streamArn = streamArn;
        this.initialPosition = initialPosition;
        this.retrieval = retrieval;
    }

    /**
     * The stream named {@code nameOrArn} (a name of 1..128 of {@code [a-zA-Z0-9_.-]}, or an ARN
     * {@code arn:aws:kinesis:REGION:ACCOUNT:stream/NAME}).
     *
     * @throws IllegalArgumentException naming the limit when it is neither
     */
    public static StreamSpec of(String nameOrArn) {
        Objects.requireNonNull(nameOrArn, "stream");
        if (nameOrArn.startsWith("arn:")) {
            if (!nameOrArn.matches(ConsumerConfig.STREAM_ARN_PATTERN)) {
                throw new IllegalArgumentException("stream ARN must look like arn:aws:kinesis:REGION:ACCOUNT:stream/NAME,"
                        + " got '" + nameOrArn + "'");
            }
            return new StreamSpec(nameOrArn.substring(nameOrArn.indexOf(":stream/") + 8), nameOrArn, null, null);
        }
        if (!nameOrArn.matches(ConsumerConfig.STREAM_NAME_PATTERN)) {
            throw new IllegalArgumentException("stream name must be 1..128 characters of [a-zA-Z0-9_.-], got '"
                    + nameOrArn + "'");
        }
        return new StreamSpec(nameOrArn, null, null, null);
    }

    /** This stream with its own initial position for shards without a checkpoint. */
    public StreamSpec initialPosition(InitialPosition initialPosition) {
        return new StreamSpec(streamName, streamArn, Objects.requireNonNull(initialPosition, "initialPosition"),
                retrieval);
    }

    /** This stream with its own retrieval (polling, or fan-out through a named stream consumer). */
    public StreamSpec retrieval(Retrieval retrieval) {
        return new StreamSpec(streamName, streamArn, initialPosition, Objects.requireNonNull(retrieval, "retrieval"));
    }

    /** The stream's name (taken from the ARN when given one). */
    public String streamName() {
        return streamName;
    }

    /** The ARN, when the stream was given by ARN. */
    public Optional<String> streamArn() {
        return Optional.ofNullable(streamArn);
    }

    /** This stream's own initial position, if set. */
    public Optional<InitialPosition> initialPosition() {
        return Optional.ofNullable(initialPosition);
    }

    /** This stream's own retrieval, if set. */
    public Optional<Retrieval> retrieval() {
        return Optional.ofNullable(retrieval);
    }

    /** The same stream (name or ARN) as {@code other}, whatever the settings. */
    boolean sameStream(StreamSpec other) {
        return streamName.equals(other.streamName)
                && (streamArn == null || other.streamArn == null || streamArn.equals(other.streamArn));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamSpec s && streamName.equals(s.streamName) && Objects.equals(streamArn, s.streamArn)
                && Objects.equals(initialPosition, s.initialPosition) && Objects.equals(retrieval, s.retrieval);
    }

    @Override
    public int hashCode() {
        return Objects.hash(streamName, streamArn, initialPosition, retrieval);
    }

    @Override
    public String toString() {
        return (streamArn != null ? streamArn : streamName)
                + (initialPosition != null ? " " + initialPosition : "") + (retrieval != null ? " " + retrieval : "");
    }
}
