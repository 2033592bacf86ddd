package dev.shardline.checkpoint;

import static dev.shardline.checkpoint.LeaseItems.CHECKPOINT;
import static dev.shardline.checkpoint.LeaseItems.CHECKPOINT_OWNER;
import static dev.shardline.checkpoint.LeaseItems.CHECKPOINT_SUB;
import static dev.shardline.checkpoint.LeaseItems.CHILD_SHARD_IDS;
import static dev.shardline.checkpoint.LeaseItems.LEASE_COUNTER;
import static dev.shardline.checkpoint.LeaseItems.LEASE_KEY;
import static dev.shardline.checkpoint.LeaseItems.LEASE_OWNER;
import static dev.shardline.checkpoint.LeaseItems.OWNER_SWITCHES;
import static dev.shardline.checkpoint.LeaseItems.PENDING_CHECKPOINT;
import static dev.shardline.checkpoint.LeaseItems.PENDING_CHECKPOINT_STATE;
import static dev.shardline.checkpoint.LeaseItems.PENDING_CHECKPOINT_SUB;
import static dev.shardline.checkpoint.LeaseItems.n;
import static dev.shardline.checkpoint.LeaseItems.s;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * The DynamoDB lease table of one application (table name = application name by default): one item per shard,
 * keyed by {@code leaseKey}, with KCL's attribute names, and the global secondary index
 * {@code LeaseOwnerToLeaseKeyIndex} (hash {@code leaseOwner}, range {@code leaseKey}).
 *
 * <p>Every write is a conditional UpdateItem (SET/REMOVE, so attributes written by others, e.g. KCL, survive), except
 * creating a lease, a PutItem guarded by {@code attribute_not_exists(leaseKey)}. Operations that require this worker
 * to hold a lease are conditioned on {@code leaseOwner} and on the {@code leaseCounter} it holds, and fail with
 * {@link LeaseLostException} when either moved on; races to take or evict a lease return {@link Optional#empty()} for
 * the losers. Throttling is retried with exponential backoff, then the SDK exception surfaces. All methods are
 * asynchronous and thread-safe; the client is not closed by this class.
 *
 * <p>Lease liveness is not judged here: see {@link ExpiryTracker} and {@link WorkerHeartbeats}. To checkpoint a
 * held lease, wrap it in a {@link LeaseHolding} with {@link #hold(Lease)}; the processor gets its
 * {@link LeaseHolding#checkpointer()}.
 */
public final class LeaseTable {
    private final DynamoDbAsyncClient client;
    private final String tableName;
    private final String workerId;
    private final Tables.Capacity capacity;
    private final Duration tableActiveTimeout;
    private final Retrier retrier;
    private final AwsRequestOverrideConfiguration timeouts;

    private LeaseTable(Builder b) {
        this.client = Objects.requireNonNull(b.client, "client");
        if (b.applicationName == null || b.applicationName.isBlank()) {
            throw new IllegalArgumentException("applicationName must not be blank");
        }
        this.tableName = b.tableName != null ? b.tableName : b.applicationName;
        checkTableName("tableName", tableName);
        if (b.workerId == null || b.workerId.isBlank()) {
            throw new IllegalArgumentException("workerId must not be blank");
        }
        this.workerId = b.workerId;
        this.capacity = b.capacity;
        this.tableActiveTimeout = b.tableActiveTimeout;
        this.retrier = new Retrier(b.maxAttempts, b.initialBackoff, b.maxBackoff);
        this.timeouts = AwsRequestOverrideConfiguration.builder()
                .apiCallAttemptTimeout(b.attemptTimeout).apiCallTimeout(b.callTimeout).build();
    }

    static void checkTableName(String field, String name) {
        if (name.length() < 3 || name.length() > 255 || !name.matches("[a-zA-Z0-9_.-]+")) {
            throw new IllegalArgumentException(field + " must be 3 to 255 characters of [a-zA-Z0-9_.-], was '" + name + "'");
        }
    }

    /** A builder on {@code client} (a {@link DynamoDbAsyncClient}, e.g. on the Netty HTTP client). */
    public static Builder builder(DynamoDbAsyncClient client) {
        return new Builder(client);
    }

    /** The table's name. */
    public String tableName() {
        return tableName;
    }

    /** This worker's id, written as {@code leaseOwner}. */
    public String workerId() {
        return workerId;
    }

    DynamoDbAsyncClient client() {
        return client;
    }

    Retrier retrier() {
        return retrier;
    }

    /** The per-request time bounds (attempt and whole call, SDK retries included) every lease call carries. */
    AwsRequestOverrideConfiguration timeouts() {
        return timeouts;
    }

    /**
     * Creates the table with its owner index when missing (on-demand, or provisioned when configured), and waits
     * until table and index are ACTIVE. Fails with {@link IllegalStateException} when a table of that name exists
     * with another key schema, or does not become ACTIVE within the configured timeout.
     */
    public CompletableFuture<Void> createIfMissing() {
        return Tables.ensure(client, retrier, tableName, LEASE_KEY, true, capacity, tableActiveTimeout);
    }

    /** Every lease in the table (a strongly consistent, paginated Scan). */
    public CompletableFuture<List<Lease>> listLeases() {
        List<Lease> out = new ArrayList<>();
        return scanPage(null, out).thenApply(x -> out);
    }

    private CompletableFuture<Void> scanPage(Map<String, AttributeValue> start, List<Lease> out) {
        ScanRequest req = ScanRequest.builder().tableName(tableName).consistentRead(true).exclusiveStartKey(start)
                .overrideConfiguration(timeouts).build();
        return retrier.call(() -> client.scan(req)).thenCompose(r -> {
            r.items().forEach(i -> out.add(LeaseItems.fromItem(i)));
            return r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty()
                    ? scanPage(r.lastEvaluatedKey(), out) : CompletableFuture.completedFuture(null);
        });
    }

    /**
     * The leases owned by {@code owner}: a Query on {@code LeaseOwnerToLeaseKeyIndex} (keys only, as KCL creates it,
     * so checkpoints do not write the index), then the items themselves, read strongly consistently. The index is
     * eventually consistent: a lease that just changed owner may be missing or no longer owned by {@code owner}; the
     * returned snapshots are filtered on their current owner.
     */
    public CompletableFuture<List<Lease>> leasesOwnedBy(String owner) {
        List<String> keys = new ArrayList<>();
        return queryPage(owner, null, keys)
                .thenCompose(x -> getLeases(keys))
                .thenApply(all -> all.stream().filter(l -> l.isOwnedBy(owner)).toList());
    }

    private CompletableFuture<Void> queryPage(String owner, Map<String, AttributeValue> start, List<String> out) {
        QueryRequest req = QueryRequest.builder().tableName(tableName).indexName(LeaseItems.OWNER_INDEX)
                .keyConditionExpression("#o = :o")
                .expressionAttributeNames(Map.of("#o", LEASE_OWNER))
                .expressionAttributeValues(Map.of(":o", s(owner)))
                .exclusiveStartKey(start).overrideConfiguration(timeouts).build();
        return retrier.call(() -> client.query(req)).thenCompose(r -> {
            r.items().forEach(i -> out.add(i.get(LEASE_KEY).s()));
            return r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty()
                    ? queryPage(owner, r.lastEvaluatedKey(), out) : CompletableFuture.completedFuture(null);
        });
    }

    /** The leases with the given keys (absent ones are skipped), by strongly consistent BatchGetItem. */
    public CompletableFuture<List<Lease>> getLeases(java.util.Collection<String> leaseKeys) {
        List<Lease> out = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> keys = new ArrayList<>(new java.util.LinkedHashSet<>(leaseKeys));
        List<CompletableFuture<Void>> batches = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += 100) {
            List<Map<String, AttributeValue>> batch = new ArrayList<>();
            keys.subList(i, Math.min(keys.size(), i + 100)).forEach(k -> batch.add(LeaseItems.key(k)));
            batches.add(batchGet(batch, out, 0));
        }
        return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new)).thenApply(x -> {
            List<Lease> sorted = new ArrayList<>(out);
            sorted.sort(java.util.Comparator.comparing(Lease::leaseKey));
            return sorted;
        });
    }

    private CompletableFuture<Void> batchGet(List<Map<String, AttributeValue>> keys, List<Lease> out, int round) {
        if (keys.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        return retrier.call(() -> client.batchGetItem(r -> r.requestItems(Map.of(tableName,
                        software.amazon.awssdk.services.dynamodb.model.KeysAndAttributes.builder()
                                .keys(keys).consistentRead(true).build())).overrideConfiguration(timeouts)))
                .thenCompose(r -> {
                    r.responses().getOrDefault(tableName, List.of()).forEach(i -> out.add(LeaseItems.fromItem(i)));
                    var unprocessed = r.unprocessedKeys().get(tableName);
                    if (unprocessed == null || !unprocessed.hasKeys() || unprocessed.keys().isEmpty()) {
                        return CompletableFuture.completedFuture(null);
                    }
                    if (round >= 10) { // DynamoDB kept deferring them: throttled for long
                        return CompletableFuture.failedFuture(new IllegalStateException("BatchGetItem on " + tableName
                                + " left " + unprocessed.keys().size() + " keys unprocessed after 10 rounds"));
                    }
                    return CompletableFuture.supplyAsync(() -> null,
                                    CompletableFuture.delayedExecutor(50L << Math.min(round, 5), java.util.concurrent.TimeUnit.MILLISECONDS))
                            .thenCompose(x -> batchGet(unprocessed.keys(), out, round + 1));
                });
    }

    /** One lease, read strongly consistently, or empty. */
    public CompletableFuture<Optional<Lease>> getLease(String leaseKey) {
        return retrier.call(() -> client.getItem(r -> r.tableName(tableName).key(LeaseItems.key(leaseKey)).consistentRead(true)
                        .overrideConfiguration(timeouts)))
                .thenApply(r -> r.hasItem() && !r.item().isEmpty() ? Optional.of(LeaseItems.fromItem(r.item())) : Optional.empty());
    }

    /**
     * Creates {@code lease} unless an item with its key exists (PutItem with {@code attribute_not_exists}). Returns true
     * when created, false when it already existed (the existing item is left untouched).
     */
    public CompletableFuture<Boolean> createLeaseIfAbsent(Lease lease) {
        return retrier.call(() -> client.putItem(r -> r.tableName(tableName).item(LeaseItems.toItem(lease))
                        .conditionExpression("attribute_not_exists(#k)")
                        .expressionAttributeNames(Map.of("#k", LEASE_KEY)).overrideConfiguration(timeouts)))
                .thenApply(r -> true)
                .exceptionallyCompose(e -> conditionFailed(e) ? CompletableFuture.completedFuture(false)
                        : CompletableFuture.failedFuture(Retrier.unwrap(e)));
    }

    /**
     * Renews a held lease, KCL's way: increments {@code leaseCounter} if this worker still owns it at {@code held}'s
     * counter. Returns the renewed snapshot; fails with {@link LeaseLostException} otherwise. Shardline workers prove
     * liveness with {@link WorkerHeartbeats} instead; use {@link LeaseHolding#renew()} for a lease that has a
     * checkpointer, so renewals and checkpoints do not race.
     */
    public CompletableFuture<Lease> renew(Lease held) {
        return updateHeld(held, "renew", new Update()
                .set("#c = #c + :one", "#c", LEASE_COUNTER, ":one", n(1)));
    }

    /**
     * Takes {@code observed} for this worker: sets {@code leaseOwner} to this worker and increments the counter, if the
     * counter and owner are still what was observed (so of several workers racing, exactly one wins). Counts an owner
     * switch when the owner changes and ends any handoff ({@code checkpointOwner} is removed). Returns the taken lease,
     * or empty when another worker changed it first.
     */
    public CompletableFuture<Optional<Lease>> take(Lease observed) {
        Update u = new Update().set("#c = #c + :one", "#c", LEASE_COUNTER, ":one", n(1))
                .set("#o = :me", "#o", LEASE_OWNER, ":me", s(workerId))
                .remove("#co", "#co", CHECKPOINT_OWNER);
        if (!observed.isOwnedBy(workerId)) {
            u.set("#sw = if_not_exists(#sw, :zero) + :one", "#sw", OWNER_SWITCHES, ":zero", n(0));
        }
        u.condition("#c = :expected", ":expected", n(observed.counter()));
        ownerCondition(u, observed);
        return race(observed, u);
    }

    /**
     * Evicts {@code observed} (typically a lease whose owner stopped heartbeating): removes {@code leaseOwner} and
     * {@code checkpointOwner} and increments the counter, if counter and owner are still what was observed. Returns the
     * unowned lease, or empty when another worker changed it first.
     */
    public CompletableFuture<Optional<Lease>> evict(Lease observed) {
        Update u = new Update().set("#c = #c + :one", "#c", LEASE_COUNTER, ":one", n(1))
                .remove("#o", "#o", LEASE_OWNER).remove("#co", "#co", CHECKPOINT_OWNER)
                .condition("#c = :expected", ":expected", n(observed.counter()));
        ownerCondition(u, observed);
        return race(observed, u);
    }

    private static void ownerCondition(Update u, Lease observed) {
        u.names.put("#o", LEASE_OWNER);
        if (observed.owner().isPresent()) {
            u.condition("#o = :prevOwner", ":prevOwner", s(observed.owner().get()));
        } else {
            u.condition("attribute_not_exists(#o)");
        }
    }

    private CompletableFuture<Optional<Lease>> race(Lease observed, Update u) {
        return retrier.call(() -> client.updateItem(u.request(tableName, observed.leaseKey(), timeouts)))
                .thenApply(r -> Optional.of(LeaseItems.fromItem(r.attributes())))
                .exceptionallyCompose(e -> conditionFailed(e) ? CompletableFuture.completedFuture(Optional.empty())
                        : CompletableFuture.failedFuture(Retrier.unwrap(e)));
    }

    /**
     * Releases a held lease so another worker can take it at once (no expiry wait): removes {@code leaseOwner},
     * increments the counter. Checkpoint first. Fails with {@link LeaseLostException} if no longer held.
     */
    public CompletableFuture<Lease> release(Lease held) {
        return updateHeld(held, "release", new Update()
                .set("#c = #c + :one", "#c", LEASE_COUNTER, ":one", n(1))
                .remove("#o", "#o", LEASE_OWNER).remove("#co", "#co", CHECKPOINT_OWNER));
    }

    /**
     * Asks for a graceful handoff of a lease another live worker holds, to this worker, with KCL 3.x's attributes:
     * {@code leaseOwner} becomes this worker (the receiver) and {@code checkpointOwner} the current owner, if counter
     * and owner are still what was observed and no handoff is in progress. The counter is not incremented, so the
     * current owner's holding may still checkpoint; it ends the handoff with {@link #finishHandoff(Lease)} once its
     * processor has finished, and the receiver then {@link #take(Lease) takes} the lease (or takes it anyway after a
     * timeout, which cuts the old owner off). Returns the lease in handoff, or empty when it changed first.
     */
    public CompletableFuture<Optional<Lease>> requestHandoff(Lease observed) {
        String owner = observed.owner().orElseThrow(() -> new IllegalArgumentException("lease "
                + observed.leaseKey() + " has no owner to hand it off"));
        if (owner.equals(workerId)) {
            throw new IllegalArgumentException("lease " + observed.leaseKey() + " is already owned by " + workerId);
        }
        Update u = new Update()
                .set("#o = :me", "#o", LEASE_OWNER, ":me", s(workerId))
                .set("#co = :prevOwner", "#co", CHECKPOINT_OWNER, ":prevOwner", s(owner))
                .condition("#c = :expected", ":expected", n(observed.counter()))
                .condition("#o = :prevOwner")
                .condition("attribute_not_exists(#co)");
        u.names.put("#c", LEASE_COUNTER);
        return race(observed, u);
    }

    /**
     * Ends a handoff another worker requested from this one: removes {@code checkpointOwner} (if still this worker at
     * {@code handedOff}'s counter), so the receiver starts at once. Fails with {@link LeaseLostException} otherwise.
     */
    public CompletableFuture<Lease> finishHandoff(Lease handedOff) {
        return updateHeld(handedOff, "finish handoff", new Update().remove("#co", "#co", CHECKPOINT_OWNER));
    }

    /**
     * Deletes a lease whose shard no longer exists in the stream, if its counter is still what was observed (nobody
     * took or checkpointed it since). Returns true when deleted.
     */
    public CompletableFuture<Boolean> deleteGone(Lease observed) {
        return retrier.call(() -> client.deleteItem(r -> r.tableName(tableName).key(LeaseItems.key(observed.leaseKey()))
                        .conditionExpression("#c = :expected")
                        .expressionAttributeNames(Map.of("#c", LEASE_COUNTER))
                        .expressionAttributeValues(Map.of(":expected", n(observed.counter())))
                        .overrideConfiguration(timeouts)))
                .thenApply(r -> true)
                .exceptionallyCompose(e -> conditionFailed(e) ? CompletableFuture.completedFuture(false)
                        : CompletableFuture.failedFuture(Retrier.unwrap(e)));
    }

    /**
     * Writes a checkpoint on a held lease (or one this worker is handing off): {@code checkpoint} and
     * {@code checkpointSubSequenceNumber} are set, {@code ownerSwitchesSinceCheckpoint} reset, the pending checkpoint
     * removed. Does not validate the position (the {@link LeaseHolding} does); fails with
     * {@link LeaseLostException} if the lease is no longer held at {@code held}'s counter.
     */
    public CompletableFuture<Lease> checkpoint(Lease held, ExtendedSequenceNumber position) {
        return updateHeld(held, "checkpoint", new Update()
                .set("#cp = :cp", "#cp", CHECKPOINT, ":cp", s(position.sequenceNumber()))
                .set("#cps = :cps", "#cps", CHECKPOINT_SUB, ":cps", n(position.subSequenceNumber()))
                .set("#sw = :zero", "#sw", OWNER_SWITCHES, ":zero", n(0))
                .remove("#p", "#p", PENDING_CHECKPOINT).remove("#ps", "#ps", PENDING_CHECKPOINT_SUB)
                .remove("#pst", "#pst", PENDING_CHECKPOINT_STATE));
    }

    /**
     * Writes a pending checkpoint (and application state, or removes old state when {@code state} is null) on a held
     * lease. The committed checkpoint is unchanged. Fails with {@link LeaseLostException} if no longer held.
     */
    public CompletableFuture<Lease> prepareCheckpoint(Lease held, ExtendedSequenceNumber pending, byte[] state) {
        Update u = new Update()
                .set("#p = :p", "#p", PENDING_CHECKPOINT, ":p", s(pending.sequenceNumber()))
                .set("#ps = :ps", "#ps", PENDING_CHECKPOINT_SUB, ":ps", n(pending.subSequenceNumber()));
        if (state != null) {
            u.set("#pst = :pst", "#pst", PENDING_CHECKPOINT_STATE, ":pst", AttributeValue.fromB(SdkBytes.fromByteArray(state)));
        } else {
            u.remove("#pst", "#pst", PENDING_CHECKPOINT_STATE);
        }
        return updateHeld(held, "prepare checkpoint", u);
    }

    /** Records the child shards of a held lease's shard (known at its end). Fails with {@link LeaseLostException}. */
    public CompletableFuture<Lease> updateChildShards(Lease held, Set<String> childShardIds) {
        if (childShardIds == null || childShardIds.isEmpty()) {
            throw new IllegalArgumentException("childShardIds must not be empty");
        }
        return updateHeld(held, "update child shards", new Update()
                .set("#ch = :ch", "#ch", CHILD_SHARD_IDS, ":ch", AttributeValue.fromSs(List.copyOf(childShardIds))));
    }

    /**
     * Deletes a finished lease: only if its checkpoint is {@code SHARD_END}. Call it once every child lease has
     * started (checkpointed past its start), so lineage stays readable while needed. Returns true when deleted, false
     * when the lease is absent or not finished.
     */
    public CompletableFuture<Boolean> deleteFinished(String leaseKey) {
        return retrier.call(() -> client.deleteItem(r -> r.tableName(tableName).key(LeaseItems.key(leaseKey))
                        .conditionExpression("#cp = :end")
                        .expressionAttributeNames(Map.of("#cp", CHECKPOINT))
                        .expressionAttributeValues(Map.of(":end", s(ExtendedSequenceNumber.SHARD_END.sequenceNumber())))
                        .overrideConfiguration(timeouts)))
                .thenApply(r -> true)
                .exceptionallyCompose(e -> conditionFailed(e) ? CompletableFuture.completedFuture(false)
                        : CompletableFuture.failedFuture(Retrier.unwrap(e)));
    }

    /**
     * Stores what this worker measured on a lease it owns: {@code throughputKBps} (KCL 3.x's attribute, so its lease
     * assignment reads it too), {@code shardlineRecordsPerSecond} and {@code shardlineMillisBehindLatest}. Statistics,
     * not a protocol step:
     * conditioned only on this worker being the owner, the counter is not incremented, so it never races a take or a
     * checkpoint. Returns false when the lease is gone or owned by another worker.
     */
    public CompletableFuture<Boolean> recordStats(String leaseKey, double kiloBytesPerSecond, double recordsPerSecond,
                                                  long millisBehindLatest) {
        if (!(kiloBytesPerSecond >= 0) || !(recordsPerSecond >= 0) || millisBehindLatest < 0) {
            throw new IllegalArgumentException("throughput must be >= 0, was " + kiloBytesPerSecond + " KB/s, "
                    + recordsPerSecond + " records/s");
        }
        return retrier.call(() -> client.updateItem(r -> r.tableName(tableName).key(LeaseItems.key(leaseKey))
                        .updateExpression("SET #t = :t, #r = :r, #b = :b")
                        .conditionExpression("#o = :me")
                        .expressionAttributeNames(Map.of("#t", LeaseItems.THROUGHPUT,
                                "#r", LeaseItems.RECORDS_PER_SECOND, "#b", LeaseItems.MILLIS_BEHIND, "#o", LEASE_OWNER))
                        .expressionAttributeValues(Map.of(":t", AttributeValue.fromN(Double.toString(kiloBytesPerSecond)),
                                ":r", AttributeValue.fromN(Double.toString(recordsPerSecond)),
                                ":b", n(millisBehindLatest), ":me", s(workerId)))
                        .overrideConfiguration(timeouts)))
                .thenApply(r -> true)
                .exceptionallyCompose(e -> conditionFailed(e) ? CompletableFuture.completedFuture(false)
                        : CompletableFuture.failedFuture(Retrier.unwrap(e)));
    }

    /**
     * Makes the holding of a lease this worker holds (just taken, or created with this worker as owner). Each
     * acquisition gets its own holding: one made for an earlier acquisition is refused once the lease moved on.
     *
     * @throws IllegalArgumentException if {@code held} is not owned by this worker
     */
    public LeaseHolding hold(Lease held) {
        if (!held.isOwnedBy(workerId)) {
            throw new IllegalArgumentException("lease " + held.leaseKey() + " is owned by "
                    + held.owner().orElse("nobody") + ", not by this worker " + workerId);
        }
        return new LeaseHolding(this, held);
    }

    /** An UpdateItem on a lease this worker holds (or is handing off) at {@code held}'s counter. */
    private CompletableFuture<Lease> updateHeld(Lease held, String what, Update u) {
        u.names.put("#c", LEASE_COUNTER);
        u.names.put("#o", LEASE_OWNER);
        u.names.put("#co", CHECKPOINT_OWNER);
        u.values.put(":held", n(held.counter()));
        u.values.put(":me", s(workerId));
        u.condition("#c = :held AND (#o = :me OR #co = :me)");
        return retrier.call(() -> client.updateItem(u.request(tableName, held.leaseKey(), timeouts)))
                .thenApply(r -> LeaseItems.fromItem(r.attributes()))
                .exceptionallyCompose(e -> conditionFailed(e)
                        ? CompletableFuture.failedFuture(new LeaseLostException(held.leaseKey(), what + " refused: not held by "
                        + workerId + " at leaseCounter " + held.counter()))
                        : CompletableFuture.failedFuture(Retrier.unwrap(e)));
    }

    static boolean conditionFailed(Throwable e) {
        return Retrier.unwrap(e) instanceof ConditionalCheckFailedException;
    }

    /** Collects SET/REMOVE clauses, a condition and expression names/values. */
    private static final class Update {
        final List<String> sets = new ArrayList<>();
        final List<String> removes = new ArrayList<>();
        final List<String> conditions = new ArrayList<>();
        final Map<String, String> names = new HashMap<>();
        final Map<String, AttributeValue> values = new HashMap<>();

        Update set(String clause, String name, String attr, String valueName, AttributeValue value) {
            sets.add(clause);
            names.put(name, attr);
            values.put(valueName, value);
            return this;
        }

        Update remove(String name, String alias, String attr) {
            removes.add(name);
            names.put(alias, attr);
            return this;
        }

        Update condition(String clause, String valueName, AttributeValue value) {
            conditions.add(clause);
            values.put(valueName, value);
            return this;
        }

        Update condition(String clause) {
            conditions.add(clause);
            return this;
        }

        UpdateItemRequest request(String table, String leaseKey, AwsRequestOverrideConfiguration timeouts) {
            StringBuilder expr = new StringBuilder();
            if (!sets.isEmpty()) {
                expr.append("SET ").append(String.join(", ", sets));
            }
            if (!removes.isEmpty()) {
                expr.append(expr.length() > 0 ? " " : "").append("REMOVE ").append(String.join(", ", removes));
            }
            // Every condition also requires the item to exist, so an update never creates a stray item.
            List<String> all = new ArrayList<>(conditions);
            all.add(0, "attribute_exists(#k)");
            names.put("#k", LEASE_KEY);
            return UpdateItemRequest.builder().tableName(table).key(LeaseItems.key(leaseKey))
                    .updateExpression(expr.toString())
                    .conditionExpression(String.join(" AND ", all))
                    .expressionAttributeNames(names)
                    .expressionAttributeValues(values)
                    .returnValues(ReturnValue.ALL_NEW)
                    .overrideConfiguration(timeouts)
                    .build();
        }
    }

    /** Builds a {@link LeaseTable}. */
    public static final class Builder {
        private final DynamoDbAsyncClient client;
        private String applicationName;
        private String tableName;
        private String workerId;
        private Tables.Capacity capacity;
        private int maxAttempts = 6;
        private Duration initialBackoff = Duration.ofMillis(50);
        private Duration maxBackoff = Duration.ofSeconds(2);
        private Duration tableActiveTimeout = Duration.ofMinutes(2);
        private Duration attemptTimeout = Duration.ofSeconds(2);
        private Duration callTimeout = Duration.ofSeconds(5);

        private Builder(DynamoDbAsyncClient client) {
            this.client = client;
        }

        /** The application name (required); also the table name unless {@link #tableName} is set. */
        public Builder applicationName(String applicationName) {
            this.applicationName = applicationName;
            return this;
        }

        /** The table name (default: the application name). */
        public Builder tableName(String tableName) {
            this.tableName = tableName;
            return this;
        }

        /** This worker's id, written as {@code leaseOwner} (required). */
        public Builder workerId(String workerId) {
            this.workerId = workerId;
            return this;
        }

        /** Creates a missing table with provisioned capacity (table and index) instead of on-demand billing (default). */
        public Builder provisioned(long readCapacityUnits, long writeCapacityUnits) {
            if (readCapacityUnits < 1 || writeCapacityUnits < 1) {
                throw new IllegalArgumentException("provisioned capacity units must be >= 1, were read="
                        + readCapacityUnits + " write=" + writeCapacityUnits);
            }
            this.capacity = new Tables.Capacity(readCapacityUnits, writeCapacityUnits);
            return this;
        }

        /** Attempts per call when DynamoDB throttles, including the first (default 6). */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Backoff after the first throttled attempt, doubling (randomised ±50 %) up to {@code max} (default 50 ms, 2 s). */
        public Builder backoff(Duration initial, Duration max) {
            if (initial == null || max == null || initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("backoff must be positive with max >= initial, was " + initial + ", " + max);
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            return this;
        }

        /** How long {@link #createIfMissing()} waits for ACTIVE (default 2 minutes). */
        public Builder tableActiveTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("tableActiveTimeout must be positive, was " + timeout);
            }
            this.tableActiveTimeout = timeout;
            return this;
        }

        /**
         * Time bounds of every lease-table and heartbeat call: one HTTP attempt, and the whole call with the SDK's own
         * retries (default 2 s and 5 s). A consumer sets them from its failover time, so a DynamoDB that stopped
         * answering is noticed in well under a failover time rather than after minutes of retries.
         */
        public Builder timeouts(Duration attempt, Duration call) {
            if (attempt == null || call == null || attempt.isNegative() || attempt.isZero() || call.compareTo(attempt) < 0) {
                throw new IllegalArgumentException("timeouts must be positive with call >= attempt, were " + attempt
                        + ", " + call);
            }
            this.attemptTimeout = attempt;
            this.callTimeout = call;
            return this;
        }

        /** The lease table. */
        public LeaseTable build() {
            return new LeaseTable(this);
        }
    }
}
