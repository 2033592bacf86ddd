package dev.shardline.producer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.aggregation.Deaggregator;
import dev.shardline.aggregation.HashKeyRange;
import dev.shardline.aggregation.UserRecord;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * The accumulator alone: a fake clock (plain {@code long} nanoseconds), scripted shard tables and scripted
 * PutRecords answers, through routing, linger, retries, expiry, strict ordering and every reshard rule.
 */
@Timeout(10)
class RecordAccumulatorTest {
    static final String S = "orders";
    static final BigInteger HALF = BigInteger.ONE.shiftLeft(127);
    static final BigInteger MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);
    static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final FakeTables tables = new FakeTables();
    final BufferLimiter buffer = new BufferLimiter(64L << 20);
    long now = 1_000 * MS;
    int seq;

    /** Shard tables the test sets; counts refresh requests. */
    static final class FakeTables implements RecordAccumulator.ShardTables {
        final Map<String, ShardTable> current = new HashMap<>();
        final Map<String, Throwable> failures = new HashMap<>();
        int refreshes;

        @Override
        public ShardTable current(String stream) {
            return current.get(stream);
        }

        @Override
        public Throwable failure(String stream) {
            return failures.get(stream);
        }

        @Override
        public void refresh(String stream) {
            refreshes++;
        }
    }

    static ProducerConfig.Builder config() {
        return ProducerConfig.builder().meterRegistry(new SimpleMeterRegistry()).rateLimitEnabled(false)
                .maxBufferedTime(Duration.ofMillis(100)).recordTtl(Duration.ofSeconds(30))
                .retryInitialBackoff(Duration.ofMillis(100)).retryMaxBackoff(Duration.ofMillis(100));
    }

    RecordAccumulator accumulator(ProducerConfig config) {
        return new RecordAccumulator(config, tables, new ProducerMetrics(registry), buffer);
    }

    /** One table: shard-0 holds the low half of the hash key space, shard-1 the high half. */
    static ShardTable twoShards(long loadedAt) {
        return new ShardTable(List.of(new ShardTable.Shard("shard-0", new HashKeyRange(BigInteger.ZERO, HALF.subtract(BigInteger.ONE))),
                new ShardTable.Shard("shard-1", new HashKeyRange(HALF, MAX))), loadedAt);
    }

    /** After splitting shard-0 at a quarter: shard-2 (low quarter), shard-3 (second quarter), shard-1 unchanged. */
    static ShardTable afterSplit(long loadedAt) {
        BigInteger quarter = HALF.shiftRight(1);
        return new ShardTable(List.of(new ShardTable.Shard("shard-2", new HashKeyRange(BigInteger.ZERO, quarter.subtract(BigInteger.ONE))),
                new ShardTable.Shard("shard-3", new HashKeyRange(quarter, HALF.subtract(BigInteger.ONE))),
                new ShardTable.Shard("shard-1", new HashKeyRange(HALF, MAX))), loadedAt);
    }

    /** A record whose hash key is {@code hash} (the key name only labels it), accepted now. */
    PendingRecord record(String key, BigInteger hash, String data, Duration ttl) {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        int size = bytes.length + key.length();
        assertThat(buffer.tryAcquire(size)).isTrue();
        return new PendingRecord(S, key, null, bytes, hash, now, now + ttl.toNanos(), size);
    }

    PendingRecord low(String data) {
        return record("low", BigInteger.ONE, data, Duration.ofSeconds(30));
    }

    PendingRecord lowQuarter2(String data) {
        return record("lowq2", HALF.shiftRight(1).add(BigInteger.ONE), data, Duration.ofSeconds(30));
    }

    PendingRecord high(String data) {
        return record("high", HALF.add(BigInteger.ONE), data, Duration.ofSeconds(30));
    }

    static List<String> data(Aggregate a) {
        List<String> out = new ArrayList<>();
        for (PendingRecord r : a.records) {
            out.add(new String(r.data, StandardCharsets.UTF_8));
        }
        return out;
    }

    static List<String> data(Batch b) {
        List<String> out = new ArrayList<>();
        b.entries.forEach(a -> out.addAll(data(a)));
        return out;
    }

    PutRecordsResultEntry ok(String shardId) {
        return PutRecordsResultEntry.builder().shardId(shardId).sequenceNumber(String.valueOf(++seq)).build();
    }

    static PutRecordsResultEntry error(String code) {
        return PutRecordsResultEntry.builder().errorCode(code).errorMessage(code + " (scripted)").build();
    }

    static PutRecordsResponse answer(PutRecordsResultEntry... entries) {
        return PutRecordsResponse.builder().records(entries).failedRecordCount(0).build();
    }

    /** Every entry stored on the shard it was predicted for. */
    PutRecordsResponse allStored(Batch b) {
        List<PutRecordsResultEntry> entries = new ArrayList<>();
        b.entries.forEach(a -> entries.add(ok(a.predictedShardId)));
        return answer(entries.toArray(new PutRecordsResultEntry[0]));
    }

    void completeAll(RecordAccumulator acc) {
        acc.takeCompletions().forEach(PendingRecord::complete);
    }

    static Throwable failure(CompletableFuture<SendResult> f) {
        assertThat(f).isDone();
        return f.handle((r, e) -> e).join();
    }

    // ---- linger, batching, stored -----------------------------------------------------------------------------------

    @Test
    void aggregatesLingerForMaxBufferedTimeThenGoOutAndStore() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().build());
        PendingRecord a = low("a");
        PendingRecord b = low("b");
        PendingRecord c = high("c");
        acc.append(a, now);
        acc.append(b, now);
        acc.append(c, now);

        RecordAccumulator.Drained early = acc.drain(now + 70 * MS);
        assertThat(early.batches()).isEmpty();
        assertThat(early.waitNanos()).isEqualTo(30 * MS);

        now += 100 * MS;
        RecordAccumulator.Drained due = acc.drain(now);
        assertThat(due.batches()).hasSize(1);
        Batch batch = due.batches().get(0);
        assertThat(batch.entries).extracting(x -> x.predictedShardId).containsExactlyInAnyOrder("shard-0", "shard-1");
        // the aggregate is in the KPL format, the user records in order
        Aggregate lowAgg = batch.entries.stream().filter(x -> x.predictedShardId.equals("shard-0")).findFirst().orElseThrow();
        List<UserRecord> users = Deaggregator.deaggregate(List.of(UserRecord.kinesisRecord("1",
                lowAgg.record.partitionKey(), lowAgg.record.data(), Instant.EPOCH)), null);
        assertThat(users).extracting(UserRecord::dataAsUtf8).containsExactly("a", "b");
        assertThat(acc.outstandingRecords()).isEqualTo(3);
        assertThat(acc.oldestRecordAgeNanos(now)).isEqualTo(100 * MS);

        batch.started(Instant.parse("2026-01-01T00:00:00Z"), now);
        acc.completed(batch, allStored(batch), now + 7 * MS);
        completeAll(acc);
        SendResult rb = b.future.join();
        assertThat(rb.shardId()).isEqualTo("shard-0");
        assertThat(rb.subSequenceNumber()).isEqualTo(1);
        assertThat(rb.attempts()).singleElement().satisfies(t -> {
            assertThat(t.successful()).isTrue();
            assertThat(t.duration()).isEqualTo(Duration.ofMillis(7));
            assertThat(t.startedAt()).isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
        });
        assertThat(c.future.join().shardId()).isEqualTo("shard-1");
        assertThat(acc.outstandingRecords()).isZero();
        assertThat(acc.oldestRecordAgeNanos(now)).isZero();
        assertThat(buffer.used()).isZero();
        assertThat(registry.get("shardline.producer.user.records.put").counter().count()).isEqualTo(3);
        assertThat(registry.get("shardline.producer.stream.user.records.put").tag("stream", S).counter().count()).isEqualTo(3);
        assertThat(registry.get("shardline.producer.shard.user.records.put").tag("shard", "shard-0").counter().count())
                .isEqualTo(2);
    }

    @Test
    void recordsWaitForTheShardMapAndFailAtOnceWhenTheStreamIsMissing() {
        RecordAccumulator acc = accumulator(config().build());
        PendingRecord a = low("a");
        assertThat(acc.append(a, now)).isTrue();
        assertThat(acc.drain(now).waitNanos()).isEqualTo(5 * MS);
        assertThat(a.future).isNotDone();

        tables.failures.put(S, ResourceNotFoundException.builder()
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("ResourceNotFoundException")
                        .errorMessage("Stream orders not found").build()).statusCode(400).build());
        acc.drain(now + MS);
        completeAll(acc);
        assertThat(failure(a.future)).isInstanceOf(RecordFailedException.class).hasMessageContaining("orders not found");
        assertThat(registry.get("shardline.producer.stream.records.failed").counter().count()).isEqualTo(1);
    }

    @Test
    void recordsNeverRoutedExpireAtTheirTtlSayingWhy() {
        RecordAccumulator acc = accumulator(config().build());
        PendingRecord a = record("k", BigInteger.ONE, "a", Duration.ofMillis(200));
        acc.append(a, now);
        acc.drain(now + 199 * MS);
        assertThat(acc.takeCompletions()).isEmpty();
        acc.drain(now + 250 * MS);
        completeAll(acc);
        assertThat(failure(a.future)).isInstanceOf(RecordExpiredException.class).hasMessageContaining("never sent");
        assertThat(buffer.used()).isZero();
    }

    // ---- retries and failures -----------------------------------------------------------------------------------

    @Test
    void aRetryableEntryWaitsItsBackoffThenGoesAgainAndReportsEveryAttempt() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().maxBufferedTime(Duration.ZERO).build());
        PendingRecord a = low("a");
        PendingRecord h = high("h");
        acc.append(a, now);
        acc.append(h, now);
        Batch first = acc.drain(now).batches().get(0);
        first.started(Instant.EPOCH, now);
        // shard-0's entry fails (500-like), shard-1's is stored: PutRecords is not atomic
        Aggregate lowAgg = first.entries.get(0).predictedShardId.equals("shard-0") ? first.entries.get(0) : first.entries.get(1);
        acc.completed(first, answer(first.entries.get(0) == lowAgg ? error("InternalFailure") : ok("shard-1"),
                first.entries.get(1) == lowAgg ? error("InternalFailure") : ok("shard-1")), now + MS);
        completeAll(acc);
        assertThat(h.future).isCompleted();
        assertThat(a.future).isNotDone();

        // backoff: 100 ms +- 50% jitter
        assertThat(acc.drain(now + 40 * MS).batches()).isEmpty();
        List<Batch> again = acc.drain(now + 200 * MS).batches();
        assertThat(again).singleElement().satisfies(b -> assertThat(data(b)).containsExactly("a"));
        again.get(0).started(Instant.EPOCH, now + 200 * MS);
        acc.completed(again.get(0), answer(ok("shard-0")), now + 201 * MS);
        completeAll(acc);
        assertThat(a.future.join().attempts()).extracting(Attempt::errorCode).containsExactly("InternalFailure", null);
        assertThat(registry.get("shardline.producer.retries").counter().count()).isEqualTo(1);
    }

    @Test
    void aFailedCallRetriesEveryEntryAndANonRetryableErrorFailsAtOnce() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().maxBufferedTime(Duration.ZERO).build());
        PendingRecord a = low("a");
        acc.append(a, now);
        Batch b1 = acc.drain(now).batches().get(0);
        acc.failed(b1, new java.util.concurrent.CompletionException(
                software.amazon.awssdk.core.exception.ApiCallTimeoutException.create(10_000)), now + MS);
        assertThat(acc.takeCompletions()).isEmpty();
        Batch b2 = acc.drain(now + 500 * MS).batches().get(0);
        acc.failed(b2, KinesisException.builder().statusCode(400).awsErrorDetails(AwsErrorDetails.builder()
                .errorCode("AccessDeniedException").errorMessage("no").build()).build(), now + 501 * MS);
        completeAll(acc);
        assertThat(failure(a.future)).isInstanceOfSatisfying(RecordFailedException.class, e -> {
            assertThat(e.errorCode()).isEqualTo("AccessDeniedException");
            assertThat(e.attempts()).extracting(Attempt::errorCode)
                    .containsExactly("ApiCallTimeoutException", "AccessDeniedException");
        });
    }

    @Test
    void aRecordPastItsTtlWhileRetryingExpiresWithItsAttempts() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().maxBufferedTime(Duration.ZERO).build());
        PendingRecord a = record("k", BigInteger.ONE, "a", Duration.ofMillis(150));
        PendingRecord b = record("k", BigInteger.ONE, "b", Duration.ofSeconds(30));
        acc.append(a, now);
        acc.append(b, now);
        Batch batch = acc.drain(now).batches().get(0);
        acc.completed(batch, answer(error("ProvisionedThroughputExceededException"), error("ProvisionedThroughputExceededException")), now + 200 * MS);
        completeAll(acc);
        assertThat(failure(a.future)).isInstanceOf(RecordExpiredException.class)
                .hasMessageContaining("last error: ProvisionedThroughputExceededException");
        assertThat(b.future).isNotDone();
        assertThat(acc.outstandingRecords()).isEqualTo(1);
    }

    @Test
    void aThrottledShardStopsWhileOthersFlow() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().rateLimitEnabled(true).maxBufferedTime(Duration.ZERO).build());
        acc.append(low("a"), now);
        acc.append(high("h"), now);
        Batch batch = acc.drain(now).batches().get(0);
        List<PutRecordsResultEntry> results = new ArrayList<>();
        batch.entries.forEach(x -> results.add(x.predictedShardId.equals("shard-0")
                ? error("ProvisionedThroughputExceededException") : ok("shard-1")));
        acc.completed(batch, answer(results.toArray(new PutRecordsResultEntry[0])), now + MS);
        acc.append(high("h2"), now + 2 * MS);
        acc.append(low("a2"), now + 2 * MS);
        List<Batch> next = acc.drain(now + 3 * MS).batches();
        assertThat(next).singleElement().satisfies(b -> assertThat(data(b)).containsExactly("h2"));
        assertThat(registry.get("shardline.producer.throttles").tag("shard", "shard-0").counter().count()).isEqualTo(1);
    }

    // ---- strict ordering ------------------------------------------------------------------------------------------

    @Test
    void strictOrderingSendsOneEntryPerShardAndPutsAFailedOneBackAtTheHead() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().strictOrdering(true).aggregationMaxCount(1)
                .maxBufferedTime(Duration.ZERO).build());
        for (int i = 0; i < 3; i++) {
            acc.append(low("a" + i), now);
        }
        List<Batch> first = acc.drain(now).batches();
        assertThat(first).singleElement().satisfies(b -> assertThat(data(b)).containsExactly("a0"));
        // a call in flight for shard-0: nothing else of shard-0 goes
        assertThat(acc.drain(now + MS).batches()).isEmpty();
        acc.completed(first.get(0), answer(error("ProvisionedThroughputExceededException")), now + 2 * MS);
        List<Batch> retry = acc.drain(now + 500 * MS).batches();
        assertThat(retry).singleElement().satisfies(b -> assertThat(data(b)).containsExactly("a0"));
        acc.completed(retry.get(0), allStored(retry.get(0)), now + 501 * MS);
        List<String> order = new ArrayList<>(List.of("a0"));
        for (int i = 0; i < 2; i++) {
            Batch b = acc.drain(now + 600 * MS).batches().get(0);
            order.addAll(data(b));
            acc.completed(b, allStored(b), now + 601 * MS);
        }
        assertThat(order).containsExactly("a0", "a1", "a2");
    }

    @Test
    void withoutStrictOrderingALoneThrottledRecordRidesWithNewerOnes() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().build());
        acc.append(low("a"), now);
        Batch b = acc.drain(now + 100 * MS).batches().get(0);
        acc.append(low("b"), now + 101 * MS);
        acc.completed(b, answer(error("ProvisionedThroughputExceededException")), now + 102 * MS);
        Batch next = acc.drain(now + 300 * MS).batches().get(0);
        assertThat(next.entries).singleElement().satisfies(x -> assertThat(data(x)).containsExactly("b", "a"));
    }

    // ---- reshards -------------------------------------------------------------------------------------------------

    @Test
    void aMispredictedAggregateIsSentAgainFirstOnceANewerMapPlacesIt() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().maxBufferedTime(Duration.ZERO).build());
        acc.append(low("a0"), now);
        acc.append(lowQuarter2("q0"), now);
        Batch b = acc.drain(now).batches().get(0);
        // behind it, for the same stale prediction
        acc.append(low("a1"), now + MS);
        // shard-0 was split: the aggregate landed on shard-2
        acc.completed(b, answer(ok("shard-2")), now + 2 * MS);
        assertThat(tables.refreshes).isEqualTo(1);
        assertThat(acc.takeCompletions()).isEmpty();
        assertThat(registry.get("shardline.producer.records.resent").counter().count()).isEqualTo(2);

        // the old map is still current: the re-sent records wait (and a newer one is asked for)
        assertThat(acc.drain(now + 3 * MS).batches()).isEmpty();
        acc.append(low("a2"), now + 4 * MS);
        assertThat(acc.drain(now + 5 * MS).batches()).isEmpty();

        tables.current.put(S, afterSplit(now + 10 * MS));
        List<Batch> resent = acc.drain(now + 11 * MS).batches();
        Map<String, List<String>> byShard = new HashMap<>();
        resent.forEach(x -> x.entries.forEach(a -> byShard.computeIfAbsent(a.predictedShardId, k -> new ArrayList<>())
                .addAll(data(a))));
        // key order kept: the re-sent a0, then a1 that waited behind it, then the newer a2
        assertThat(byShard).containsEntry("shard-2", List.of("a0", "a1", "a2")).containsEntry("shard-3", List.of("q0"));
        PendingRecord stored = resent.get(0).entries.get(0).records.get(0);
        resent.forEach(x -> acc.completed(x, allStored(x), now + 12 * MS));
        completeAll(acc);
        assertThat(stored.future.join().attempts()).extracting(Attempt::errorCode).contains("ShardMispredicted");
    }

    @Test
    void aNewMapRetiresClosedShardsAndHoldsRoutingUntilTheirCallsAnswer() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().strictOrdering(true).aggregationMaxCount(1)
                .maxBufferedTime(Duration.ZERO).build());
        acc.append(low("a0"), now);
        acc.append(low("a1"), now);
        Batch inFlight = acc.drain(now).batches().get(0);
        assertThat(data(inFlight)).containsExactly("a0");

        // the split is seen while a0 is in flight: a1 goes back to the stream, routing waits for a0's answer
        tables.current.put(S, afterSplit(now + 10 * MS));
        acc.append(low("a2"), now + 11 * MS);
        assertThat(acc.drain(now + 12 * MS).batches()).isEmpty();

        // a0 failed: it goes first, before a1 and a2, to the new shard
        acc.completed(inFlight, answer(error("InternalFailure")), now + 13 * MS);
        List<String> order = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            List<Batch> batches = acc.drain(now + (round + 1) * 300 * MS).batches();
            assertThat(batches).singleElement().satisfies(x -> assertThat(x.entries.get(0).predictedShardId)
                    .isEqualTo("shard-2"));
            order.addAll(data(batches.get(0)));
            acc.completed(batches.get(0), allStored(batches.get(0)), now + (round + 1) * 300 * MS + MS);
        }
        assertThat(order).containsExactly("a0", "a1", "a2");
    }

    @Test
    void aRecordSentJustAsANewMapRetiresItsShardGoesAfterTheRecordsWaitingThere() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().build());
        acc.append(low("a0"), now);
        tables.current.put(S, afterSplit(now + MS));
        acc.append(low("a1"), now + 2 * MS);
        acc.drain(now + 3 * MS); // routes both to shard-2's open aggregate
        List<Batch> batches = acc.drain(now + 200 * MS).batches();
        assertThat(batches).singleElement().satisfies(b -> {
            assertThat(b.entries).singleElement().satisfies(a -> assertThat(a.predictedShardId).isEqualTo("shard-2"));
            assertThat(data(b)).containsExactly("a0", "a1");
        });
    }

    @Test
    void aRetiredShardsStoredAnswerCompletesAndReleasesRouting() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().maxBufferedTime(Duration.ZERO).build());
        PendingRecord a0 = low("a0");
        acc.append(a0, now);
        Batch inFlight = acc.drain(now).batches().get(0);
        tables.current.put(S, afterSplit(now + 10 * MS));
        acc.append(low("a1"), now + 11 * MS);
        assertThat(acc.drain(now + 12 * MS).batches()).isEmpty();
        acc.completed(inFlight, answer(ok("shard-0")), now + 13 * MS);
        completeAll(acc);
        assertThat(a0.future.join().shardId()).isEqualTo("shard-0");
        assertThat(acc.drain(now + 14 * MS).batches()).singleElement()
                .satisfies(b -> assertThat(b.entries.get(0).predictedShardId).isEqualTo("shard-2"));
    }

    // ---- flush and abort ------------------------------------------------------------------------------------------

    @Test
    void flushOfOneStreamClosesOnlyItsAggregates() {
        tables.current.put(S, twoShards(now));
        tables.current.put("other", twoShards(now));
        RecordAccumulator acc = accumulator(config().build());
        PendingRecord a = low("a");
        acc.append(a, now);
        byte[] d = "o".getBytes(StandardCharsets.UTF_8);
        assertThat(buffer.tryAcquire(2)).isTrue();
        PendingRecord o = new PendingRecord("other", "k", null, d, BigInteger.ONE, now, now + 30_000 * MS, 2);
        acc.append(o, now);
        CompletableFuture<Void> flushed = acc.flush(S);
        List<Batch> batches = acc.drain(now + MS).batches();
        assertThat(batches).singleElement().satisfies(b -> assertThat(b.streamName()).isEqualTo(S));
        acc.completed(batches.get(0), allStored(batches.get(0)), now + 2 * MS);
        completeAll(acc);
        assertThat(flushed).isCompleted();
        assertThat(o.future).isNotDone();
        assertThat(acc.flush("nothing-held")).isCompleted();
    }

    @Test
    void abortFailsEverythingHeldAndIgnoresLateAnswers() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().build());
        PendingRecord a = low("a");
        acc.append(a, now);
        Batch b = acc.drain(now + 100 * MS).batches().get(0);
        PendingRecord open = low("b");
        acc.append(open, now + 101 * MS);
        acc.abort();
        acc.completed(b, allStored(b), now + 102 * MS);
        PendingRecord late = low("c");
        acc.append(late, now + 103 * MS);
        completeAll(acc);
        assertThat(failure(a.future)).isInstanceOf(ProducerClosedException.class);
        assertThat(failure(open.future)).isInstanceOf(ProducerClosedException.class);
        assertThat(failure(late.future)).isInstanceOf(ProducerClosedException.class);
        assertThat(acc.outstandingRecords()).isZero();
        assertThat(buffer.used()).isZero();
    }

    @Test
    void atMostMaxConcurrentRequestsAreInFlight() {
        tables.current.put(S, twoShards(now));
        RecordAccumulator acc = accumulator(config().maxConcurrentRequests(2).maxRecordsPerRequest(1)
                .aggregationMaxCount(1).maxBufferedTime(Duration.ZERO).build());
        for (int i = 0; i < 5; i++) {
            acc.append(low("a" + i), now);
        }
        List<Batch> first = acc.drain(now).batches();
        assertThat(first).hasSize(2);
        assertThat(acc.drain(now + MS).batches()).isEmpty();
        acc.completed(first.get(0), allStored(first.get(0)), now + 2 * MS);
        assertThat(acc.drain(now + 3 * MS).batches()).hasSize(1);
        assertThat(acc.inFlightBatches()).isEqualTo(2);
    }
}
