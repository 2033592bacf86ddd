package dev.shardline.consumer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs one asynchronous call per item with at most {@code concurrency} in flight: a thousand calls at once would queue
 * on the SDK client's connection pool until its acquire timeout and fail part way.
 */
final class BoundedCalls {
    private BoundedCalls() {
    }

    /** Completes with how many calls returned true; the first failure fails the whole (the rest still run). */
    static <T> CompletableFuture<Integer> run(List<T> items, int concurrency, Function<T, CompletableFuture<Boolean>> call) {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger yes = new AtomicInteger();
        List<CompletableFuture<Void>> lanes = new ArrayList<>();
        for (int i = 0; i < Math.min(concurrency, items.size()); i++) {
            lanes.add(lane(items, next, yes, call));
        }
        return CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).thenApply(v -> yes.get());
    }

    private static <T> CompletableFuture<Void> lane(List<T> items, AtomicInteger next, AtomicInteger yes,
                                                    Function<T, CompletableFuture<Boolean>> call) {
        int i = next.getAndIncrement();
        if (i >= items.size()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Boolean> f;
        try {
            f = call.apply(items.get(i));
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        return f.thenCompose(ok -> {
            if (Boolean.TRUE.equals(ok)) {
                yes.incrementAndGet();
            }
            return lane(items, next, yes, call);
        });
    }
}
