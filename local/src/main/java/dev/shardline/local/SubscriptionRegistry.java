package dev.shardline.local;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The live subscriptions, one slot per consumer and shard, with the service's takeover rule: a SubscribeToShard
 * within the takeover window (5 s) of the last successful one for the same consumer and shard is refused with
 * ResourceInUseException; after it, the new subscription takes over and the old one ends with that exception.
 */
final class SubscriptionRegistry {
    /** Stats of this many ended subscriptions are kept, for tests and diagnostics. */
    private static final int ENDED_KEPT = 256;

    private final StreamStore store;
    private final FanOutConfig config;
    private final Map<String, Slot> slots = new HashMap<>();
    private final Deque<SubscriptionStats> ended = new ArrayDeque<>();

    private static final class Slot {
        Subscription current;
        long lastSuccessMillis;
    }

    SubscriptionRegistry(StreamStore store, FanOutConfig config) {
        this.store = store;
        this.config = config;
    }

    /**
     * Admits a new subscription for the consumer and shard, or refuses it inside the takeover window.
     *
     * @throws KinesisException ResourceInUseException inside the takeover window
     */
    Subscription admit(StreamConsumer consumer, LocalShard shard, Supplier<Subscription> factory) {
        String key = consumer.arn() + '|' + shard.shardId();
        long now = store.nowMillis();
        Subscription previous;
        Subscription next;
        synchronized (this) {
            Slot slot = slots.computeIfAbsent(key, k -> new Slot());
            if (slot.lastSuccessMillis != 0 && now - slot.lastSuccessMillis < config.takeoverWindow().toMillis()) {
                throw KinesisException.inUse("Another active subscription exists for consumer " + consumer.arn()
                        + " and shard " + shard.shardId() + " (a new one may take over "
                        + config.takeoverWindow().toMillis() + " ms after the last successful SubscribeToShard).");
            }
            next = factory.get();
            previous = slot.current;
            slot.current = next;
            slot.lastSuccessMillis = now;
        }
        if (previous != null && previous.isActive()) {
            previous.endFromAnyThread("ResourceInUseException", "Subscription to shard " + shard.shardId()
                    + " by consumer " + consumer.arn() + " was taken over by a newer SubscribeToShard call.", false);
        }
        return next;
    }

    /** Called by a subscription once it has ended. */
    synchronized void ended(Subscription subscription) {
        Slot slot = slots.get(subscription.consumer().arn() + '|' + subscription.shard().shardId());
        if (slot != null && slot.current == subscription) {
            slot.current = null;
        }
        ended.addLast(subscription.stats());
        if (ended.size() > ENDED_KEPT) {
            ended.removeFirst();
        }
    }

    /** Ends the subscriptions of a consumer (deregistered) or of every consumer of a stream (deleted). */
    void endWhere(java.util.function.Predicate<Subscription> which, String exceptionType, String message) {
        for (Subscription s : live()) {
            if (which.test(s)) {
                s.endFromAnyThread(exceptionType, message, false);
            }
        }
    }

    /** Ends every live subscription, normally or by dropping their connections; returns how many there were. */
    int endAll(boolean drop) {
        List<Subscription> live = live();
        for (Subscription s : live) {
            s.endFromAnyThread(null, null, drop);
        }
        return live.size();
    }

    synchronized List<Subscription> live() {
        List<Subscription> out = new ArrayList<>();
        for (Slot slot : slots.values()) {
            if (slot.current != null && slot.current.isActive()) {
                out.add(slot.current);
            }
        }
        return out;
    }

    /** Live subscriptions first, then the most recently ended ones. */
    synchronized List<SubscriptionStats> stats() {
        List<SubscriptionStats> out = new ArrayList<>();
        for (Subscription s : live()) {
            out.add(s.stats());
        }
        List<SubscriptionStats> old = new ArrayList<>(ended);
        for (int i = old.size() - 1; i >= 0; i--) {
            out.add(old.get(i));
        }
        return out;
    }
}
