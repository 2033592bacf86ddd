package dev.shardline.checkpoint;

import dev.shardline.common.Futures;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.LimitExceededException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.RequestLimitExceededException;

/** Retries DynamoDB calls that were throttled, with exponential random backoff, then surfaces the failure. */
final class Retrier {
    private final int maxAttempts;
    private final IntervalFunction backoff;

    Retrier(int maxAttempts, Duration initialBackoff, Duration maxBackoff) {
        this.maxAttempts = maxAttempts;
        this.backoff = IntervalFunction.ofExponentialRandomBackoff(initialBackoff, 2.0, 0.5, maxBackoff);
    }

    <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        attempt(call, 1, result);
        return result;
    }

    private <T> void attempt(Supplier<CompletableFuture<T>> call, int attempt, CompletableFuture<T> result) {
        CompletableFuture<T> f;
        try {
            f = call.get();
        } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
        }
        f.whenComplete((v, e) -> {
            if (e == null) {
                result.complete(v);
                return;
            }
            Throwable cause = unwrap(e);
            if (isThrottling(cause) && attempt < maxAttempts) {
                long delay = backoff.apply(attempt);
                CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS)
                        .execute(() -> attempt(call, attempt + 1, result));
            } else {
                result.completeExceptionally(cause);
            }
        });
    }

    static Throwable unwrap(Throwable e) {
        return Futures.unwrap(e);
    }

    static boolean isThrottling(Throwable e) {
        if (e instanceof ProvisionedThroughputExceededException || e instanceof RequestLimitExceededException
                || e instanceof LimitExceededException) {
            return true;
        }
        if (e instanceof DynamoDbException d) {
            String code = d.awsErrorDetails() == null ? null : d.awsErrorDetails().errorCode();
            return "ThrottlingException".equals(code) || "Throttling".equals(code)
                    || "ProvisionedThroughputExceededException".equals(code)
                    || "RequestLimitExceeded".equals(code) || d.statusCode() == 503;
        }
        return false;
    }
}
