package dev.shardline.bench;

import dev.shardline.aggregation.Aggregator;
import dev.shardline.aggregation.Deaggregator;
import dev.shardline.aggregation.HashKeyRange;
import dev.shardline.aggregation.HashKeys;
import dev.shardline.aggregation.KinesisRecord;
import dev.shardline.aggregation.UserRecord;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/**
 * User records per second through aggregation and de-aggregation, one thread. Each invocation handles
 * {@value #BATCH} user records, so JMH's ops/s are user records/s.
 *
 * <p>Workload: {@code recordBytes} of random data per user record, partition keys drawn from 1,000 truck ids
 * ({@code truck-<n>}) that all hash into the lower half of the key space, no explicit hash keys, aggregates of at
 * most 64 KiB and 4,096 user records (Shardline's producer defaults). De-aggregation reads those aggregates back the
 * way a consumer of a two-shard stream does: checking every user record against the shard's hash-key range (the
 * lower half, so nothing is dropped), touching each user record's partition key and data. Amazon KCL 3.1.0's {@code AggregatorUtil.deaggregate} is measured on the very same bytes; KPL has no Java
 * aggregator to measure (its native daemon aggregates).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AggregationBenchmark {
    static final int BATCH = 16_384;
    private static final int MAX_BYTES = 64 * 1024;
    private static final int MAX_COUNT = 4096;
    /** The first of two shards: the lower half of the hash-key space. */
    private static final HashKeyRange SHARD = new HashKeyRange(BigInteger.ZERO,
            BigInteger.ONE.shiftLeft(127).subtract(BigInteger.ONE));
    private static final Instant ARRIVAL = Instant.parse("2026-01-01T00:00:00Z");

    @Param({"100", "1024"})
    public int recordBytes;

    private String[] partitionKeys;
    private byte[][] data;
    private Aggregator aggregator;
    private List<UserRecord> shardlineInput;
    private List<KinesisClientRecord> kclInput;
    private final AggregatorUtil kcl = new AggregatorUtil();

    @Setup
    public void setUp() {
        Random random = new Random(1);
        List<String> lowerHalfKeys = new ArrayList<>();
        for (int n = 0; lowerHalfKeys.size() < 1000; n++) {
            String key = "truck-" + n;
            if (SHARD.contains(HashKeys.hashKey(key))) {
                lowerHalfKeys.add(key);
            }
        }
        partitionKeys = new String[BATCH];
        data = new byte[BATCH][];
        for (int i = 0; i < BATCH; i++) {
            partitionKeys[i] = lowerHalfKeys.get(random.nextInt(lowerHalfKeys.size()));
            data[i] = new byte[recordBytes];
            random.nextBytes(data[i]);
        }
        aggregator = new Aggregator(MAX_BYTES, MAX_COUNT);
        shardlineInput = new ArrayList<>();
        kclInput = new ArrayList<>();
        Aggregator setup = new Aggregator(MAX_BYTES, MAX_COUNT);
        for (int i = 0; i < BATCH; i++) {
            if (!setup.add(partitionKeys[i], null, data[i])) {
                addCarrier(setup.build());
                setup.add(partitionKeys[i], null, data[i]);
            }
        }
        addCarrier(setup.build());
        check();
    }

    private void addCarrier(KinesisRecord record) {
        String sequenceNumber = "4959" + String.format("%052d", shardlineInput.size());
        shardlineInput.add(UserRecord.kinesisRecord(sequenceNumber, record.partitionKey(), record.data(), ARRIVAL));
        kclInput.add(KinesisClientRecord.builder().sequenceNumber(sequenceNumber).partitionKey(record.partitionKey())
                .approximateArrivalTimestamp(ARRIVAL).data(ByteBuffer.wrap(record.data())).build());
    }

    /** Fails the run early if the two de-aggregators do not see the same records. */
    private void check() {
        int ours = Deaggregator.deaggregate(shardlineInput, SHARD).size();
        int theirs = kcl.deaggregate(kclInput.stream().map(r -> r.toBuilder().data(r.data().duplicate()).build())
                .toList(), SHARD.startingHashKey(), SHARD.endingHashKey()).size();
        if (ours != BATCH || theirs != BATCH) {
            throw new IllegalStateException("expected " + BATCH + " user records, Shardline " + ours + ", KCL " + theirs);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void aggregateShardline(Blackhole bh) {
        Aggregator aggregator = this.aggregator;
        for (int i = 0; i < BATCH; i++) {
            if (!aggregator.add(partitionKeys[i], null, data[i])) {
                bh.consume(aggregator.build());
                aggregator.add(partitionKeys[i], null, data[i]);
            }
        }
        bh.consume(aggregator.build());
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void deaggregateShardline(Blackhole bh) {
        for (UserRecord user : Deaggregator.deaggregate(shardlineInput, SHARD)) {
            bh.consume(user.partitionKey());
            bh.consume(user.data());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void deaggregateKcl(Blackhole bh) {
        // KCL reads the records' ByteBuffers: hand it fresh views each time (one per aggregate, ~4 per invocation).
        List<KinesisClientRecord> input = new ArrayList<>(kclInput.size());
        for (KinesisClientRecord record : kclInput) {
            input.add(record.toBuilder().data(record.data().duplicate()).build());
        }
        for (KinesisClientRecord user : kcl.deaggregate(input, SHARD.startingHashKey(), SHARD.endingHashKey())) {
            bh.consume(user.partitionKey());
            bh.consume(user.data());
        }
    }
}
