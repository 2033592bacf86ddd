package dev.shardline.bench.consumer;

import dev.shardline.checkpoint.Lease;
import dev.shardline.checkpoint.LeaseTable;
import dev.shardline.checkpoint.WorkerHeartbeats;
import dev.shardline.local.LocalClients;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;

/**
 * Handoff and failover seen from outside the JVM, as an operator sees them: {@code shardline local}, a {@code trucks}
 * producer and two {@code track} processes of one application run as separate OS processes (the CLI jar); one tracker
 * gets SIGTERM ({@link Process#destroy()}) or SIGKILL ({@link Process#destroyForcibly()}), and the lease table is read
 * strongly consistently every {@code --poll} until the other tracker owns every lease with no handoff pending. The
 * time from the signal to the end of that read is the figure (an upper bound; the poll interval plus one read is the
 * resolution). The stopped tracker is then started again (a new worker id, as a restarted process gets) and the next
 * round waits for an even split before it signals.
 */
@Command(name = "track-failover", mixinStandardHelpOptions = true,
        description = "SIGTERM / kill -9 of a `shardline track` process: time until the lease table shows the other "
                + "tracker owning every lease (all processes real OS processes).")
public final class TrackFailoverBench implements Runnable {
    @Option(names = "--cli-jar", description = "the shardline CLI jar (default: ${DEFAULT-VALUE})")
    Path cliJar = Path.of("examples/target/shardline.jar");

    @Option(names = "--signals", split = ",", description = "term, kill or both, in this order (default: ${DEFAULT-VALUE})")
    List<String> signals = List.of("term", "kill");

    @Option(names = "--rounds", description = "rounds per signal (default: ${DEFAULT-VALUE})")
    int rounds = 5;

    @Option(names = "--shards", description = "stream shards = leases (default: ${DEFAULT-VALUE})")
    int shards = 4;

    @Option(names = "--trucks", description = "trucks of the producer (default: ${DEFAULT-VALUE})")
    int trucks = 200;

    @Option(names = "--truck-interval", description = "ms between a truck's positions (default: ${DEFAULT-VALUE})")
    long truckIntervalMillis = 1000;

    @Option(names = "--poll", description = "ms between consistent reads of the lease table (default: ${DEFAULT-VALUE})")
    long pollMillis = 20;

    @Option(names = "--settle-timeout", description = "s to wait for an even split before a round (default: ${DEFAULT-VALUE})")
    long settleSeconds = 180;

    @Option(names = "--logs", description = "directory for the processes' output (default: a new temporary one)")
    Path logs;

    private final List<Process> children = Collections.synchronizedList(new ArrayList<>());
    private final String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    /** A running {@code track} process and the worker id it printed. */
    private record Tracker(Process process, String workerId) {
    }

    @Override
    public void run() {
        Thread cleanup = new Thread(this::stopAll, "track-failover-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            measure();
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        } finally {
            stopAll();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // exiting anyway
            }
        }
    }

    private void measure() throws Exception {
        if (!Files.isRegularFile(cliJar)) {
            throw new IllegalArgumentException("--cli-jar " + cliJar + " not found: build it with "
                    + "`mvn -B -q -pl examples -am package -DskipTests`");
        }
        if (logs == null) {
            logs = Files.createTempDirectory("track-failover");
        }
        Files.createDirectories(logs);
        int kinesisPort = freePort();
        int tlsPort = freePort();
        int dynamoPort = freePort();
        String stream = "fleet";
        String app = "track-failover";
        System.out.printf(Locale.ROOT, "machine: %d cores, load %s; logs in %s%n",
                Runtime.getRuntime().availableProcessors(), loadAverage(), logs);
        Process local = start("local", List.of("local", "--port", "" + kinesisPort, "--tls-port", "" + tlsPort,
                "--dynamodb-port", "" + dynamoPort, "--create-stream", stream + ":" + shards, "--no-limits"));
        awaitLine(local.getInputStream(), logs.resolve("local.out"), l -> l.startsWith("ready"), Duration.ofMinutes(3));
        String kinesis = "http://127.0.0.1:" + kinesisPort;
        String dynamo = "http://127.0.0.1:" + dynamoPort;
        List<String> connection = List.of("--endpoint", kinesis, "--dynamodb-endpoint", dynamo, "--region", "us-east-1");
        List<String> trucksArgs = new ArrayList<>(List.of("trucks", "--stream", stream, "--trucks", "" + trucks,
                "--interval", truckIntervalMillis + "ms"));
        trucksArgs.addAll(connection);
        Process producer = start("trucks", trucksArgs);
        drain(producer.getInputStream(), logs.resolve("trucks.out"));
        drain(producer.getErrorStream(), logs.resolve("trucks.err"));
        List<String> trackArgs = new ArrayList<>(List.of("track", "--stream", stream, "--app", app));
        trackArgs.addAll(connection);

        try (DynamoDbAsyncClient client = LocalClients.dynamoDb(URI.create(dynamo))) {
            LeaseTable table = LeaseTable.builder(client).applicationName(app).workerId("track-failover-observer")
                    .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5)).build();
            Tracker[] trackers = {startTracker(trackArgs, 0), startTracker(trackArgs, 1)};
            Map<String, List<Double>> results = new LinkedHashMap<>();
            int round = 0;
            for (String signal : signals) {
                if (!signal.equals("term") && !signal.equals("kill")) {
                    throw new IllegalArgumentException("--signals takes term and kill, was '" + signal + "'");
                }
                for (int r = 0; r < rounds; r++, round++) {
                    long settle = System.nanoTime();
                    awaitEvenSplit(table, trackers[0].workerId(), trackers[1].workerId());
                    double settledIn = (System.nanoTime() - settle) / 1e9;
                    int victim = round % 2;
                    Tracker gone = trackers[victim];
                    String survivor = trackers[1 - victim].workerId();
                    long t0 = System.nanoTime();
                    if (signal.equals("term")) {
                        gone.process().destroy();
                    } else {
                        gone.process().destroyForcibly();
                    }
                    double seconds = awaitOwner(table, survivor, t0);
                    results.computeIfAbsent(signal, k -> new ArrayList<>()).add(seconds);
                    boolean exited = gone.process().waitFor(30, TimeUnit.SECONDS);
                    System.out.printf(Locale.ROOT, "round %d %s: %s -> %s owns every lease after %.3f s "
                                    + "(split settled %.1f s before the signal; exit %s; load %s)%n",
                            round, signal.equals("term") ? "SIGTERM" : "kill -9", gone.workerId(), survivor, seconds,
                            settledIn, exited ? gone.process().exitValue() : "still running", loadAverage());
                    trackers[victim] = startTracker(trackArgs, round + 2);
                }
            }
            System.out.println();
            System.out.printf(Locale.ROOT, "summary (%d shards, %d trucks every %d ms, poll %d ms, load %s):%n", shards,
                    trucks, truckIntervalMillis, pollMillis, loadAverage());
            results.forEach((signal, s) -> {
                List<Double> sorted = new ArrayList<>(s);
                Collections.sort(sorted);
                System.out.printf(Locale.ROOT, "  %-8s n=%d min=%.3f s median=%.3f s max=%.3f s%n",
                        signal.equals("term") ? "SIGTERM" : "kill -9", sorted.size(), sorted.get(0),
                        median(sorted), sorted.get(sorted.size() - 1));
            });
            // Killed trackers leave heartbeat items; the live ones delete those dead for 10 failover times.
            List<String> items = new WorkerHeartbeats(table).workers().join();
            System.out.printf(Locale.ROOT, "heartbeat items at the end: %d (%d trackers live, %d stopped): %s%n",
                    items.size(), trackers.length, round, items);
        }
    }

    static double median(List<Double> sorted) {
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** Waits until each tracker owns half the leases (±1) with no handoff pending, stable for one second. */
    private void awaitEvenSplit(LeaseTable table, String a, String b) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settleSeconds);
        long evenSince = -1;
        while (System.nanoTime() < deadline) {
            List<Lease> open = open(table);
            long ownedByA = open.stream().filter(l -> l.isOwnedBy(a) && l.checkpointOwner().isEmpty()).count();
            long ownedByB = open.stream().filter(l -> l.isOwnedBy(b) && l.checkpointOwner().isEmpty()).count();
            boolean even = !open.isEmpty() && ownedByA + ownedByB == open.size() && Math.abs(ownedByA - ownedByB) <= 1;
            long now = System.nanoTime();
            if (!even) {
                evenSince = -1;
            } else if (evenSince < 0) {
                evenSince = now;
            } else if (now - evenSince >= TimeUnit.SECONDS.toNanos(1)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the two trackers did not settle to an even split within " + settleSeconds
                + " s: " + open(table));
    }

    /** Seconds from {@code t0} to the end of the first consistent read showing {@code survivor} owning every lease. */
    private double awaitOwner(LeaseTable table, String survivor, long t0) throws InterruptedException {
        long deadline = t0 + TimeUnit.SECONDS.toNanos(120);
        long next = t0;
        while (System.nanoTime() < deadline) {
            List<Lease> open = open(table);
            long read = System.nanoTime();
            if (!open.isEmpty() && open.stream().allMatch(l -> l.isOwnedBy(survivor) && l.checkpointOwner().isEmpty())) {
                return (read - t0) / 1e9;
            }
            next += TimeUnit.MILLISECONDS.toNanos(pollMillis);
            long wait = next - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            } else {
                next = System.nanoTime(); // a slow read: poll again at once, do not try to catch up
            }
        }
        throw new IllegalStateException(survivor + " did not own every lease within 120 s: " + open(table));
    }

    private static List<Lease> open(LeaseTable table) {
        try {
            return table.listLeases().join().stream().filter(l -> !l.isFinished()).toList();
        } catch (RuntimeException e) {
            return List.of(); // the table may not exist yet, or a read timed out: the next poll decides
        }
    }

    private Tracker startTracker(List<String> args, int n) throws Exception {
        Process p = start("track-" + n, args);
        drain(p.getInputStream(), logs.resolve("track-" + n + ".out"));
        String line = awaitLine(p.getErrorStream(), logs.resolve("track-" + n + ".err"),
                l -> l.startsWith("track: worker "), Duration.ofMinutes(3));
        String workerId = line.substring("track: worker ".length()).split(" ", 2)[0];
        return new Tracker(p, workerId);
    }

    private Process start(String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-Xmx512m", "-jar", cliJar.toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.environment().put("DDB_LOCAL_TELEMETRY", "0");
        Process p = pb.start();
        children.add(p);
        return p;
    }

    /** Copies a process's stream to a log file until {@code match}es a line, returns that line, and keeps copying. */
    private static String awaitLine(InputStream in, Path log, Predicate<String> match, Duration timeout)
            throws Exception {
        CompletableFuture<String> found = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
                 PrintWriter w = new PrintWriter(Files.newBufferedWriter(log), true)) {
                for (String line; (line = r.readLine()) != null; ) {
                    w.println(line);
                    if (!found.isDone() && match.test(line)) {
                        found.complete(line);
                    }
                }
                found.completeExceptionally(new IllegalStateException("process ended; see " + log));
            } catch (IOException e) {
                found.completeExceptionally(e);
            }
        }, "log-" + log.getFileName());
        t.setDaemon(true);
        t.start();
        return found.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void drain(InputStream in, Path log) {
        Thread t = new Thread(() -> {
            try {
                Files.copy(in, log, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException ignored) {
                // the process went away
            }
        }, "log-" + log.getFileName());
        t.setDaemon(true);
        t.start();
    }

    /** Trackers and the producer first (SIGTERM, then SIGKILL after 20 s), the endpoints last. */
    private void stopAll() {
        List<Process> all;
        synchronized (children) {
            all = new ArrayList<>(children);
            children.clear();
        }
        Collections.reverse(all);
        for (Process p : all) {
            p.destroy();
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }
}
