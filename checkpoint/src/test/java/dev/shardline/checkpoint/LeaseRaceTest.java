package dev.shardline.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.shardline.local.LocalClients;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/** Workers with their own clients race to take and renew the same leases: exactly one wins each race. */
@Timeout(60)
class LeaseRaceTest {
    private static final int LEASES = 6;
    private static final int ROUNDS = 12;

    @ParameterizedTest(name = "{0} workers")
    @ValueSource(ints = {2, 5})
    void exactlyOneWinsEachRaceAndCountersNeverGoBack(int workers) throws Exception {
        String app = TestDynamo.uniqueApp("race" + workers);
        List<DynamoDbAsyncClient> clients = new ArrayList<>();
        List<LeaseTable> tables = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            DynamoDbAsyncClient c = LocalClients.dynamoDb(TestDynamo.endpoint());
            clients.add(c);
            tables.add(LeaseTable.builder(c).applicationName(app).workerId("worker-" + w).build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        try {
            // Everyone creates the table and the leases at once: one creation each, no error.
            List<CompletableFuture<Void>> creates = new ArrayList<>();
            tables.forEach(t -> creates.add(t.createIfMissing()));
            creates.forEach(CompletableFuture::join);
            int[] created = new int[LEASES];
            for (LeaseTable t : tables) {
                for (int i = 0; i < LEASES; i++) {
                    if (t.createLeaseIfAbsent(Lease.builder("shard-" + i).build()).join()) {
                        created[i]++;
                    }
                }
            }
            assertThat(created).containsOnly(1);

            Map<String, Long> lastCounter = new HashMap<>();
            CyclicBarrier readDone = new CyclicBarrier(workers);
            for (int round = 0; round < ROUNDS; round++) {
                List<Future<Map<String, String>>> outcomes = new ArrayList<>();
                for (LeaseTable t : tables) {
                    outcomes.add(pool.submit(() -> {
                        List<Lease> seen = t.listLeases().join();
                        readDone.await(); // all read the same snapshot before anyone writes
                        Map<String, CompletableFuture<String>> tries = new HashMap<>();
                        for (Lease l : seen) {
                            // the owner renews, everyone else tries to take: one counter, one winner
                            tries.put(l.leaseKey(), (l.isOwnedBy(t.workerId())
                                    ? t.renew(l).thenApply(x -> "renew").exceptionally(e -> lost(e))
                                    : t.take(l).thenApply(x -> x.isPresent() ? "take" : null)));
                        }
                        Map<String, String> won = new HashMap<>();
                        tries.forEach((k, f) -> {
                            String r = f.join();
                            if (r != null) {
                                won.put(k, r);
                            }
                        });
                        return won;
                    }));
                }
                Map<String, Integer> winners = new HashMap<>();
                for (Future<Map<String, String>> f : outcomes) {
                    f.get().keySet().forEach(k -> winners.merge(k, 1, Integer::sum));
                }
                List<Lease> after = tables.get(0).listLeases().join();
                for (Lease l : after) {
                    assertThat(winners.get(l.leaseKey())).as("winners of %s in round %d", l.leaseKey(), round).isEqualTo(1);
                    long previous = lastCounter.getOrDefault(l.leaseKey(), 0L);
                    assertThat(l.counter()).as("counter of %s", l.leaseKey()).isEqualTo(previous + 1);
                    lastCounter.put(l.leaseKey(), l.counter());
                    assertThat(l.owner()).isPresent();
                }
            }
        } finally {
            pool.shutdownNow();
            clients.forEach(DynamoDbAsyncClient::close);
        }
    }

    private static String lost(Throwable e) {
        Throwable c = e instanceof CompletionException ? e.getCause() : e;
        if (c instanceof LeaseLostException) {
            return null;
        }
        throw new AssertionError("unexpected failure", c);
    }
}
