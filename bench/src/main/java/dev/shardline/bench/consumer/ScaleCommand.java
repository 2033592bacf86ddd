package dev.shardline.bench.consumer;

import dev.shardline.bench.producer.ProcStats;
import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalDynamoDb;
import dev.shardline.local.LocalKinesis;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * {@code bench scale}: one application of many idle shards on several Shardline workers, each in its own JVM, against
 * embedded LocalKinesis with the service's limits and DynamoDB Local. Measures the time until every lease is owned and
 * the counts are even (settle), then over an idle window each worker's threads, RSS, CPU and DynamoDB capacity, then
 * the time until the leases of a worker killed with SIGKILL are owned again and even (re-balance).
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Many shards on several Shardline workers (child JVMs): settle time, threads, RSS, CPU and"
                + " DynamoDB capacity per idle lease, re-balance after kill -9.")
public final class ScaleCommand implements Callable<Integer> {
    @Option(names = "--shards", description = "shards = leases (default: ${DEFAULT-VALUE})")
    int shards = 1000;

    @Option(names = "--workers", description = "worker JVMs (default: ${DEFAULT-VALUE})")
    int workers = 4;

    @Option(names = "--idle-ms", description = "idleTimeBetweenReads of the workers, ms (default: ${DEFAULT-VALUE})")
    long idleMillis = 1000;

    @Option(names = "--measure", description = "seconds of the idle window measured after settling (default: ${DEFAULT-VALUE})")
    int measureSeconds = 60;

    @Option(names = "--heap", description = "worker -Xmx (default: ${DEFAULT-VALUE})")
    String heap = "256m";

    @Option(names = "--no-kill", description = "skip the kill -9 phase")
    boolean noKill;

    /** The latest stats line of each worker. */
    private final Map<String, String> stats = new ConcurrentHashMap<>();

    @Override
    public Integer call() throws Exception {
        try (LocalKinesis kinesis = LocalKinesis.builder().port(0).tlsPort(0).limitsEnabled(true)
                // the service's per-account shard limit (500 by default) is raised on request, as a 1,000-shard
                // application would have; every per-shard and per-stream limit stays on
                .shardLimit(Math.max(500, shards)).build().start();
             LocalDynamoDb dynamo = new LocalDynamoDb().start();
             DynamoDbAsyncClient observerClient = LocalClients.dynamoDb(dynamo.endpoint())) {
            String stream = "scale-" + shards;
            String app = "scale-" + Long.toHexString(System.nanoTime());
            kinesis.createStream(stream, shards);
            LeaseTable table = LeaseTable.builder(observerClient).applicationName(app).workerId("observer").build();
            System.out.printf(Locale.ROOT, "scale: %d shards, %d workers (-Xmx%s), idle poll %d ms, limits on%n",
                    shards, workers, heap, idleMillis);
            List<Process> procs = new ArrayList<>();
            long t0 = System.nanoTime();
            try {
                for (int i = 0; i < workers; i++) {
                    procs.add(launch(kinesis, dynamo, app, stream, "worker-" + i));
                }
                Set<String> all = new java.util.TreeSet<>();
                for (int i = 0; i < workers; i++) {
                    all.add("worker-" + i);
                }
                double settle = awaitBalanced(table, all, t0, TimeUnit.MINUTES.toNanos(10));
                System.out.printf(Locale.ROOT, "settled (all %d owned, counts within 1) after %.1f s: %s%n", shards,
                        settle, counts(table));
                Thread.sleep(10_000); // let start-up work (lease creation, first reads) pass
                Map<String, double[]> before = sample(procs);
                long w0 = System.nanoTime();
                Thread.sleep(measureSeconds * 1000L);
                Map<String, double[]> after = sample(procs);
                double minutes = (System.nanoTime() - w0) / 60e9;
                double cpu = 0;
                double cu = 0;
                double calls = 0;
                long threads = 0;
                long rss = 0;
                for (int i = 0; i < workers; i++) {
                    String w = "worker-" + i;
                    double[] b = before.get(w);
                    double[] a = after.get(w);
                    cpu += a[0] - b[0];
                    calls += a[1] - b[1];
                    cu += a[2] - b[2];
                    threads += (long) a[3];
                    rss += (long) a[4];
                    System.out.printf(Locale.ROOT, "  %s: held %d, threads %d, RSS %d MiB, CPU %.2f s in %.1f s%n", w,
                            (long) a[5], (long) a[3], (long) a[4] >> 20, a[0] - b[0], minutes * 60);
                }
                System.out.printf(Locale.ROOT, "idle: threads/worker %.0f (leases/worker %d), RSS/worker %d MiB,"
                                + " CPU %.2f ms per idle lease-minute, DynamoDB %.2f CU and %.2f calls per lease-minute%n",
                        threads / (double) workers, shards / workers, rss / workers >> 20,
                        cpu * 1000 / (shards * minutes), cu / (shards * minutes), calls / (shards * minutes));
                if (!noKill) {
                    Process victim = procs.get(0);
                    long killed = System.nanoTime();
                    victim.destroyForcibly();
                    victim.waitFor(10, TimeUnit.SECONDS);
                    Set<String> rest = new java.util.TreeSet<>(all);
                    rest.remove("worker-0");
                    double rebalance = awaitBalanced(table, rest, killed, TimeUnit.MINUTES.toNanos(5));
                    System.out.printf(Locale.ROOT, "re-balanced after kill -9 of worker-0 in %.1f s: %s%n", rebalance,
                            counts(table));
                }
            } finally {
                for (Process p : procs) {
                    p.destroyForcibly();
                }
            }
        }
        return 0;
    }

    private Process launch(LocalKinesis kinesis, LocalDynamoDb dynamo, String app, String stream, String id)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx" + heap, "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", System.getProperty("java.class.path"), ScaleWorker.class.getName(),
                kinesis.endpoint().toString(), dynamo.endpoint().toString(), app, stream, id,
                Long.toString(idleMillis)).redirectErrorStream(true);
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        Process p = pb.start();
        Thread drain = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("stats ")) {
                        stats.put(id, line);
                    } else {
                        System.out.println("[" + id + "] " + line);
                    }
                }
            } catch (Exception e) {
                // the process ended
            }
        }, "drain-" + id);
        drain.setDaemon(true);
        drain.start();
        return p;
    }

    /** cpu s, calls, cu, threads, rss bytes, held, per worker. */
    private Map<String, double[]> sample(List<Process> procs) {
        Map<String, double[]> out = new HashMap<>();
        for (int i = 0; i < procs.size(); i++) {
            String w = "worker-" + i;
            long pid = procs.get(i).pid();
            String line = stats.getOrDefault(w, "stats held=0 calls=0 cu=0");
            Map<String, String> kv = new HashMap<>();
            for (String part : line.substring(6).split(" ")) {
                String[] p = part.split("=");
                kv.put(p[0], p[1]);
            }
            out.put(w, new double[] {ProcStats.cpuSeconds(pid), Double.parseDouble(kv.get("calls")),
                    Double.parseDouble(kv.get("cu")), ProcStats.threads(pid), ProcStats.rssBytes(pid),
                    Double.parseDouble(kv.get("held"))});
        }
        return out;
    }

    private double awaitBalanced(LeaseTable table, Set<String> owners, long since, long timeoutNanos)
            throws InterruptedException {
        while (System.nanoTime() - since < timeoutNanos) {
            try {
                Map<String, Integer> c = counts(table);
                int owned = 0;
                int min = Integer.MAX_VALUE;
                int max = 0;
                for (String w : owners) {
                    int n = c.getOrDefault(w, 0);
                    owned += n;
                    min = Math.min(min, n);
                    max = Math.max(max, n);
                }
                if (owned == shards && max - min <= 1) {
                    return (System.nanoTime() - since) / 1e9;
                }
            } catch (RuntimeException tableNotYetCreated) {
                // the workers are still starting
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("not balanced within " + timeoutNanos / 1_000_000_000 + " s: " + stats);
    }

    private static Map<String, Integer> counts(LeaseTable table) {
        Map<String, Integer> c = new java.util.TreeMap<>();
        for (Lease l : table.listLeases().join()) {
            c.merge(l.owner().orElse("-"), 1, Integer::sum);
        }
        return c;
    }
}
