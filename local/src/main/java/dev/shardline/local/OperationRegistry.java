package dev.shardline.local;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Extension point: the operations a {@link LocalKinesis} answers, by the name in
 * {@code X-Amz-Target: Kinesis_20131202.<name>}. More are plugged in with {@link #register} before or after
 * start (e.g. the enhanced fan-out operations, from their own classes).
 */
final class OperationRegistry {
    private final Map<String, Operation> operations = new ConcurrentHashMap<>();

    /** Adds or replaces the operation called {@code name}. */
    OperationRegistry register(String name, Operation operation) {
        operations.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(operation, "operation"));
        return this;
    }

    /** The operation called {@code name}, or null. */
    Operation find(String name) {
        return operations.get(name);
    }

    Set<String> names() {
        return Set.copyOf(operations.keySet());
    }
}
