package dev.shardline.checkpoint;

/**
 * This worker no longer holds the lease: another worker took it, it was released or evicted, or its counter moved
 * on since this worker acquired it (the lease was lost and regained, so the old holder's view is stale). Nothing
 * was written. The processor of that shard must stop; the new owner resumes from the last checkpoint.
 */
public class LeaseLostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String leaseKey;

    /** A lost lease with a reason. */
    public LeaseLostException(String leaseKey, String message) {
        super("lease " + leaseKey + " lost: " + message);
        this.leaseKey = leaseKey;
    }

    /** The lease (shard id) that was lost. */
    public String leaseKey() {
        return leaseKey;
    }
}
