package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.checkpoint.ExtendedSequenceNumber;
import dev.shardline.checkpoint.LeaseLostException;
import dev.shardline.producer.DeadLetter;
import dev.shardline.producer.DeadLetterSink;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The pure parts of the processing pipeline: low-water mark, bisector, lanes, failure policy runner. */
class PipelinePartsTest {

    private static ExtendedSequenceNumber p(int n) {
        return ExtendedSequenceNumber.of(String.valueOf(1000 + n), 0);
    }

    @Test
    void lowWaterMarkIsTheHighestPositionWithEverythingBelowFinished() {
        LowWaterMark marks = new LowWaterMark(ExtendedSequenceNumber.TRIM_HORIZON);
        assertThat(marks.mark()).isNull();
        List<LowWaterMark.Slot> slots = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            slots.add(marks.add(p(i)));
        }
        marks.finish(slots.get(1));
        marks.finish(slots.get(3));
        assertThat(marks.mark()).isNull();
        marks.finish(slots.get(0));
        assertThat(marks.mark()).isEqualTo(p(1));
        marks.finish(slots.get(0)); // idempotent
        marks.finish(slots.get(4));
        assertThat(marks.mark()).isEqualTo(p(1));
        assertThat(marks.open()).isEqualTo(3);
        marks.finish(slots.get(2));
        assertThat(marks.mark()).isEqualTo(p(4));
        assertThat(marks.open()).isZero();
        assertThatThrownBy(() -> marks.add(p(4))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lowWaterMarkStartsAtTheCheckpointAndNeverPassesAnUnfinishedRecordInRandomOrder() {
        Random random = new Random(7);
        for (int run = 0; run < 50; run++) {
            LowWaterMark marks = new LowWaterMark(p(0));
            assertThat(marks.mark()).isEqualTo(p(0));
            List<LowWaterMark.Slot> slots = new ArrayList<>();
            for (int i = 1; i <= 40; i++) {
                slots.add(marks.add(p(i)));
            }
            List<Integer> order = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                order.add(i);
            }
            java.util.Collections.shuffle(order, random);
            Set<Integer> finished = new HashSet<>();
            for (int i : order) {
                marks.finish(slots.get(i));
                finished.add(i);
                int expected = 0;
                while (finished.contains(expected)) {
                    expected++;
                }
                assertThat(marks.mark()).isEqualTo(p(expected)); // slot k holds p(k + 1)
            }
        }
    }

    @Test
    void bisectorIsolatesExactlyTheRecordsThatFailAloneInOrder() {
        Random random = new Random(11);
        for (int run = 0; run < 200; run++) {
            int size = 1 + random.nextInt(64);
            Set<Integer> poison = new HashSet<>();
            int count = random.nextInt(4);
            for (int i = 0; i < count; i++) {
                poison.add(random.nextInt(size));
            }
            Bisector b = new Bisector(size);
            List<Integer> processed = new ArrayList<>();
            int calls = 0;
            for (Bisector.Range r = b.next(); r != null; r = b.next()) {
                calls++;
                boolean fails = false;
                for (int i = r.from(); i < r.to(); i++) {
                    fails |= poison.contains(i);
                }
                if (fails) {
                    b.failed(r);
                } else {
                    for (int i = r.from(); i < r.to(); i++) {
                        processed.add(i);
                    }
                    b.succeeded(r);
                }
            }
            assertThat(b.isolated()).containsExactlyElementsOf(poison.stream().sorted().toList());
            // every other record succeeded exactly once, in shard order
            assertThat(processed).isSorted().doesNotHaveDuplicates().hasSize(size - poison.size());
            // at most about 2 log2(n) calls per poison record
            assertThat(calls).isLessThanOrEqualTo(2 + poison.size() * 2 * (1 + 32 - Integer.numberOfLeadingZeros(size)));
        }
        assertThatThrownBy(() -> new Bisector(3).succeeded(new Bisector.Range(2, 3)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void lanesKeepEveryKeyOnOneLaneInOrderAndSpreadKeys() {
        LaneDispatcher lanes = new LaneDispatcher(16);
        List<UserRecord> records = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            records.add(record(i, "key-" + (i % 100)));
        }
        List<List<UserRecord>> split = lanes.split(records);
        assertThat(split).hasSize(16);
        Map<String, Integer> laneOfKey = new HashMap<>();
        int used = 0;
        for (int lane = 0; lane < 16; lane++) {
            List<UserRecord> part = split.get(lane);
            used += part.isEmpty() ? 0 : 1;
            assertThat(part).extracting(r -> Long.parseLong(r.sequenceNumber())).isSorted();
            for (UserRecord r : part) {
                assertThat(laneOfKey.putIfAbsent(r.partitionKey(), lane)).isIn(null, lane);
            }
        }
        assertThat(laneOfKey).hasSize(100);
        assertThat(used).isGreaterThanOrEqualTo(14);
        assertThat(split.stream().mapToInt(List::size).max().orElseThrow()).isLessThan(2000 / 16 * 3);
        assertThat(new LaneDispatcher(1).split(records)).containsExactly(records);
    }

    // --- the failure policy runner, on an immediate scheduler and a fixed clock ---

    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");

    private record Run(CompletableFuture<Void> done, List<List<String>> calls, List<DeadLetter> letters,
                       List<Duration> pauses, LowWaterMark marks, List<BatchRunner.Item> items) {
    }

    private static Run run(FailurePolicy policy, int size, Predicate<List<String>> fails) {
        LowWaterMark marks = new LowWaterMark(null);
        List<BatchRunner.Item> items = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            UserRecord r = record(i, "k" + i);
            items.add(new BatchRunner.Item(r, marks.add(p(i))));
        }
        List<List<String>> calls = new ArrayList<>();
        List<DeadLetter> letters = new ArrayList<>();
        List<Duration> pauses = new ArrayList<>();
        BatchRunner runner = new BatchRunner(policy, "s", "shard-1", marks, d -> {
            pauses.add(d);
            return Runnable::run;
        }, Clock.fixed(NOW, ZoneOffset.UTC), new BatchRunner.Listener() {
            @Override
            public void deadLettered(DeadLetter letter) {
                letters.add(letter);
            }
        });
        CompletableFuture<Void> done = runner.run(items, part -> {
            List<String> keys = part.stream().map(i -> i.record.partitionKey()).toList();
            calls.add(keys);
            return fails.test(keys) ? CompletableFuture.failedFuture(new IllegalStateException("bad " + keys))
                    : CompletableFuture.completedFuture(null);
        }, () -> false);
        return new Run(done, calls, letters, pauses, marks, items);
    }

    @Test
    void retriesWithDoublingBackoffThenStops() {
        Run r = run(FailurePolicy.retry(3).backoff(Duration.ofMillis(100), Duration.ofMillis(250)).thenStop(), 4,
                keys -> true);
        assertThat(r.done()).isCompletedExceptionally();
        assertThatThrownBy(r.done()::join).hasCauseInstanceOf(BatchRunner.ProcessingStoppedException.class)
                .hasRootCauseMessage("bad [k0, k1, k2, k3]");
        assertThat(r.calls()).hasSize(4);
        assertThat(r.pauses()).containsExactly(Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(250));
        assertThat(r.marks().mark()).isNull();
    }

    @Test
    void aTransientFailureIsRetriedAndNothingIsDeadLettered() {
        int[] failures = {2};
        Run r = run(FailurePolicy.retry(2).backoff(Duration.ZERO, Duration.ZERO).thenDeadLetter(l -> {
            throw new AssertionError("no dead letter expected");
        }), 3, keys -> failures[0]-- > 0);
        assertThat(r.done()).isCompleted();
        assertThat(r.calls()).hasSize(3);
        assertThat(r.marks().mark()).isEqualTo(p(2));
    }

    @Test
    void bisectionDeadLettersOnlyThePoisonRecordWithItsMetadata() {
        List<DeadLetter> stored = new ArrayList<>();
        DeadLetterSink sink = l -> {
            stored.add(l);
            return CompletableFuture.completedFuture(null);
        };
        Run r = run(FailurePolicy.retry(1).backoff(Duration.ofMillis(5), Duration.ofMillis(5)).thenDeadLetter(sink), 10,
                keys -> keys.contains("k6"));
        assertThat(r.done()).isCompleted();
        assertThat(stored).hasSize(1).isEqualTo(r.letters());
        DeadLetter l = stored.get(0);
        assertThat(l.partitionKey()).isEqualTo("k6");
        assertThat(l.sequenceNumber()).isEqualTo("6");
        assertThat(l.shardId()).isEqualTo("shard-1");
        assertThat(l.stream()).isEqualTo("s");
        assertThat(new String(l.data(), StandardCharsets.UTF_8)).isEqualTo("k6:6");
        assertThat(l.errorClass()).isEqualTo(IllegalStateException.class.getName());
        assertThat(l.errorMessage()).isEqualTo("bad [k6]");
        assertThat(l.source()).isEqualTo(DeadLetter.Source.CONSUMER);
        assertThat(l.firstFailure()).isEqualTo(NOW);
        // every call that held k6 failed: 2 on the whole batch, then each bisection level, then 2 alone
        long withPoison = r.calls().stream().filter(c -> c.contains("k6")).count();
        assertThat(l.attempts()).isEqualTo((int) withPoison);
        // every other record succeeded exactly once, in order
        List<String> succeeded = new ArrayList<>();
        r.calls().stream().filter(c -> !c.contains("k6")).forEach(succeeded::addAll);
        assertThat(succeeded).containsExactly("k0", "k1", "k2", "k3", "k4", "k5", "k7", "k8", "k9");
        assertThat(r.marks().mark()).isEqualTo(p(9));
        assertThat(r.marks().open()).isZero();
    }

    @Test
    void aFailingSinkStopsAndTheMarkStaysBeforeThePoisonRecord() {
        Run r = run(FailurePolicy.retry(0).thenDeadLetter(l -> CompletableFuture.failedFuture(
                new IllegalStateException("disk full"))), 4, keys -> keys.contains("k2"));
        assertThatThrownBy(r.done()::join).hasCauseInstanceOf(BatchRunner.ProcessingStoppedException.class)
                .hasRootCauseMessage("disk full");
        assertThat(r.marks().mark()).isEqualTo(p(1));
        assertThat(r.calls()).doesNotContain(List.of("k3")); // stopped before going on past the poison record
    }

    @Test
    void aLostLeaseIsNeverRetried() {
        LowWaterMark marks = new LowWaterMark(null);
        List<BatchRunner.Item> items = List.of(new BatchRunner.Item(record(0, "k"), marks.add(p(0))));
        int[] calls = {0};
        BatchRunner runner = new BatchRunner(FailurePolicy.retry(5).thenStop(), "s", "shard-1", marks,
                d -> Runnable::run, Clock.systemUTC(), new BatchRunner.Listener() { });
        CompletableFuture<Void> done = runner.run(items, part -> {
            calls[0]++;
            throw new CompletionException(new LeaseLostException("shard-1", "checkpoint refused"));
        }, () -> false);
        assertThatThrownBy(done::join).hasCauseInstanceOf(LeaseLostException.class);
        assertThat(calls[0]).isEqualTo(1);
    }

    @Test
    void policyBackoffDoublesUpToItsMaximum() {
        FailurePolicy p = FailurePolicy.retry(6).backoff(Duration.ofMillis(50), Duration.ofSeconds(1)).thenStop();
        assertThat(List.of(p.backoff(1), p.backoff(2), p.backoff(5), p.backoff(6))).containsExactly(
                Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(800), Duration.ofSeconds(1));
        assertThatThrownBy(() -> FailurePolicy.retry(-1)).hasMessageContaining("attempts");
        assertThatThrownBy(() -> FailurePolicy.retry(1).backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("backoff");
    }

    static UserRecord record(int seq, String key) {
        return UserRecord.kinesisRecord(String.valueOf(seq), key, (key + ":" + seq).getBytes(StandardCharsets.UTF_8),
                NOW);
    }
}
