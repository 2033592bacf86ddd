package dev.shardline.local;

import java.util.List;

/**
 * The enhanced fan-out side of a running {@link LocalKinesis}: its settings, fault injection for subscriptions,
 * and a view of the subscriptions served (with the bytes each has queued on the server).
 */
public final class FanOut {
    private final FanOutOperations operations;

    FanOut(FanOutOperations operations) {
        this.operations = operations;
    }

    /** The settings this endpoint serves fan-out with. */
    public FanOutConfig config() {
        return operations.config();
    }

    /** Fault injection for SubscribeToShard subscriptions. */
    public FanOutFaults faults() {
        return operations.faults();
    }

    /** Live subscriptions first, then recently ended ones (the last 256), newest first. */
    public List<SubscriptionStats> subscriptions() {
        return operations.subscriptions().stats();
    }

    /** How many subscriptions are live now. */
    public int activeSubscriptions() {
        return operations.subscriptions().live().size();
    }
}
