package dev.shardline.producer;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One accepted user record, from {@code send} until its future completes. Owned by the sender thread once queued. */
final class PendingRecord {
    final String stream;
    final String partitionKey;
    /** The partition key in UTF-8, encoded once at send: for its MD5, its size and the aggregate's key table. */
    final byte[] partitionKeyUtf8;
    final String explicitHashKey;
    final byte[] data;
    final BigInteger hashKey;
    final long sentAtNanos;
    final long deadlineNanos;
    final int bufferedBytes;
    final CompletableFuture<SendResult> future = new CompletableFuture<>();
    private List<Attempt> attempts;
    /** Routed only with a shard map loaded at or after this time (after a mispredicted put); 0 = any map. */
    long routeNotBeforeNanos;
    String lastError;
    /** The outcome, set once by the accumulator, handed to the future by the sender (off the accumulator's lock). */
    private SendResult result;
    private ProducerException error;

    PendingRecord(String stream, String partitionKey, String explicitHashKey, byte[] data, BigInteger hashKey,
            long sentAtNanos, long deadlineNanos, int bufferedBytes) {
        this(stream, partitionKey, partitionKey.getBytes(StandardCharsets.UTF_8), explicitHashKey, data, hashKey,
                sentAtNanos, deadlineNanos, bufferedBytes);
    }

    PendingRecord(String stream, String partitionKey, byte[] partitionKeyUtf8, String explicitHashKey, byte[] data,
            BigInteger hashKey, long sentAtNanos, long deadlineNanos, int bufferedBytes) {
        this.stream = stream;
        this.partitionKey = partitionKey;
        this.partitionKeyUtf8 = partitionKeyUtf8;
        this.explicitHashKey = explicitHashKey;
        this.data = data;
        this.hashKey = hashKey;
        this.sentAtNanos = sentAtNanos;
        this.deadlineNanos = deadlineNanos;
        this.bufferedBytes = bufferedBytes;
    }

    void addAttempt(Attempt attempt) {
        if (attempts == null) {
            attempts = new ArrayList<>(2);
        }
        attempts.add(attempt);
        if (!attempt.successful()) {
            lastError = attempt.errorCode() + ": " + attempt.errorMessage();
        }
    }

    void succeeded(SendResult result) {
        this.result = result;
    }

    void failed(ProducerException error) {
        this.error = error;
    }

    /** The failure this record completed with, or null. */
    ProducerException error() {
        return error;
    }

    /** Completes the user's future with the outcome set before. */
    void complete() {
        if (error != null) {
            future.completeExceptionally(error);
        } else {
            future.complete(result);
        }
    }

    boolean hasAttempts() {
        return attempts != null;
    }

    List<Attempt> attempts() {
        return attempts == null ? List.of() : attempts;
    }
}
