package dev.shardline.bench.producer;

import dev.shardline.local.LocalKinesis;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench producer}: the same user records through Shardline's producer and Amazon's KPL 0.15.12 (its native
 * daemon), against one embedded LocalKinesis (TLS port, shard limits off), in the same run. Each producer runs in its
 * own JVM ({@link ShardlineRun}, {@link KplRun}), so that the CPU seconds and peak memory measured from /proc are that producer's
 * alone (for the KPL: its JVM plus its native child process).
 */
@Command(name = "producer", mixinStandardHelpOptions = true,
        description = "Producer throughput, CPU per record, memory and latency: Shardline vs Amazon KPL.")
public final class ProducerCommand implements Callable<Integer> {
    @Option(names = "--records", description = "user records per producer (default ${DEFAULT-VALUE})")
    int records = 1_000_000;

    @Option(names = "--record-bytes", description = "bytes of data per record (default ${DEFAULT-VALUE})")
    int recordBytes = 100;

    @Option(names = "--shards", description = "shards of each stream (default ${DEFAULT-VALUE})")
    int shards = 4;

    @Option(names = "--max-outstanding", description = "records in flight at most: the KPL's cap and Shardline's "
            + "maxBufferedBytes (this many records' bytes) (default ${DEFAULT-VALUE})")
    int maxOutstanding = 20_000;

    @Option(names = "--aggregation-max-bytes", description = "aggregate size limit, both producers (default ${DEFAULT-VALUE})")
    int aggregationMaxBytes = 64 * 1024;

    @Option(names = "--aggregation-max-count", description = "user records per aggregate, both producers (default ${DEFAULT-VALUE})")
    int aggregationMaxCount = 4096;

    @Option(names = "--strict-ordering", description = "Shardline with strictOrdering on")
    boolean strictOrdering;

    @Option(names = "--peers", split = ",", description = "which producers, in order (default shardline,kpl)")
    List<String> peers = new ArrayList<>(List.of("shardline", "kpl"));

    @Option(names = "--heap", description = "maximum heap of each producer JVM (default ${DEFAULT-VALUE})")
    String heap = "256m";

    @Option(names = "--jvm-option", description = "extra option for each producer JVM (repeatable), e.g. for a profiler")
    List<String> jvmOptions = new ArrayList<>();

    @Option(names = "--cli-lines", description = "JSON lines for the whole-process run of `shardline produce` beside "
            + "a KPL program reading the same file; 0 skips it (default ${DEFAULT-VALUE})")
    int cliLines = 1_000_000;

    @Option(names = "--cli-base-lines", description = "the shorter run whose cost is subtracted, leaving the steady "
            + "cost of the difference (default ${DEFAULT-VALUE})")
    int cliBaseLines = 200_000;

    @Option(names = "--cli-ordering", split = ",", description = "orderings of the `shardline produce` runs: strict, "
            + "per-shard (default strict)")
    List<String> cliOrderings = new ArrayList<>(List.of("strict"));

    @Option(names = "--cli-peers", split = ",", description = "which whole-process runs (default shardline,kpl)")
    List<String> cliPeers = new ArrayList<>(List.of("shardline", "kpl"));

    @Override
    public Integer call() throws Exception {
        Map<String, Map<String, String>> results = new LinkedHashMap<>();
        try (LocalKinesis kinesis = LocalKinesis.builder().port(0).tlsPort(0).limitsEnabled(false)
                .maxStoredBytesPerStream(4L * 1024 * 1024 * 1024).build().start()) {
            System.out.printf("LocalKinesis %s (limits off); %,d records x %d B, %d shards, random keys%n",
                    kinesis.tlsEndpoint(), records, recordBytes, shards);
            int round = 0;
            for (String peer : peers) {
                String stream = "bench-" + peer + "-" + round++;
                kinesis.createStream(stream, shards);
                Map<String, String> r = runChild(peer, kinesis.tlsEndpoint().toString(), stream);
                results.put(peer, r);
                System.out.println("  " + peer + ": " + r);
            }
            if (cliLines > 0) {
                cliResults = new WholeProcessRuns(kinesis, shards, cliLines, cliBaseLines, cliPeers, cliOrderings).run();
            }
        }
        printTable(results);
        boolean ok = results.values().stream().allMatch(r -> "0".equals(r.get("failed")));
        if (cliResults != null) {
            cliResults.print();
            ok &= cliResults.allSent();
        }
        return ok ? 0 : 1;
    }

    private WholeProcessRuns cliResults;

    private Map<String, String> runChild(String peer, String endpoint, String stream) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String classPath = System.getProperty("java.class.path");
        String main;
        if ("kpl".equals(peer)) {
            main = KplRun.class.getName();
            classPath = kplProtobuf() + File.pathSeparator + classPath;
        } else if ("shardline".equals(peer)) {
            main = ShardlineRun.class.getName();
        } else {
            throw new IllegalArgumentException("--peers: unknown producer '" + peer + "' (shardline, kpl)");
        }
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + heap));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath, main, endpoint, stream, Integer.toString(records),
                Integer.toString(recordBytes), Integer.toString(maxOutstanding), Integer.toString(aggregationMaxBytes),
                Integer.toString(aggregationMaxCount), Boolean.toString(strictOrdering)));
        Process p = startChild(cmd);
        Map<String, String> result = new LinkedHashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("RESULT ")) {
                    for (String kv : line.substring(7).split(" ")) {
                        String[] parts = kv.split("=", 2);
                        result.put(parts[0], parts[1]);
                    }
                } else {
                    System.out.println("    [" + peer + "] " + line);
                }
            }
        }
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0 || result.isEmpty()) {
            throw new IllegalStateException(peer + " run failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
        }
        return result;
    }

    /**
     * Starts a producer process, its output merged: never without {@code AWS_EC2_METADATA_DISABLED=true} (the KPL's
     * native SDK would contact the instance-metadata address), region set.
     */
    static Process startChild(List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        pb.environment().put("AWS_REGION", "us-east-1");
        return pb.start();
    }

    /** KPL's own protobuf-java, copied beside the bench jar by the build (target/kpl-lib). */
    static String kplProtobuf() {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path dir = Path.of(entry).toAbsolutePath().getParent();
            for (Path candidate : List.of(dir.resolve("kpl-lib"), dir.resolve("../kpl-lib"))) {
                try (var files = Files.list(candidate)) {
                    var jar = files.filter(f -> f.getFileName().toString().startsWith("protobuf-java-3")).findFirst();
                    if (jar.isPresent()) {
                        return jar.get().normalize().toString();
                    }
                } catch (IOException notThere) {
                    // next
                }
            }
        }
        throw new IllegalStateException("KPL's protobuf-java 3.x not found in kpl-lib beside the bench jar: build bench");
    }

    private void printTable(Map<String, Map<String, String>> results) {
        Map<String, String> kpl = results.get("kpl");
        System.out.println();
        System.out.println("| producer | user records/s | CPU s per 1M records | records per CPU-second | peak RSS (MiB) "
                + "| send-to-ack p50 (ms) | p99 (ms) |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (Map.Entry<String, Map<String, String>> e : results.entrySet()) {
            Map<String, String> r = e.getValue();
            System.out.printf(Locale.ROOT, "| %s%s | %,.0f | %.2f | %,.0f | %.0f | %s | %s |%n", e.getKey(),
                    "shardline".equals(e.getKey()) && strictOrdering ? " (strict ordering)" : "",
                    rate(r), cpuPerMillion(r), perCpuSecond(r), Long.parseLong(r.get("rss")) / 1048576.0,
                    r.get("p50ms"), r.get("p99ms"));
        }
        Map<String, String> shardline = results.get("shardline");
        if (kpl != null && shardline != null) {
            System.out.printf(Locale.ROOT, "| ratio Shardline / KPL | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx |%n",
                    rate(shardline) / rate(kpl), cpuPerMillion(shardline) / cpuPerMillion(kpl),
                    perCpuSecond(shardline) / perCpuSecond(kpl),
                    Double.parseDouble(shardline.get("rss")) / Double.parseDouble(kpl.get("rss")),
                    Double.parseDouble(shardline.get("p50ms")) / Double.parseDouble(kpl.get("p50ms")),
                    Double.parseDouble(shardline.get("p99ms")) / Double.parseDouble(kpl.get("p99ms")));
        }
    }

    private static double rate(Map<String, String> r) {
        return Long.parseLong(r.get("records")) / Double.parseDouble(r.get("seconds"));
    }

    private static double cpuPerMillion(Map<String, String> r) {
        return Double.parseDouble(r.get("cpu")) * 1_000_000 / Long.parseLong(r.get("records"));
    }

    private static double perCpuSecond(Map<String, String> r) {
        return Long.parseLong(r.get("records")) / Double.parseDouble(r.get("cpu"));
    }
}
