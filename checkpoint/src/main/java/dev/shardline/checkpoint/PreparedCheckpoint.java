package dev.shardline.checkpoint;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A checkpoint written as pending ({@code pendingCheckpoint}, {@code pendingCheckpointSubSequenceNumber},
 * {@code pendingCheckpointState}) but not yet committed. A pending checkpoint survives a lease takeover: the next
 * owner sees it in {@link Lease#pendingCheckpoint()} and decides what to do with it.
 */
public interface PreparedCheckpoint {

    /** The prepared position. */
    ExtendedSequenceNumber pendingCheckpoint();

    /** The application state stored with it (a copy), if any. */
    Optional<byte[]> applicationState();

    /**
     * Commits the pending checkpoint: {@code checkpoint} becomes the pending position and the pending attributes are
     * removed. Fails with {@link LeaseLostException} when the lease is no longer held, and throws
     * {@link IllegalArgumentException} when a later checkpoint was written in the meantime.
     */
    CompletableFuture<Void> checkpoint();
}
