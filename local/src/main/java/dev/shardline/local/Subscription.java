package dev.shardline.local;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SubscribeToShard call: pushes a shard's records to one consumer as event-stream messages.
 *
 * <p>Everything after {@link #start} runs on the response stream's event loop, so the state needs no locks. New
 * records wake it through {@link ShardListener} (no polling); it sends at most one event at a time while the
 * transport is {@linkplain ResponseSink#isWritable() writable}, so a slow subscriber holds the server to its
 * HTTP/2 window plus one event of queued bytes. An idle shard gets an empty event at once, then one every
 * keep-alive interval. The subscription ends when its lifetime is over, when the closed shard's end is sent (the
 * remaining records, then the children with no continuation), when another subscription takes over, or when the
 * consumer or stream goes away.
 */
final class Subscription implements ShardListener {
    private static final Logger log = LoggerFactory.getLogger(Subscription.class);
    /** As GetRecords: at most 10,000 records per event. */
    static final int MAX_RECORDS_PER_EVENT = 10_000;

    private final StreamStore store;
    private final FanOutConfig config;
    private final FanOutFaults faults;
    private final SubscriptionRegistry registry;
    private final StreamConsumerRegistry consumers;
    private final StreamConsumer consumer;
    private final LocalShard shard;
    private final FanOutFaults.Planned plannedFault;
    private final boolean limited;
    private final AtomicBoolean wakePending = new AtomicBoolean();

    // Set once by start() (or an end requested before it), under this object's lock.
    private EventExecutor loop;
    private ResponseSink sink;
    private Runnable endBeforeStart;

    // Confined to the event loop after start().
    private long position;
    private boolean ended;
    private boolean awaitingWritable;
    private boolean pumpScheduled;
    private boolean eventDelayed;
    private long lastEventNanos;
    private long eventsQueued;
    private double tokens;
    private long tokensAtNanos;
    private ScheduledFuture<?> keepAliveTimer;
    private ScheduledFuture<?> lifetimeTimer;
    private ScheduledFuture<?> faultTimer;
    private ScheduledFuture<?> pumpTimer;
    private ScheduledFuture<?> delayTimer;
    private ByteBuf pendingDelayed;

    // Written on the event loop, read by stats() from any thread.
    private volatile boolean active = true;
    private volatile long eventsSent;
    private volatile long recordsSent;
    private volatile long bytesSent;
    private volatile long maxBytesQueued;
    private volatile long maxEventBytes;

    Subscription(StreamStore store, FanOutConfig config, FanOutFaults faults, SubscriptionRegistry registry,
            StreamConsumerRegistry consumers, StreamConsumer consumer, LocalShard shard, long startPosition,
            FanOutFaults.Planned plannedFault) {
        this.store = store;
        this.config = config;
        this.faults = faults;
        this.registry = registry;
        this.consumers = consumers;
        this.consumer = consumer;
        this.shard = shard;
        this.position = startPosition;
        this.plannedFault = plannedFault;
        this.limited = store.limitsEnabled();
        this.tokens = config.readBytesPerSecond();
    }

    StreamConsumer consumer() {
        return consumer;
    }

    LocalShard shard() {
        return shard;
    }

    /** Begins streaming: the initial response, then events. Called once, on the sink's event loop. */
    void start(ResponseSink responseSink) {
        Runnable pendingEnd;
        synchronized (this) {
            this.sink = responseSink;
            this.loop = responseSink.executor();
            pendingEnd = endBeforeStart;
        }
        sink.onClosed(() -> loop.execute(this::finish));
        write(SubscriptionEvents.initialResponse(sink.alloc()), 0);
        if (pendingEnd != null) {
            pendingEnd.run();
            return;
        }
        tokensAtNanos = System.nanoTime();
        long keepAliveNanos = config.keepAliveInterval().toNanos();
        lastEventNanos = System.nanoTime();
        keepAliveTimer = loop.schedule(this::keepAlive, keepAliveNanos, TimeUnit.NANOSECONDS);
        lifetimeTimer = loop.schedule(() -> end(null, null, false), config.subscriptionLifetime().toNanos(),
                TimeUnit.NANOSECONDS);
        if (plannedFault != null) {
            faultTimer = loop.schedule(() -> end(null, null, plannedFault.drop()), plannedFault.after().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        shard.addListener(this);
        long queuedBefore = eventsQueued;
        pump();
        if (!ended && eventsQueued == queuedBefore && !awaitingWritable && !pumpScheduled) {
            // The service answers an idle shard with an event at once rather than after the first keep-alive.
            send(SubscriptionEvents.event(sink.alloc(), List.of(), continuation(), 0, null), 0, false);
        }
    }

    @Override
    public void recordsAppended(LocalShard s, long nextPosition) {
        wake();
    }

    @Override
    public void shardClosed(LocalShard s) {
        wake();
    }

    /** Coalesces wake-ups from producer threads into one task on the event loop. */
    private void wake() {
        if (wakePending.compareAndSet(false, true)) {
            loop.execute(() -> {
                // Cleared before reading, so an append after the read schedules another wake-up.
                wakePending.set(false);
                pump();
            });
        }
    }

    /** Sends the next event if there is one and the subscriber can take it. */
    private void pump() {
        if (ended || awaitingWritable || pumpScheduled || eventDelayed) {
            return;
        }
        if (!sink.isWritable()) {
            awaitingWritable = true;
            sink.onWritable(() -> {
                awaitingWritable = false;
                pump();
            });
            return;
        }
        long now = System.nanoTime();
        if (limited && !refill(now)) {
            long waitNanos = (long) (-tokens * 1e9 / config.readBytesPerSecond()) + 1_000_000;
            pumpScheduled = true;
            pumpTimer = loop.schedule(() -> {
                pumpScheduled = false;
                pump();
            }, waitNanos, TimeUnit.NANOSECONDS);
            return;
        }
        // Read the closed flag before the records: a shard closed before an empty read has truly ended.
        boolean closed = shard.isClosed();
        LocalShard.Batch batch = shard.read(position, MAX_RECORDS_PER_EVENT, config.maxEventBytes());
        if (!batch.records.isEmpty()) {
            position = batch.nextPosition;
            String continuation = batch.records.get(batch.records.size() - 1).sequenceNumber;
            long behind = 0;
            if (!batch.atTip()) {
                long arrival = shard.arrivalAt(batch.nextPosition);
                behind = arrival < 0 ? 0 : Math.max(0, store.nowMillis() - arrival);
            }
            if (limited) {
                tokens -= batch.bytes;
            }
            send(SubscriptionEvents.event(sink.alloc(), batch.records, continuation, behind, null),
                    batch.records.size(), false);
            // A closed shard wakes nobody again: read on until its end is sent (records, then the children).
            if (!batch.atTip() || closed) {
                loop.execute(this::pump);
            }
        } else if (closed && position >= shard.nextPosition()) {
            List<SubscriptionEvents.Child> children = new ArrayList<>();
            for (LocalShard child : ShardJson.children(shard)) {
                List<String> parents = new ArrayList<>(2);
                if (child.parentShardId() != null) {
                    parents.add(child.parentShardId());
                }
                if (child.adjacentParentShardId() != null) {
                    parents.add(child.adjacentParentShardId());
                }
                children.add(new SubscriptionEvents.Child(child.shardId(), parents,
                        child.startingHashKey().toString(), child.endingHashKey().toString()));
            }
            // The end of a closed shard: its children and no continuation, then the stream completes.
            send(SubscriptionEvents.event(sink.alloc(), List.of(), null, 0, children), 0, true);
        }
    }

    /** Tops up the rate-limit bucket (one second's worth at most); false while it is in debt. */
    private boolean refill(long now) {
        double rate = config.readBytesPerSecond();
        tokens = Math.min(rate, tokens + (now - tokensAtNanos) * rate / 1e9);
        tokensAtNanos = now;
        return tokens > 0;
    }

    /**
     * Runs every keep-alive interval: ends the subscription if its stream or consumer is gone, else sends an empty
     * event with the current continuation when nothing was sent for an interval.
     */
    private void keepAlive() {
        if (ended) {
            return;
        }
        LocalStream stream = shard.stream();
        if (stream.status() == StreamStatus.DELETING || store.find(stream.name()) != stream) {
            end("ResourceNotFoundException", "Stream " + stream.name() + " under account " + store.account()
                    + " not found.", false);
            return;
        }
        if (consumers.status(consumer) != StreamConsumer.Status.ACTIVE) {
            end("ResourceNotFoundException", "Consumer " + consumer.arn() + " not found.", false);
            return;
        }
        long interval = config.keepAliveInterval().toNanos();
        long next = interval - (System.nanoTime() - lastEventNanos);
        if (next <= 0) {
            // Not writable means the subscriber is behind, not idle: it has events to read.
            if (!eventDelayed && sink.isWritable()) {
                send(SubscriptionEvents.event(sink.alloc(), List.of(), continuation(), 0, null), 0, false);
            }
            next = interval;
        }
        keepAliveTimer = loop.schedule(this::keepAlive, next, TimeUnit.NANOSECONDS);
    }

    /** The sequence number to resume after: the last one sent, or the one just before the start position. */
    private String continuation() {
        return shard.sequenceBefore(position);
    }

    /**
     * Sends an event, after the injected delay if any (events stay in order: one is delayed at a time); ends the
     * stream normally after it when it is the {@code last}.
     */
    private void send(ByteBuf event, int records, boolean last) {
        eventsQueued++;
        long delay = faults.delayNanos();
        if (delay <= 0) {
            write(event, records);
            if (last) {
                end(null, null, false);
            }
            return;
        }
        eventDelayed = true;
        pendingDelayed = event;
        delayTimer = loop.schedule(() -> {
            eventDelayed = false;
            pendingDelayed = null;
            if (ended) {
                event.release();
                return;
            }
            write(event, records);
            if (last) {
                end(null, null, false);
            } else {
                pump();
            }
        }, delay, TimeUnit.NANOSECONDS);
    }

    private void write(ByteBuf event, int records) {
        int size = event.readableBytes();
        lastEventNanos = System.nanoTime();
        sink.write(event);
        eventsSent++;
        recordsSent += records;
        bytesSent += size;
        if (size > maxEventBytes) {
            maxEventBytes = size;
        }
        long queued = sink.bytesQueued();
        if (queued > maxBytesQueued) {
            maxBytesQueued = queued;
        }
    }

    /**
     * Ends the subscription from any thread: with an exception event of {@code exceptionType} (if not null), then
     * the end of the stream; or by dropping its connection ({@code drop}).
     */
    void endFromAnyThread(String exceptionType, String message, boolean drop) {
        EventExecutor l;
        synchronized (this) {
            if (loop == null) {
                endBeforeStart = () -> end(exceptionType, message, drop);
                return;
            }
            l = loop;
        }
        l.execute(() -> end(exceptionType, message, drop));
    }

    private void end(String exceptionType, String message, boolean drop) {
        if (ended) {
            return;
        }
        ended = true;
        if (drop) {
            sink.dropConnection();
        } else {
            if (exceptionType != null) {
                log.debug("Subscription {} {} ends with {}: {}", consumer.arn(), shard.shardId(), exceptionType,
                        message);
                write(SubscriptionEvents.exception(sink.alloc(), exceptionType, message), 0);
            }
            sink.close();
        }
        finish();
    }

    /** Releases everything; runs once the stream has ended for any reason. */
    private void finish() {
        ended = true;
        if (!active) {
            return;
        }
        active = false;
        shard.removeListener(this);
        cancel(keepAliveTimer);
        cancel(lifetimeTimer);
        cancel(faultTimer);
        cancel(pumpTimer);
        if (delayTimer != null && delayTimer.cancel(false) && pendingDelayed != null) {
            // The delayed event was never written; nobody else will release it.
            pendingDelayed.release();
            pendingDelayed = null;
        }
        registry.ended(this);
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    boolean isActive() {
        return active;
    }

    SubscriptionStats stats() {
        ResponseSink s = sink;
        return new SubscriptionStats(consumer.arn(), shard.shardId(), active, eventsSent, recordsSent, bytesSent,
                s == null ? 0 : s.bytesQueued(), maxBytesQueued, maxEventBytes);
    }
}
