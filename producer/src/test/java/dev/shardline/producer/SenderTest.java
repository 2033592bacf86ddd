package dev.shardline.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.aggregation.Deaggregator;
import dev.shardline.aggregation.HashKeyRange;
import dev.shardline.aggregation.HashKeys;
import dev.shardline.aggregation.UserRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequest;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;

/** The sender with the accumulator, a fake clock and a scripted PutRecords function; no thread, no network. */
@Timeout(20)
class SenderTest {
    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    /** A clock the test moves. */
    static final class FakeTime implements Time {
        long nanos = 1_000_000 * MS;

        @Override
        public long nanoTime() {
            return nanos;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(nanos / MS);
        }
    }

    final FakeTime time = new FakeTime();
    final RecordAccumulatorTest.FakeTables tables = new RecordAccumulatorTest.FakeTables();
    final BufferLimiter buffer = new BufferLimiter(64L << 20);
    final ArrayDeque<Runnable> callbacks = new ArrayDeque<>();
    final List<PendingRecord> failedForGood = new ArrayList<>();
    final List<PutRecordsRequest> requests = new ArrayList<>();
    final ArrayDeque<CompletableFuture<PutRecordsResponse>> pending = new ArrayDeque<>();

    Sender sender(RecordAccumulator acc, java.util.function.Function<PutRecordsRequest, CompletableFuture<PutRecordsResponse>> put) {
        return new Sender(acc, put, Duration.ofSeconds(3), callbacks::add, failedForGood::add, time);
    }

    RecordAccumulator accumulator(ProducerConfig config) {
        return new RecordAccumulator(config, tables, new ProducerMetrics(new SimpleMeterRegistry()), buffer);
    }

    PendingRecord record(String stream, String key, String data) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        int size = bytes.length + key.length();
        assertThat(buffer.tryAcquire(size)).isTrue();
        long now = time.nanoTime();
        return new PendingRecord(stream, key, null, bytes, HashKeys.hashKey(key), now, now + 30_000 * MS, size);
    }

    void runCallbacks() {
        Runnable r;
        while ((r = callbacks.poll()) != null) {
            r.run();
        }
    }

    /** The one-shard table of {@code stream}. */
    static ShardTable oneShard(long at) {
        return new ShardTable(List.of(new ShardTable.Shard("shard-0", HashKeyRange.ALL)), at);
    }

    @Test
    void sendsByNameOrArnWithTheTimeoutAndCompletesFuturesOnTheCallbackExecutor() {
        String arn = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";
        tables.current.put("orders", oneShard(time.nanos));
        tables.current.put(arn, oneShard(time.nanos));
        RecordAccumulator acc = accumulator(RecordAccumulatorTest.config().maxBufferedTime(Duration.ZERO).build());
        Sender sender = sender(acc, request -> {
            requests.add(request);
            CompletableFuture<PutRecordsResponse> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        });
        PendingRecord byName = record("orders", "k", "by name");
        PendingRecord byArn = record(arn, "k", "by arn");
        acc.append(byName, time.nanos);
        acc.append(byArn, time.nanos);
        assertThat(sender.runOnce()).isZero();
        assertThat(requests).hasSize(2);
        PutRecordsRequest named = requests.stream().filter(r -> r.streamName() != null).findFirst().orElseThrow();
        PutRecordsRequest arned = requests.stream().filter(r -> r.streamARN() != null).findFirst().orElseThrow();
        assertThat(named.streamName()).isEqualTo("orders");
        assertThat(arned.streamARN()).isEqualTo(arn);
        assertThat(arned.streamName()).isNull();
        assertThat(named.overrideConfiguration().orElseThrow().apiCallTimeout()).contains(Duration.ofSeconds(3));
        PutRecordsRequestEntry entry = named.records().get(0);
        assertThat(entry.partitionKey()).isEqualTo("k");
        assertThat(entry.data().asUtf8String()).isEqualTo("by name");

        // answers arrive on "SDK threads" (here: the test), are taken by the next pass, futures complete on callbacks
        time.nanos += 5 * MS;
        pending.forEach(f -> f.complete(PutRecordsResponse.builder().records(PutRecordsResultEntry.builder()
                .shardId("shard-0").sequenceNumber("42").build()).build()));
        assertThat(byName.future).isNotDone();
        sender.runOnce();
        assertThat(byName.future).isNotDone();
        runCallbacks();
        assertThat(byName.future.join().sequenceNumber()).isEqualTo("42");
        assertThat(byName.future.join().attempts().get(0).duration()).isEqualTo(Duration.ofMillis(5));
        assertThat(byArn.future).isCompleted();
        assertThat(failedForGood).isEmpty();
    }

    @Test
    void aCallThatThrowsIsRetriedAndFinalFailuresReachTheDeadLetterHook() {
        tables.current.put("orders", oneShard(time.nanos));
        RecordAccumulator acc = accumulator(RecordAccumulatorTest.config().maxBufferedTime(Duration.ZERO).build());
        int[] calls = {0};
        Sender sender = sender(acc, request -> {
            calls[0]++;
            if (calls[0] == 1) {
                throw SdkClientException.create("connection reset");
            }
            return CompletableFuture.completedFuture(PutRecordsResponse.builder().records(PutRecordsResultEntry.builder()
                    .errorCode("ValidationException").errorMessage("bad").build()).build());
        });
        PendingRecord r = record("orders", "k", "x");
        acc.append(r, time.nanos);
        sender.runOnce();
        time.nanos += 1_000 * MS;
        sender.runOnce(); // takes the failure, sends again after the backoff
        time.nanos += 1_000 * MS;
        sender.runOnce();
        sender.runOnce();
        runCallbacks();
        assertThat(calls[0]).isEqualTo(2);
        assertThat(r.future).isCompletedExceptionally();
        assertThat(r.error()).isInstanceOf(RecordFailedException.class);
        assertThat(r.error().attempts()).extracting(Attempt::errorCode)
                .containsExactly("SdkClientException", "ValidationException");
        assertThat(failedForGood).containsExactly(r);
    }

    @Test
    void stopFailsWhatIsInFlightAndLateAnswersAreIgnored() throws Exception {
        tables.current.put("orders", oneShard(time.nanos));
        RecordAccumulator acc = accumulator(RecordAccumulatorTest.config().maxBufferedTime(Duration.ZERO).build());
        Sender sender = sender(acc, request -> {
            CompletableFuture<PutRecordsResponse> f = new CompletableFuture<>();
            pending.add(f);
            return f;
        });
        PendingRecord r = record("orders", "k", "x");
        acc.append(r, time.nanos);
        sender.runOnce();
        sender.stop(Duration.ofMillis(1));
        pending.forEach(f -> f.complete(PutRecordsResponse.builder().records(PutRecordsResultEntry.builder()
                .shardId("shard-0").sequenceNumber("1").build()).build()));
        sender.runOnce();
        runCallbacks();
        assertThat(r.error()).isInstanceOf(ProducerClosedException.class);
        assertThat(r.future).isCompletedExceptionally();
        assertThat(failedForGood).isEmpty();

        // a send racing close(): accepted after the loop stopped, failed at once, and its future completed
        PendingRecord late = record("orders", "k", "late");
        if (acc.append(late, time.nanos)) {
            sender.wake();
        }
        runCallbacks();
        assertThat(late.error()).isInstanceOf(ProducerClosedException.class);
        assertThat(late.future).isCompletedExceptionally();
    }

    /**
     * A simulated stream (stores by the real hash, throttles 15% of entries, fails 5% with InternalFailure, fails 3%
     * of calls outright, and splits its shards twice while records flow): under strict ordering every future
     * completes, every record is stored, and each key's records are stored in the order sent.
     */
    @Test
    void strictOrderingHoldsPerKeyAcrossSplitsUnderFaults() {
        SimulatedStream sim = new SimulatedStream(new Random(7));
        String stream = "sim";
        tables.current.put(stream, sim.table(time.nanos));
        RecordAccumulator acc = accumulator(RecordAccumulatorTest.config().strictOrdering(true)
                .aggregationMaxCount(4).maxBufferedTime(Duration.ofMillis(20)).retryInitialBackoff(Duration.ofMillis(10))
                .retryMaxBackoff(Duration.ofMillis(50)).build());
        Sender sender = sender(acc, request -> sim.put(request, time.nanos));
        int keys = 20;
        int perKey = 60;
        List<PendingRecord> sent = new ArrayList<>();
        long refreshAt = Long.MAX_VALUE;
        int refreshesSeen = 0;
        for (int round = 0; round < perKey || acc.outstandingRecords() > 0; round++) {
            assertThat(round).as("rounds").isLessThan(50_000);
            if (round < perKey) {
                for (int k = 0; k < keys; k++) {
                    PendingRecord r = record(stream, "key-" + k, "key-" + k + ":" + round);
                    sent.add(r);
                    acc.append(r, time.nanos);
                }
            }
            if (round == perKey / 3 || round == 2 * perKey / 3) {
                sim.split();
            }
            // a reload requested by the accumulator lands a few milliseconds later
            if (tables.refreshes > refreshesSeen && refreshAt == Long.MAX_VALUE) {
                refreshesSeen = tables.refreshes;
                refreshAt = time.nanos + 3 * MS;
            }
            if (time.nanos >= refreshAt) {
                tables.current.put(stream, sim.table(time.nanos));
                refreshAt = Long.MAX_VALUE;
            }
            sim.answerDue(time.nanos);
            sender.runOnce();
            runCallbacks();
            time.nanos += 2 * MS;
        }
        assertThat(sim.splits).isEqualTo(2);
        assertThat(sim.mispredicted).as("aggregates that landed on another shard").isGreaterThan(0);
        for (PendingRecord r : sent) {
            assertThat(r.future).isCompleted();
        }
        Map<String, List<Integer>> order = sim.readByKey();
        assertThat(order).hasSize(keys);
        order.forEach((key, seqs) -> {
            Set<Integer> seen = new HashSet<>();
            int max = -1;
            for (int s : seqs) {
                boolean duplicate = !seen.add(s);
                assertThat(duplicate || s > max).as("%s: %d stored after %d (%s)", key, s, max, seqs).isTrue();
                max = Math.max(max, s);
            }
            assertThat(seen).as(key).hasSize(perKey);
        });
    }

    /**
     * A stream that stores each entry on the shard its hash key falls in (not where the producer predicted), keeps
     * per shard what a consumer following KCL's rule would read (user records outside the shard's range dropped), and
     * splits its widest open shard on demand.
     */
    static final class SimulatedStream {
        final Random random;
        final Map<String, HashKeyRange> open = new HashMap<>();
        final List<String> arrivals = new ArrayList<>();
        /** Calls answered later (1 to 10 ms), as a network would: answers overtake nothing, batches overlap. */
        final List<Map.Entry<Long, Runnable>> inFlight = new ArrayList<>();
        int nextShard = 1;
        int splits;
        int mispredicted;

        SimulatedStream(Random random) {
            this.random = random;
            open.put("shard-0", HashKeyRange.ALL);
        }

        ShardTable table(long at) {
            List<ShardTable.Shard> shards = new ArrayList<>();
            open.forEach((id, range) -> shards.add(new ShardTable.Shard(id, range)));
            return new ShardTable(shards, at);
        }

        void split() {
            String widest = open.entrySet().stream().max((a, b) -> a.getValue().endingHashKey()
                    .subtract(a.getValue().startingHashKey()).compareTo(b.getValue().endingHashKey()
                            .subtract(b.getValue().startingHashKey()))).orElseThrow().getKey();
            HashKeyRange r = open.remove(widest);
            BigInteger mid = r.startingHashKey().add(r.endingHashKey()).shiftRight(1);
            open.put("shard-" + nextShard++, new HashKeyRange(r.startingHashKey(), mid));
            open.put("shard-" + nextShard++, new HashKeyRange(mid.add(BigInteger.ONE), r.endingHashKey()));
            splits++;
        }

        CompletableFuture<PutRecordsResponse> put(PutRecordsRequest request, long now) {
            CompletableFuture<PutRecordsResponse> answer = new CompletableFuture<>();
            long due = now + (1 + random.nextInt(10)) * MS;
            inFlight.add(Map.entry(due, () -> {
                if (random.nextDouble() < 0.03) {
                    answer.completeExceptionally(SdkClientException.create("connection dropped"));
                } else {
                    answer.complete(store(request));
                }
            }));
            return answer;
        }

        /** Stores and answers the calls whose time has come, in the order they are due. */
        void answerDue(long now) {
            inFlight.sort(Map.Entry.comparingByKey());
            while (!inFlight.isEmpty() && inFlight.get(0).getKey() <= now) {
                inFlight.remove(0).getValue().run();
            }
        }

        private PutRecordsResponse store(PutRecordsRequest request) {
            List<PutRecordsResultEntry> results = new ArrayList<>();
            for (PutRecordsRequestEntry e : request.records()) {
                double roll = random.nextDouble();
                if (roll < 0.15) {
                    results.add(PutRecordsResultEntry.builder().errorCode("ProvisionedThroughputExceededException")
                            .errorMessage("slow down").build());
                    continue;
                }
                if (roll < 0.20) {
                    results.add(PutRecordsResultEntry.builder().errorCode("InternalFailure").errorMessage("oops").build());
                    continue;
                }
                BigInteger hash = HashKeys.effectiveHashKey(e.partitionKey(), e.explicitHashKey());
                String shard = open.entrySet().stream().filter(x -> x.getValue().contains(hash)).findFirst()
                        .orElseThrow().getKey();
                HashKeyRange range = open.get(shard);
                UserRecord stored = UserRecord.kinesisRecord(String.valueOf(arrivals.size()), e.partitionKey(),
                        e.data().asByteArray(), Instant.EPOCH);
                List<UserRecord> users = Deaggregator.deaggregate(List.of(stored), range);
                int all = Deaggregator.deaggregate(List.of(stored)).size();
                if (users.size() < all) {
                    mispredicted++;
                }
                users.forEach(u -> arrivals.add(u.dataAsUtf8()));
                results.add(PutRecordsResultEntry.builder().shardId(shard).sequenceNumber(String.valueOf(arrivals.size()))
                        .build());
            }
            return PutRecordsResponse.builder().records(results).build();
        }

        /** Per key, the sequence numbers in the order they were stored. */
        Map<String, List<Integer>> readByKey() {
            Map<String, List<Integer>> out = new HashMap<>();
            for (String d : arrivals) {
                String[] parts = d.split(":");
                out.computeIfAbsent(parts[0], x -> new ArrayList<>()).add(Integer.parseInt(parts[1]));
            }
            return out;
        }
    }
}
