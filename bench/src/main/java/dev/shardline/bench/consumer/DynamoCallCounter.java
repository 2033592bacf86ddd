package dev.shardline.bench.consumer;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;

/**
 * Counts DynamoDB calls per operation, the same interceptor on Shardline's client and on KCL's. Counting can be
 * paused and reset, so only a steady-state window is measured.
 */
final class DynamoCallCounter implements ExecutionInterceptor {
    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private volatile boolean counting;

    @Override
    public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
        if (counting) {
            String op = attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
            calls.computeIfAbsent(op == null ? name(context.request()) : op, k -> new LongAdder()).increment();
        }
    }

    private static String name(SdkRequest r) {
        return r.getClass().getSimpleName().replace("Request", "");
    }

    void start() {
        calls.clear();
        counting = true;
    }

    void stop() {
        counting = false;
    }

    long total() {
        return calls.values().stream().mapToLong(LongAdder::sum).sum();
    }

    Map<String, Long> byOperation() {
        Map<String, Long> out = new TreeMap<>();
        calls.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
