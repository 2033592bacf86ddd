package dev.shardline.consumer;

import io.github.resilience4j.core.IntervalFunction;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.StartingPosition;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEvent;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardEventStream;
import software.amazon.awssdk.services.kinesis.model.SubscribeToShardResponseHandler;

/**
 * Enhanced fan-out for one shard: SubscribeToShard with a demand of one event at a time, requested again only while the
 * prefetch queue has room (so a slow processor throttles the server through HTTP/2 flow control, not our memory).
 * Each event's records are queued before its ContinuationSequenceNumber is remembered; when a subscription ends (the
 * ~5-minute limit, an error, a dropped connection) the next one starts AFTER_SEQUENCE_NUMBER that continuation, so
 * nothing queued is lost or read twice. A null continuation is the end of a closed shard: its ChildShards go with the
 * last batch.
 */
final class FanOutSource implements RecordSource {
    private static final Logger log = LoggerFactory.getLogger(FanOutSource.class);

    private final KinesisAsyncClient kinesis;
    private final String consumerArn;
    private final String shardId;
    private final ScheduledExecutorService scheduler;
    private final PrefetchQueue queue;
    private final IntervalFunction backoff = IntervalFunction.ofExponentialRandomBackoff(200, 2.0, 0.3, 5_000);
    private final AtomicBoolean paused = new AtomicBoolean();

    private volatile boolean closed;
    private volatile long lastAnswer = System.nanoTime();
    private volatile Subscription current;
    private volatile StartPosition start;
    private volatile String continuation;
    private int failures;
    private int generation;

    FanOutSource(KinesisAsyncClient kinesis, String consumerArn, String shardId, ConsumerConfig config,
                 ScheduledExecutorService scheduler) {
        this.kinesis = kinesis;
        this.consumerArn = consumerArn;
        this.shardId = shardId;
        this.scheduler = scheduler;
        this.queue = new PrefetchQueue(config.prefetchRecords(), config.prefetchBytes(), this::resume);
    }

    @Override
    public void start(StartPosition from) {
        this.start = from;
        subscribe();
    }

    @Override
    public Batch poll(long timeout, TimeUnit unit) throws InterruptedException {
        return queue.poll(timeout, unit);
    }

    @Override
    public void onData(Runnable listener) {
        queue.onData(listener);
    }

    @Override
    public boolean hasData() {
        return !queue.isEmpty();
    }

    @Override
    public long lastAnswerNanos() {
        return lastAnswer;
    }

    @Override
    public void close() {
        closed = true;
        Subscription s = current;
        if (s != null) {
            s.cancel();
        }
        queue.clear();
    }

    private void resume() {
        Subscription s = current;
        if (!closed && s != null && paused.compareAndSet(true, false)) {
            s.request(1);
        }
    }

    private synchronized void subscribe() {
        if (closed) {
            return;
        }
        int gen = ++generation;
        StartPosition from = continuation != null ? StartPosition.after(continuation) : start;
        StartingPosition.Builder pos = StartingPosition.builder().type(from.type().toString());
        if (from.sequenceNumber() != null) {
            pos.sequenceNumber(from.sequenceNumber());
        }
        if (from.timestamp() != null) {
            pos.timestamp(from.timestamp());
        }
        SubscribeToShardResponseHandler handler = SubscribeToShardResponseHandler.builder()
                .onEventStream(publisher -> publisher.subscribe(new EventSubscriber(gen)))
                .onError(t -> log.debug("shard {}: subscription error: {}", shardId, t.toString()))
                .build();
        kinesis.subscribeToShard(b -> b.consumerARN(consumerArn).shardId(shardId).startingPosition(pos.build()),
                handler).whenComplete((v, err) -> ended(gen, err));
    }

    private synchronized void ended(int gen, Throwable err) {
        if (gen != generation || closed) {
            return;
        }
        current = null;
        if (err == null) {
            failures = 0;
            log.debug("shard {}: subscription ended, resubscribing after {}", shardId, continuation);
            scheduler.execute(this::subscribe);
            return;
        }
        Throwable t = KinesisRecords.unwrap(err);
        failures++;
        long delay = t instanceof ResourceInUseException ? 1_000 : backoff.apply(failures);
        if (failures > 1) {
            log.warn("shard {}: subscription failed ({}), resubscribing in {} ms", shardId, t.toString(), delay);
        } else {
            log.debug("shard {}: subscription failed ({}), resubscribing in {} ms", shardId, t.toString(), delay);
        }
        scheduler.schedule(this::subscribe, delay, TimeUnit.MILLISECONDS);
    }

    private final class EventSubscriber implements Subscriber<SubscribeToShardEventStream> {
        private final int gen;
        private Subscription subscription;

        EventSubscriber(int gen) {
            this.gen = gen;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            lastAnswer = System.nanoTime();
            if (closed || gen != generation) {
                s.cancel();
                return;
            }
            current = s;
            paused.set(false);
            s.request(1);
        }

        @Override
        public void onNext(SubscribeToShardEventStream item) {
            if (closed || gen != generation) {
                return;
            }
            lastAnswer = System.nanoTime();
            if (item instanceof SubscribeToShardEvent e) {
                failures = 0;
                boolean end = e.continuationSequenceNumber() == null;
                if (!e.records().isEmpty() || end) {
                    queue.put(new Batch(KinesisRecords.fromSdk(e.records()),
                            e.millisBehindLatest() == null ? 0 : e.millisBehindLatest(), end,
                            e.hasChildShards() ? e.childShards() : List.of(), KinesisRecords.bytes(e.records())));
                }
                if (end) {
                    closed = true;
                    subscription.cancel();
                    return;
                }
                continuation = e.continuationSequenceNumber();
            }
            if (queue.hasRoom()) {
                subscription.request(1);
            } else {
                paused.set(true);
                if (queue.hasRoom() && paused.compareAndSet(true, false)) {
                    subscription.request(1);
                }
            }
        }

        @Override
        public void onError(Throwable t) {
            // The response future reports it too; resubscription happens there.
        }

        @Override
        public void onComplete() {
        }
    }
}
