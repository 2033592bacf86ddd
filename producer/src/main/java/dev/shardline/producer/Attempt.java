package dev.shardline.producer;

import java.time.Duration;
import java.time.Instant;

/**
 * One try at putting a record: when the PutRecords call started, how long it took, and the error code and message
 * when it failed (both null on success).
 */
public record Attempt(Instant startedAt, Duration duration, String errorCode, String errorMessage) {

    public boolean successful() {
        return errorCode == null;
    }

    @Override
    public String toString() {
        return startedAt + " +" + duration.toMillis() + "ms " + (errorCode == null ? "ok" : errorCode + ": " + errorMessage);
    }
}
