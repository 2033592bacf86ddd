package dev.shardline.consumer;

import dev.shardline.aggregation.UserRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * What test processors saw, shared across workers: every user record processed (in processing order per key), every
 * initialize with its time, and lifecycle events. Processors checkpoint after every batch.
 */
final class Recorder {
    record Seen(String worker, String shardId, String partitionKey, String data, String sequenceNumber,
                long subSequenceNumber, long atNanos, String stream) {
    }

    record Event(String worker, String shardId, String kind, long atNanos) {
    }

    final List<Seen> seen = new CopyOnWriteArrayList<>();
    final List<Event> events = new CopyOnWriteArrayList<>();
    final Map<String, List<String>> byKey = new ConcurrentHashMap<>();
    final AtomicInteger failuresToInject = new AtomicInteger();
    final List<String> leaseLostReasons = new CopyOnWriteArrayList<>();
    /** When set, processors log a failed checkpoint and go on (as many real processors do) instead of rethrowing. */
    volatile boolean swallowCheckpointErrors;

    Supplier<RecordProcessor> factory(String worker) {
        return () -> new Processor(worker);
    }

    long count() {
        return seen.size();
    }

    /** Records seen, each data value counted once (redeliveries excluded). */
    long distinctData() {
        return seen.stream().map(Seen::data).distinct().count();
    }

    /**
     * Exclusivity: every record processed by a worker after another worker initialized the same shard (since this
     * worker's own latest initialize of it). Empty when no shard was ever processed by two workers at once.
     */
    List<Seen> overlapping() {
        List<Seen> out = new ArrayList<>();
        List<Event> inits = events("initialize");
        for (Seen s : seen) {
            Event latest = null;
            for (Event e : inits) {
                if (e.shardId().equals(s.shardId()) && e.atNanos() <= s.atNanos()
                        && (latest == null || e.atNanos() > latest.atNanos())) {
                    latest = e;
                }
            }
            if (latest != null && !latest.worker().equals(s.worker())) {
                out.add(s);
            }
        }
        return out;
    }

    List<Event> events(String kind) {
        List<Event> out = new ArrayList<>();
        for (Event e : events) {
            if (e.kind().equals(kind)) {
                out.add(e);
            }
        }
        return out;
    }

    final class Processor implements RecordProcessor {
        private final String worker;
        private String shardId;
        private String stream;

        Processor(String worker) {
            this.worker = worker;
        }

        @Override
        public void initialize(InitializationInput input) {
            shardId = input.shardId();
            stream = input.streamName();
            events.add(new Event(worker, shardId, "initialize", System.nanoTime()));
        }

        @Override
        public void processRecords(ProcessRecordsInput input) {
            if (failuresToInject.get() > 0 && failuresToInject.getAndDecrement() > 0) {
                events.add(new Event(worker, shardId, "failure", System.nanoTime()));
                throw new IllegalStateException("injected failure");
            }
            long now = System.nanoTime();
            for (UserRecord r : input.records()) {
                seen.add(new Seen(worker, shardId, r.partitionKey(), r.dataAsUtf8(), r.sequenceNumber(),
                        r.subSequenceNumber(), now, stream));
                byKey.computeIfAbsent(r.partitionKey(), k -> new CopyOnWriteArrayList<>()).add(r.dataAsUtf8());
            }
            try {
                input.checkpointer().checkpoint().join();
            } catch (RuntimeException e) {
                if (!swallowCheckpointErrors) {
                    throw e;
                }
                events.add(new Event(worker, shardId, "checkpointFailed", System.nanoTime()));
            }
        }

        @Override
        public void leaseLost(LeaseLostInput input) {
            events.add(new Event(worker, shardId, "leaseLost", System.nanoTime()));
            leaseLostReasons.add(input.reason());
        }

        @Override
        public void shardEnded(ShardEndedInput input) {
            input.checkpointer().checkpoint().join();
            events.add(new Event(worker, shardId, "shardEnded", System.nanoTime()));
        }

        @Override
        public void shutdownRequested(ShutdownRequestedInput input) {
            input.checkpointer().checkpoint().join();
            events.add(new Event(worker, shardId, "shutdownRequested", System.nanoTime()));
        }
    }
}
