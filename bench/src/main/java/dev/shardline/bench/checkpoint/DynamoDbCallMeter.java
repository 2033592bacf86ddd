package dev.shardline.bench.checkpoint;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.SdkResponse;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.interceptor.SdkExecutionAttribute;
import software.amazon.awssdk.services.dynamodb.model.ConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.DeleteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnConsumedCapacity;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;

/**
 * Counts DynamoDB calls per table and operation, with the capacity units DynamoDB reports for them. Add the same
 * instance to every client measured ({@code overrideConfiguration(o -> o.addExecutionInterceptor(meter))}), Shardline's
 * and KCL's alike. It asks item and query calls to return their consumed capacity (that changes nothing else).
 * Thread-safe.
 */
public final class DynamoDbCallMeter implements ExecutionInterceptor {
    private static final ExecutionAttribute<String> TABLE = new ExecutionAttribute<>("shardline.bench.ddb.table");

    /** Totals for one table and operation. */
    public record Usage(long calls, long failures, double capacityUnits) {
    }

    private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
    private final Map<String, DoubleAdder> capacity = new ConcurrentHashMap<>();

    @Override
    public SdkRequest modifyRequest(Context.ModifyRequest context, ExecutionAttributes attributes) {
        SdkRequest r = context.request();
        ReturnConsumedCapacity total = ReturnConsumedCapacity.TOTAL;
        if (r instanceof GetItemRequest g) {
            attributes.putAttribute(TABLE, g.tableName());
            return g.toBuilder().returnConsumedCapacity(total).build();
        } else if (r instanceof PutItemRequest p) {
            attributes.putAttribute(TABLE, p.tableName());
            return p.toBuilder().returnConsumedCapacity(total).build();
        } else if (r instanceof UpdateItemRequest u) {
            attributes.putAttribute(TABLE, u.tableName());
            return u.toBuilder().returnConsumedCapacity(total).build();
        } else if (r instanceof DeleteItemRequest d) {
            attributes.putAttribute(TABLE, d.tableName());
            return d.toBuilder().returnConsumedCapacity(total).build();
        } else if (r instanceof QueryRequest q) {
            attributes.putAttribute(TABLE, q.tableName() + (q.indexName() != null ? "/" + q.indexName() : ""));
            return q.toBuilder().returnConsumedCapacity(total).build();
        } else if (r instanceof ScanRequest s) {
            attributes.putAttribute(TABLE, s.tableName());
            return s.toBuilder().returnConsumedCapacity(total).build();
        }
        r.getValueForField("TableName", String.class).ifPresent(t -> attributes.putAttribute(TABLE, t));
        return r;
    }

    private static String key(ExecutionAttributes attributes) {
        String table = attributes.getAttribute(TABLE);
        return (table == null ? "-" : table) + " " + attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME);
    }

    @Override
    public void afterExecution(Context.AfterExecution context, ExecutionAttributes attributes) {
        String k = key(attributes);
        calls.computeIfAbsent(k, x -> new LongAdder()).increment();
        ConsumedCapacity c = consumed(context.response());
        if (c != null && c.capacityUnits() != null) {
            capacity.computeIfAbsent(k, x -> new DoubleAdder()).add(c.capacityUnits());
        }
    }

    @Override
    public void onExecutionFailure(Context.FailedExecution context, ExecutionAttributes attributes) {
        String k = key(attributes);
        calls.computeIfAbsent(k, x -> new LongAdder()).increment();
        failures.computeIfAbsent(k, x -> new LongAdder()).increment();
        // DynamoDB bills a failed conditional write at least one write unit but reports none: count one.
        String op = String.valueOf(attributes.getAttribute(SdkExecutionAttribute.OPERATION_NAME));
        if (op.equals("UpdateItem") || op.equals("PutItem") || op.equals("DeleteItem")) {
            capacity.computeIfAbsent(k, x -> new DoubleAdder()).add(1.0);
        }
    }

    private static ConsumedCapacity consumed(SdkResponse r) {
        if (r instanceof GetItemResponse g) {
            return g.consumedCapacity();
        } else if (r instanceof PutItemResponse p) {
            return p.consumedCapacity();
        } else if (r instanceof UpdateItemResponse u) {
            return u.consumedCapacity();
        } else if (r instanceof DeleteItemResponse d) {
            return d.consumedCapacity();
        } else if (r instanceof QueryResponse q) {
            return q.consumedCapacity();
        } else if (r instanceof ScanResponse s) {
            return s.consumedCapacity();
        }
        return null;
    }

    /** Usage so far, by "table operation", sorted. */
    public Map<String, Usage> snapshot() {
        Map<String, Usage> out = new TreeMap<>();
        for (Map.Entry<String, LongAdder> e : calls.entrySet()) {
            LongAdder f = failures.get(e.getKey());
            DoubleAdder c = capacity.get(e.getKey());
            out.put(e.getKey(), new Usage(e.getValue().sum(), f == null ? 0 : f.sum(), c == null ? 0 : c.sum()));
        }
        return out;
    }

    /** Starts counting from zero. */
    public void reset() {
        calls.clear();
        failures.clear();
        capacity.clear();
    }
}
