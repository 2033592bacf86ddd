package dev.shardline.consumer;

import java.util.Objects;

/**
 * How records are read: {@link #polling()} (GetRecords, the default) or {@link #fanOut(String)} (enhanced fan-out:
 * SubscribeToShard over HTTP/2 through a registered stream consumer, pushed within milliseconds).
 */
public final class Retrieval {
    /** The retrieval mode. */
    public enum Mode { POLLING, FAN_OUT }

    private static final Retrieval POLLING = new Retrieval(Mode.POLLING, null);

    private final Mode mode;
    private final String consumerName;

    private Retrieval(Mode mode, String consumerName) {
        this.mode = mode;
        this.consumerName = consumerName;
    }

    /** GetRecords polling, shared 2 MiB/s and 5 reads/s per shard with other polling readers. */
    public static Retrieval polling() {
        return POLLING;
    }

    /**
     * Enhanced fan-out through the stream consumer {@code consumerName}, registered when missing (and reused when
     * it exists). The Kinesis client must speak HTTP/2.
     */
    public static Retrieval fanOut(String consumerName) {
        Objects.requireNonNull(consumerName, "consumerName");
        if (consumerName.isEmpty() || consumerName.length() > 128 || !consumerName.matches("[a-zA-Z0-9_.-]+")) {
            throw new IllegalArgumentException("consumerName must be 1..128 characters of [a-zA-Z0-9_.-], got '"
                    + consumerName + "'");
        }
        return new Retrieval(Mode.FAN_OUT, consumerName);
    }

    public Mode mode() {
        return mode;
    }

    /** The stream consumer name for fan-out, else null. */
    public String consumerName() {
        return consumerName;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Retrieval r && r.mode == mode && Objects.equals(r.consumerName, consumerName);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, consumerName);
    }

    @Override
    public String toString() {
        return mode == Mode.FAN_OUT ? "FAN_OUT(" + consumerName + ")" : "POLLING";
    }
}
