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
 * fan-out), DynamoDB calls per lease-minute in steady state (the same interceptor on both clients), and records/s
 * with a slow processor (a sleep per record, as a call to another service would take) sequentially and on per-key
 * lanes.
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

    @Option(names = "--cost-shards", description = "Leases held by one idle worker in the cost run (default ${DEFAULT-VALUE}).")
    int costShards = 16;

    @Option(names = "--cost-seconds", description = "Length of the idle cost window (default ${DEFAULT-VALUE}).")
    double costSeconds = 60;

    @Option(names = "--phases", split = ",",
            description = "Which runs: throughput, latency, cost, failover, slow, moves (default all but moves).")
    List<String> phases = List.of("throughput", "latency", "cost", "failover", "slow");

    @Option(names = "--slow-records", description = "Slow-processor run: records pre-filled (default ${DEFAULT-VALUE}).")
    long slowRecords = 8_000;

    @Option(names = "--slow-keys", description = "Slow-processor run: partition keys (default ${DEFAULT-VALUE}).")
    int slowKeys = 100;

    @Option(names = "--sleep-ms", description = "Slow-processor run: milliseconds per record (default ${DEFAULT-VALUE}).")
    int sleepMs = 5;

    @Option(names = "--lanes", description = "Slow-processor run: Shardline's perKeyParallelism (default ${DEFAULT-VALUE}).")
    int lanes = 16;

    @Option(names = "--skip-failover", description = "Skip the failover and handoff runs (child JVMs).")
    boolean skipFailover;

    @Option(names = "--limits", description = "Enforce per-shard Kinesis limits on the endpoint (default off).")
    boolean limits;

    @Option(names = "--skip-kcl", description = "Measure Shardline only.")
    boolean skipKcl;

    @Option(names = "--skip-shardline", description = "Measure KCL only.")
    boolean skipShardline;

    @Option(names = "--survivor-first", description = "Failover/handoff: start the surviving worker before the child "
            + "(for KCL the first worker becomes the leader, so this kills or closes a non-leader; default: the child "
            + "starts first and is KCL's leader).")
    boolean survivorFirst;

    @Option(names = "--modes", split = ",", description = "polling, fan-out (default both).")
    List<String> modes = List.of("polling", "fan-out");

    private final PrintStream out = System.out;

    /** One contender's figures. */
    static final class Result {
        final String contender;
        final Map<String, String> values = new LinkedHashMap<>() {
            @Override
            public String put(String key, String value) {
                System.err.println("bench consumer: result: " + contender + ": " + key + " = " + value);
                return super.put(key, value);
            }
        };

        Result(String contender) {
            this.contender = contender;
        }
    }

    @Override
    public Integer call() throws Exception {
        try (LocalKinesis kinesis = LocalKinesis.builder().port(0).tlsPort(0).limitsEnabled(limits).build().start();
             LocalDynamoDb dynamo = new LocalDynamoDb().start();
             KinesisAsyncClient http = LocalClients.kinesis(kinesis.endpoint());
             KinesisAsyncClient h2 = LocalClients.kinesis(kinesis.tlsEndpoint())) {
            List<Contender> contenders = new ArrayList<>();
            if (!skipShardline) {
                contenders.add(new ShardlineContender(http, h2, dynamo.endpoint()));
            }
            if (!skipKcl) {
                contenders.add(new KclContender(http, h2, dynamo.endpoint(), kinesis.endpoint()));
            }
            LoadGenerator load = new LoadGenerator(http, recordSize);
            String filled = "bench-fill";
            if (phases.contains("throughput")) {
                kinesis.createStream(filled, shards);
                log("pre-filling %,d records of %d B into %d shards", records, recordSize, shards);
                // With --limits the endpoint refuses writes above 1 MiB/s per shard: re-put those (the backlog the
                // consumer then catches up on at the read limit).
                long failed = limits ? load.fillThrottled(filled, records, Duration.ofMinutes(10))
                        : load.fill(filled, records);
                if (failed > 0) {
                    throw new IllegalStateException(failed + " records failed to put");
                }
            }
            String slow = "bench-slow";
            if (phases.contains("slow")) {
                kinesis.createStream(slow, shards);
                log("pre-filling %,d records over %d keys into %d shards for the slow-processor run", slowRecords,
                        slowKeys, shards);
                if (load.fill(slow, slowRecords, slowKeys) > 0) {
                    throw new IllegalStateException("records failed to put");
                }
            }
            warmUpEndpoints(kinesis, dynamo, http, filled);
            Map<String, Result> results = new LinkedHashMap<>();
            for (Contender c : contenders) {
                Result r = new Result(c.name());
                results.put(c.name(), r);
                c.warmUp();
                if (phases.contains("throughput")) {
                    throughput(c, filled, r);
                }
                for (String mode : phases.contains("latency") ? modes : List.<String>of()) {
                    latency(c, kinesis, load, mode.equals("fan-out"), r);
                }
                if (phases.contains("cost")) {
                    idleCost(c, kinesis, load, r);
                }
                if (!skipFailover && phases.contains("failover")) {
                    moveLeases(c, kinesis, dynamo, http, true, r);
                    moveLeases(c, kinesis, dynamo, http, false, r);
                }
                if (phases.contains("slow")) {
                    slowProcessor(c, slow, "", r);
                    if (c instanceof ShardlineContender s) {
                        slowProcessor(s.withLanes(lanes, dynamo.endpoint()), slow, ", " + lanes + " lanes", r);
                    }
                }
                if (phases.contains("moves")) {
                    joinAndClose(c, kinesis, dynamo, http, r);
                }
            }
            printTable(results);
            if (phases.contains("slow") && !skipKcl && !skipShardline) {
                double laned = number(results.get("Shardline").values.get(slowKey(", " + lanes + " lanes")));
                double kcl = number(results.get("KCL 3.1.0").values.get(slowKey("")));
                double sequential = number(results.get("Shardline").values.get(slowKey("")));
                out.printf("%nslow processor: Shardline with %d lanes = %.1fx KCL, %.1fx sequential Shardline%n", lanes,
                        laned / kcl, laned / sequential);
            }
        }
        return 0;
    }

    /**
     * Pays the embedded endpoints' first-use costs (DynamoDB Local's first table, the first large GetRecords) before
     * any contender is timed, so the first contender measured is not penalised for them.
     */
    private void warmUpEndpoints(LocalKinesis kinesis, LocalDynamoDb dynamo, KinesisAsyncClient http, String filled)
            throws InterruptedException {
        var client = Clients.dynamo(dynamo.endpoint(), new DynamoCallCounter());
        dev.shardline.checkpoint.LeaseTable.builder(client).applicationName("bench-warm-up").workerId("warm-up")
                .build().createIfMissing().join();
        client.deleteTable(b -> b.tableName("bench-warm-up")).join();
        if (phases.contains("throughput")) {
            String shard = http.listShards(b -> b.streamName(filled)).join().shards().get(0).shardId();
            String it = http.getShardIterator(b -> b.streamName(filled).shardId(shard)
                    .shardIteratorType("TRIM_HORIZON")).join().shardIterator();
            http.getRecords(b -> b.shardIterator(it).limit(10_000)).join();
            if (limits) {
                // That read (up to 10 MiB) overdrew shard 0's 2 MiB/s read budget: let it refill, or the first
                // contender's first reads of that shard would be throttled for seconds.
                Thread.sleep(6_000);
            }
        }
    }

    private void throughput(Contender c, String stream, Result r) throws Exception {
        Sink sink = new Sink();
        log("%s: throughput over %,d records (polling, one worker)", c.name(), records);
        long t0 = System.nanoTime();
        try (Contender.Worker w = c.start(app(c, "tp"), stream, "w1", false, sink)) {
            // The 10% and 90% marks: the steady read rate, without the first reads (a 10 MiB GetRecords on a
            // fresh shard) or the tail.
            // Process CPU between the same marks, per record: nothing is put meanwhile, so it is the consumer's
            // work (reads, hand-offs, checkpoints, processing) plus the embedded endpoint answering its reads.
            long[] marks = new long[2];
            long[] cpu = new long[2];
            long[] counted = new long[2];
            await(Duration.ofMinutes(10), () -> {
                long n = sink.count();
                if (marks[0] == 0 && n >= records / 10) {
                    marks[0] = System.nanoTime();
                    cpu[0] = processCpuNanos();
                    counted[0] = n;
                }
                if (marks[1] == 0 && n >= records * 9 / 10) {
                    marks[1] = System.nanoTime();
                    cpu[1] = processCpuNanos();
                    counted[1] = n;
                }
                return n >= records;
            });
            double ttfr = (sink.firstNanos() - t0) / 1e9;
            double secs = (sink.lastNanos() - sink.firstNanos()) / 1e9;
            r.values.put("time to first record (s)", String.format("%.1f", ttfr));
            r.values.put("records/s, one worker (polling)", String.format("%,.0f", records / Math.max(secs, 1e-3)));
            // Per shard, against the service's 2 MiB/s read limit (meaningful with --limits).
            double steady = (marks[1] - marks[0]) / 1e9;
            r.values.put("process CPU us per record, backlog (10% to 90%)", String.format("%.1f",
                    (cpu[1] - cpu[0]) / 1e3 / Math.max(1, counted[1] - counted[0])));
            r.values.put("MiB/s per shard, 10% to 90% of the backlog (" + shards + " shards, " + recordSize
                    + " B records)", String.format("%.2f",
                    0.8 * records * recordSize / shards / Math.max(steady, 1e-3) / (1 << 20)));
        }
    }

    private String slowKey(String variant) {
        return "records/s, " + sleepMs + " ms/record processor, " + slowKeys + " keys, one worker" + variant;
    }

    private static double number(String s) {
        return s == null ? Double.NaN : Double.parseDouble(s.replace(",", ""));
    }

    /**
     * A processor that sleeps {@code sleepMs} per record over {@code slowRecords} records (pre-filled, {@code slowKeys}
     * keys): records/s from the first record to the last (start-up excluded), and the process CPU time per record
     * over the last four fifths (this JVM holds the embedded endpoints too, so it is an upper bound, the same for
     * every contender).
     */
    private void slowProcessor(Contender c, String stream, String variant, Result r) throws Exception {
        Sink sink = new Sink(sleepMs * 1_000_000L);
        log("%s: slow processor (%d ms/record) over %,d records%s", c.name(), sleepMs, slowRecords, variant);
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        String app = app(c, "slow" + variant.replaceAll("[^0-9]", ""));
        try (Contender.Worker w = c.start(app, stream, "w1", false, sink)) {
            // CPU from a fifth of the way in: start-up (tables, leases, first reads) is not per-record work.
            await(Duration.ofMinutes(10), () -> sink.count() >= slowRecords / 5);
            long cpu0 = os.getProcessCpuTime();
            long counted0 = sink.count();
            await(Duration.ofMinutes(30), () -> sink.count() >= slowRecords);
            double cpuPerRecord = (os.getProcessCpuTime() - cpu0) / 1e3 / Math.max(1, sink.count() - counted0);
            double secs = (sink.lastNanos() - sink.firstNanos()) / 1e9;
            r.values.put(slowKey(variant), String.format("%,.0f", slowRecords / Math.max(secs, 1e-3)));
            r.values.put("process CPU us per record, slow processor" + variant, String.format("%.0f", cpuPerRecord));
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
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

    /** Lease upkeep alone: one worker holding costShards leases, no traffic, no checkpoints. */
    private void idleCost(Contender c, LocalKinesis kinesis, LoadGenerator load, Result r) throws Exception {
        String stream = app(c, "cost");
        kinesis.createStream(stream, costShards);
        Sink sink = new Sink();
        log("%s: idle DynamoDB cost, %d leases, %.0f s", c.name(), costShards, costSeconds);
        try (Contender.Worker w = c.start(stream, stream, "w1", false, sink)) {
            long warm = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (sink.shardsSeen().size() < costShards && System.nanoTime() < warm) {
                load.fill(stream, costShards * 20L);
                Thread.sleep(500);
            }
            Thread.sleep(5000);
            c.dynamoCalls().start();
            long t0 = System.nanoTime();
            Thread.sleep((long) (costSeconds * 1000));
            double minutes = (System.nanoTime() - t0) / 6e10;
            c.dynamoCalls().stop();
            r.values.put("DynamoDB calls per lease-minute, idle (1 worker, " + costShards + " leases)",
                    String.format("%.1f", c.dynamoCalls().total() / (costShards * minutes)));
            log("%s idle DynamoDB calls in %.2f min: %s", c.name(), minutes, c.dynamoCalls().byOperation());
        }
    }

    /**
     * Failover (kill = true: SIGKILL) or handoff (graceful close) of a worker in a child JVM holding some of the
     * leases (half, or whatever split KCL's leader settles on): the time from the kill or the close request until
     * records of every one of its shards flow again through the surviving worker (live traffic at 200 records/s
     * throughout). The child's output is kept in a temp file, named in the log.
     */
    private void moveLeases(Contender c, LocalKinesis kinesis, LocalDynamoDb dynamo, KinesisAsyncClient http,
                            boolean kill, Result r) throws Exception {
        String what = kill ? "failover" : "handoff";
        String stream = app(c, what);
        kinesis.createStream(stream, shards);
        log("%s: %s of a worker in a child JVM (%d shards)", c.name(), what, shards);
        String javaBin = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(javaBin, "-Dorg.slf4j.simpleLogger.showDateTime=true",
                "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS", "-cp", System.getProperty("java.class.path"),
                WorkerProcess.class.getName(), c.name().startsWith("KCL") ? "kcl" : "shardline",
                kinesis.endpoint().toString(), dynamo.endpoint().toString(), stream, stream, "victim");
        // The child's output goes to a file (never an undrained pipe, which would block it once full).
        java.io.File childLog = java.nio.file.Files.createTempFile("bench-" + stream + "-", ".log").toFile();
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(childLog));
        log("%s: child JVM output in %s", c.name(), childLog);
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        Process victim = null;
        java.util.concurrent.atomic.AtomicBoolean producing = liveTraffic(http, stream);
        dev.shardline.checkpoint.LeaseTable table = observer(dynamo, stream);
        Sink sink = new Sink();
        Contender.Worker survivor = null;
        String first = survivorFirst ? "survivor" : "victim";
        try {
            long started = System.nanoTime();
            if (survivorFirst) {
                survivor = c.start(stream, stream, "survivor", false, sink);
            } else {
                victim = pb.start();
            }
            // KCL at its defaults needs 1-30 s (empty-table wait) + 60 s (its first shard sync sleeps
            // shardSyncIntervalMillis) + one or two lease-assignment runs (20 s apart) before the first worker holds
            // leases.
            await(Duration.ofMinutes(5), () -> owned(table, first).size() == shards);
            log("%s: the %s owns all %d leases after %.1f s", c.name(), first, shards,
                    (System.nanoTime() - started) / 1e9);
            if (survivorFirst) {
                victim = pb.start();
            } else {
                survivor = c.start(stream, stream, "survivor", false, sink);
            }
            // KCL 3.x's leader moves leases by measured throughput, one step per assignment run, and may settle on an
            // uneven split: wait for an even one for a while, then take any split where both workers hold leases.
            long joined = System.nanoTime();
            await(Duration.ofMinutes(5), () -> {
                List<String> v = owned(table, "victim");
                List<String> s = owned(table, "survivor");
                boolean even = v.size() == shards / 2 && s.size() == shards - shards / 2;
                boolean settled = System.nanoTime() - joined > Duration.ofSeconds(90).toNanos()
                        && !v.isEmpty() && !s.isEmpty() && v.size() + s.size() == shards;
                return even || settled;
            });
            List<String> moving = owned(table, "victim");
            log("%s: split victim %s / survivor %s after %.1f s", c.name(), moving, owned(table, "survivor"),
                    (System.nanoTime() - joined) / 1e9);
            r.values.put(what + ", child started " + (survivorFirst ? "second" : "first") + ": leases child / survivor", moving.size() + " / " + (shards - moving.size()));
            Thread.sleep(2000);
            long t0 = System.nanoTime();
            if (kill) {
                victim.destroyForcibly();
            } else {
                victim.getOutputStream().write("close\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
                victim.getOutputStream().flush();
            }
            // KCL: a killed leader is replaced only when its leader lock expires (2 minutes), then leases are assigned.
            await(Duration.ofMinutes(5), () -> moving.stream().allMatch(s -> sink.lastSeen(s) > t0));
            long flowing = moving.stream().mapToLong(sink::lastSeen).max().orElseThrow();
            r.values.put(moveKey(kill),
                    String.format("%.2f", (flowing - t0) / 1e9));
        } catch (IllegalStateException timedOut) {
            log("%s %s: %s", c.name(), what, timedOut.getMessage());
            r.values.put(moveKey(kill), "timed out");
        } finally {
            producing.set(false);
            if (victim != null) {
                victim.destroyForcibly();
            }
            if (survivor != null) {
                survivor.close();
            }
        }
    }

    /**
     * Join and close with both workers in this JVM, so one sink sees every record: worker "a" holds every lease, "b"
     * starts (time until the split is even), then "a" closes (time until "b" holds everything). For the shards that
     * moved, the longest gap between two consecutive records while each move happened, against the longest gap over
     * the same shards in an equally long window before it (live traffic at 200 records/s; polling idles 200 ms).
     */
    private void joinAndClose(Contender c, LocalKinesis kinesis, LocalDynamoDb dynamo, KinesisAsyncClient http,
                              Result r) throws Exception {
        String stream = app(c, "moves");
        kinesis.createStream(stream, shards);
        java.util.concurrent.atomic.AtomicBoolean producing = liveTraffic(http, stream);
        dev.shardline.checkpoint.LeaseTable table = observer(dynamo, stream);
        Sink sink = new Sink();
        Contender.Worker a = null;
        Contender.Worker b = null;
        try {
            a = c.start(stream, stream, "a", false, sink);
            await(Duration.ofMinutes(5), () -> owned(table, "a").size() == shards);
            Thread.sleep(3000);
            List<String> all = owned(table, "a");
            double baseline = maxGap(sink, all, 3000);
            sink.gaps(true);
            long t0 = System.nanoTime();
            b = c.start(stream, stream, "b", false, sink);
            await(Duration.ofMinutes(5), () -> owned(table, "b").size() == shards / 2
                    && owned(table, "a").size() == shards - shards / 2);
            double join = (System.nanoTime() - t0) / 1e9;
            List<String> toB = owned(table, "b");
            Thread.sleep(1000);
            double joinPause = toB.stream().mapToDouble(sink::maxGapMillis).max().orElse(0);
            List<String> fromA = owned(table, "a");
            double baselineA = maxGap(sink, fromA, 3000);
            sink.gaps(true);
            long t1 = System.nanoTime();
            a.close();
            a = null;
            double closed = (System.nanoTime() - t1) / 1e9;
            await(Duration.ofMinutes(5), () -> owned(table, "b").size() == shards
                    && fromA.stream().allMatch(s -> sink.lastSeen(s) > t1));
            double moved = (System.nanoTime() - t1) / 1e9;
            Thread.sleep(1000);
            double closePause = fromA.stream().mapToDouble(sink::maxGapMillis).max().orElse(0);
            sink.gaps(false);
            log("%s: join even after %.2f s, max pause %.0f ms (baseline %.0f); close() %.2f s, all moved after "
                    + "%.2f s, max pause %.0f ms (baseline %.0f)", c.name(), join, joinPause, baseline, closed, moved,
                    closePause, baselineA);
            r.values.put("join: second worker at an even split (s)", String.format("%.2f", join));
            r.values.put("join: longest gap between records of a moved shard, ms (same shards before)",
                    String.format("%.0f (%.0f)", joinPause, baseline));
            r.values.put("close: close() returned / every shard flowing on the other worker (s)",
                    String.format("%.2f / %.2f", closed, moved));
            r.values.put("close: longest gap between records of a moved shard, ms (same shards before)",
                    String.format("%.0f (%.0f)", closePause, baselineA));
        } catch (IllegalStateException timedOut) {
            log("%s moves: %s", c.name(), timedOut.getMessage());
            r.values.put("join", "timed out");
        } finally {
            producing.set(false);
            if (a != null) {
                a.close();
            }
            if (b != null) {
                b.close();
            }
        }
    }

    /** Puts 200 records/s into {@code stream} on a daemon thread until the returned flag is cleared. */
    private java.util.concurrent.atomic.AtomicBoolean liveTraffic(KinesisAsyncClient http, String stream) {
        java.util.concurrent.atomic.AtomicBoolean producing = new java.util.concurrent.atomic.AtomicBoolean(true);
        LoadGenerator load = new LoadGenerator(http, recordSize);
        Thread producer = new Thread(() -> {
            try {
                while (producing.get()) {
                    load.live(stream, 200, 1);
                }
            } catch (Exception e) {
                log("producer stopped: %s", e);
            }
        });
        producer.setDaemon(true);
        producer.start();
        return producing;
    }

    /** A reader of the application's lease table (its own client, so the contender's call counts stay its own). */
    private static dev.shardline.checkpoint.LeaseTable observer(LocalDynamoDb dynamo, String app) {
        return dev.shardline.checkpoint.LeaseTable.builder(Clients.dynamo(dynamo.endpoint(), new DynamoCallCounter()))
                .applicationName(app).workerId("observer").build();
    }

    /** The longest gap between records of {@code shardIds} over the next {@code millis}. */
    private static double maxGap(Sink sink, List<String> shardIds, long millis) throws InterruptedException {
        sink.gaps(true);
        Thread.sleep(millis);
        sink.gaps(false);
        return shardIds.stream().mapToDouble(sink::maxGapMillis).max().orElse(0);
    }

    private String moveKey(boolean kill) {
        return (kill ? "failover after kill -9" : "handoff on clean close") + ", child started "
                + (survivorFirst ? "second" : "first") + " (s, records flowing again)";
    }

    private static List<String> owned(dev.shardline.checkpoint.LeaseTable table, String owner) {
        try {
            // A lease in graceful handoff (checkpointOwner set) names its receiver as owner before it has moved.
            return table.listLeases().join().stream()
                    .filter(l -> l.isOwnedBy(owner) && !l.isFinished() && !l.isInHandoff())
                    .map(dev.shardline.checkpoint.Lease::leaseKey).sorted().toList();
        } catch (RuntimeException notYet) {
            return List.of();
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
