package dev.shardline.bench.consumer;

import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalDynamoDb;
import dev.shardline.local.LocalKinesis;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * {@code shardline bench consumer}: Shardline's consumer and Amazon's KCL 3.1.0 on the same embedded endpoints in
 * the same run: records/s on one worker, time from start to the first record, put-to-process latency (polling and
 * fan-out) and DynamoDB calls per lease-minute in steady state (the same interceptor on both clients).
 */
@Command(name = "consumer", mixinStandardHelpOptions = true,
        description = "Consumer benchmark: Shardline vs Amazon KCL 3.1.0 on the embedded endpoints.")
public final class ConsumerCommand implements Callable<Integer> {
    @Option(names = "--shards", description = "Shards per stream (default ${DEFAULT-VALUE}).")
    int shards = 4;

    @Option(names = "--records", description = "Records pre-filled for the throughput run (default ${DEFAULT-VALUE}).")
    long records = 100_000;

    @Option(names = "--record-size", description = "Bytes per record (default ${DEFAULT-VALUE}).")
    int recordSize = 100;

    @Option(names = "--rate", description = "Records/s put during the latency runs (default ${DEFAULT-VALUE}).")
    int rate = 500;

    @Option(names = "--latency-seconds", description = "Length of each latency run (default ${DEFAULT-VALUE}).")
    double latencySeconds = 30;

    @Option(names = "--limits", description = "Enforce per-shard Kinesis limits on the endpoint (default off).")
    boolean limits;

    @Option(names = "--skip-kcl", description = "Measure Shardline only.")
    boolean skipKcl;

    @Option(names = "--modes", split = ",", description = "polling, fan-out (default both).")
    List<String> modes = List.of("polling", "fan-out");

    private final PrintStream out = System.out;

    /** One contender's figures. */
    static final class Result {
        final Map<String, String> values = new LinkedHashMap<>();
    }

    @Override
    public Integer call() throws Exception {
        try (LocalKinesis kinesis = LocalKinesis.builder().port(0).tlsPort(0).limitsEnabled(limits).build().start();
             LocalDynamoDb dynamo = new LocalDynamoDb().start();
             KinesisAsyncClient http = LocalClients.kinesis(kinesis.endpoint());
             KinesisAsyncClient h2 = LocalClients.kinesis(kinesis.tlsEndpoint())) {
            List<Contender> contenders = new ArrayList<>();
            contenders.add(new ShardlineContender(http, h2, dynamo.endpoint()));
            if (!skipKcl) {
                contenders.add(new KclContender(http, h2, dynamo.endpoint(), kinesis.endpoint()));
            }
            LoadGenerator load = new LoadGenerator(http, recordSize);
            String filled = "bench-fill";
            kinesis.createStream(filled, shards);
            log("pre-filling %,d records of %d B into %d shards", records, recordSize, shards);
            long failed = load.fill(filled, records);
            if (failed > 0) {
                throw new IllegalStateException(failed + " records failed to put");
            }
            Map<String, Result> results = new LinkedHashMap<>();
            for (Contender c : contenders) {
                Result r = new Result();
                results.put(c.name(), r);
                throughput(c, filled, r);
                for (String mode : modes) {
                    latency(c, kinesis, load, mode.equals("fan-out"), r);
                }
            }
            printTable(results);
        }
        return 0;
    }

    private void throughput(Contender c, String stream, Result r) throws Exception {
        Sink sink = new Sink();
        log("%s: throughput over %,d records (polling, one worker)", c.name(), records);
        long t0 = System.nanoTime();
        try (Contender.Worker w = c.start(app(c, "tp"), stream, "w1", false, sink)) {
            await(Duration.ofMinutes(10), () -> sink.count() >= records);
            double ttfr = (sink.firstNanos() - t0) / 1e9;
            double secs = (sink.lastNanos() - sink.firstNanos()) / 1e9;
            r.values.put("time to first record (s)", String.format("%.1f", ttfr));
            r.values.put("records/s, one worker (polling)", String.format("%,.0f", records / Math.max(secs, 1e-3)));
        }
    }

    private void latency(Contender c, LocalKinesis kinesis, LoadGenerator load, boolean fanOut, Result r)
            throws Exception {
        String mode = fanOut ? "fan-out" : "polling";
        String stream = app(c, "lat-" + mode);
        kinesis.createStream(stream, shards);
        Sink sink = new Sink();
        log("%s: put-to-process latency, %s, %d rec/s for %.0f s", c.name(), mode, rate, latencySeconds);
        try (Contender.Worker w = c.start(app(c, "lat-" + mode), stream, "w1", fanOut, sink)) {
            // Warm up until every shard delivers, then measure steady state.
            long warm = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (sink.shardsSeen().size() < shards && System.nanoTime() < warm) {
                load.live(stream, rate, 1);
            }
            load.live(stream, rate, 3);
            sink.latency(true);
            c.dynamoCalls().start();
            long t0 = System.nanoTime();
            load.live(stream, rate, latencySeconds);
            double minutes = (System.nanoTime() - t0) / 6e10;
            c.dynamoCalls().stop();
            Thread.sleep(1500);
            sink.latency(false);
            r.values.put("put-to-process p50 / p99 ms (" + mode + ")",
                    String.format("%.0f / %.0f", sink.percentileMillis(50), sink.percentileMillis(99)));
            if (!fanOut) {
                double perLeaseMinute = c.dynamoCalls().total() / (shards * minutes);
                r.values.put("DynamoDB calls per lease-minute (1 worker, " + shards + " leases, checkpoint 1/s)",
                        String.format("%.1f", perLeaseMinute));
                log("%s DynamoDB calls in %.2f min: %s", c.name(), minutes, c.dynamoCalls().byOperation());
            }
        }
    }

    private static String app(Contender c, String what) {
        return (c.name().startsWith("KCL") ? "kcl-" : "shardline-") + what;
    }

    private static void await(Duration timeout, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out after " + timeout);
            }
            Thread.sleep(5);
        }
    }

    private void printTable(Map<String, Result> results) {
        List<String> names = new ArrayList<>(results.keySet());
        out.println();
        out.println("| measure | " + String.join(" | ", names) + " |");
        out.println("| --- |" + " --- |".repeat(names.size()));
        for (String key : results.get(names.get(0)).values.keySet()) {
            StringBuilder row = new StringBuilder("| " + key + " |");
            for (String n : names) {
                row.append(' ').append(results.get(n).values.getOrDefault(key, "n/a")).append(" |");
            }
            out.println(row);
        }
    }

    private void log(String format, Object... args) {
        System.err.println("bench consumer: " + String.format(format, args));
    }
}
