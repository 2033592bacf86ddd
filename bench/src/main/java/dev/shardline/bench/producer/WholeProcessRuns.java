package dev.shardline.bench.producer;

import dev.shardline.local.LocalKinesis;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The producers as users meet them: whole processes over TLS to the benchmark's LocalKinesis (limits off), the same
 * JSON lines (100 keys, ~100 bytes), partition key from field {@code truckId}. Shardline is the command line
 * ({@code shardline produce --key-field truckId --ordering O}, its defaults otherwise, default JVM heap); the KPL is
 * {@link KplLinesRun}. Each runs twice, with {@code lines} and {@code baseLines} lines: the difference of their CPU
 * seconds is the steady cost (JVM start-up, class loading and the shard map load cancel out).
 */
final class WholeProcessRuns {
    private final LocalKinesis kinesis;
    private final int shards;
    private final int lines;
    private final int baseLines;
    private final List<String> peers;
    private final List<String> orderings;
    /** label -> {lines -> cpu seconds}. */
    private final Map<String, Map<Integer, Double>> cpu = new LinkedHashMap<>();
    private boolean allSent = true;

    WholeProcessRuns(LocalKinesis kinesis, int shards, int lines, int baseLines, List<String> peers,
            List<String> orderings) {
        this.kinesis = kinesis;
        this.shards = shards;
        this.lines = lines;
        this.baseLines = baseLines;
        this.peers = peers;
        this.orderings = orderings;
    }

    WholeProcessRuns run() throws Exception {
        Path dir = Files.createTempDirectory("shardline-bench-lines");
        try {
            Map<Integer, Path> files = new LinkedHashMap<>();
            for (int n : List.of(baseLines, lines)) {
                files.put(n, write(dir.resolve("lines-" + n + ".jsonl"), n));
            }
            int round = 0;
            for (String peer : peers) {
                List<String> variants = "shardline".equals(peer) ? orderings : List.of("");
                for (String ordering : variants) {
                    String label = "shardline".equals(peer) ? "shardline produce --ordering " + ordering
                            : "KPL program";
                    for (Map.Entry<Integer, Path> f : files.entrySet()) {
                        String stream = "lines-" + peer + "-" + round++;
                        kinesis.createStream(stream, shards);
                        double seconds = "shardline".equals(peer) ? cli(stream, f.getValue(), f.getKey(), ordering)
                                : kpl(stream, f.getValue(), f.getKey());
                        cpu.computeIfAbsent(label, k -> new LinkedHashMap<>()).put(f.getKey(), seconds);
                        System.out.printf(Locale.ROOT, "  %s, %,d lines: %.2f CPU s%n", label, f.getKey(), seconds);
                    }
                }
            }
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(p -> p.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
        return this;
    }

    /** JSON lines of a truck fleet: 100 trucks, ~100 bytes each, the same for every run (fixed seed). */
    private static Path write(Path file, int n) throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int i = 0; i < n; i++) {
                out.write(String.format(Locale.ROOT,
                        "{\"truckId\":\"truck-%03d\",\"seq\":%d,\"lat\":%.6f,\"lon\":%.6f,\"speed\":%.1f,\"stop\":%d}",
                        random.nextInt(100), i, 40 + random.nextDouble() * 10, -3 + random.nextDouble() * 10,
                        random.nextDouble() * 90, random.nextInt(6)));
                out.newLine();
            }
        }
        return file;
    }

    private double cli(String stream, Path input, int n, String ordering) throws Exception {
        String endpoint = kinesis.tlsEndpoint().toString();
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/time", "-f", "TIME %U %S %M", java(), "-cp",
                System.getProperty("java.class.path"), "dev.shardline.examples.Shardline", "produce", "--endpoint",
                endpoint, "--insecure", "--region", "us-east-1", "--stream", stream, "--key-field", "truckId",
                "--input", input.toString(), "--ordering", ordering));
        Map<String, String> out = runChild(cmd, "shardline");
        if (!("sent=" + n + " failed=0").equals(out.get("summary"))) {
            allSent = false;
        }
        String[] t = out.get("TIME").split(" ");
        return Double.parseDouble(t[0]) + Double.parseDouble(t[1]);
    }

    private double kpl(String stream, Path input, int n) throws Exception {
        String cp = ProducerCommand.kplProtobuf() + File.pathSeparator + System.getProperty("java.class.path");
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", cp, KplLinesRun.class.getName(),
                kinesis.tlsEndpoint().toString(), stream, input.toString(), "truckId"));
        Map<String, String> out = runChild(cmd, "kpl");
        String result = out.get("RESULT");
        if (result == null || !result.contains("sent=" + n + " failed=0")) {
            allSent = false;
        }
        return Double.parseDouble(result.replaceAll(".*cpu=([0-9.]+).*", "$1"));
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static Map<String, String> runChild(List<String> cmd, String tag) throws Exception {
        Process p = ProducerCommand.startChild(cmd);
        Map<String, String> found = new LinkedHashMap<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("TIME ")) {
                    found.put("TIME", line.substring(5));
                } else if (line.startsWith("RESULT ")) {
                    found.put("RESULT", line.substring(7));
                } else if (line.startsWith("sent=")) {
                    found.put("summary", line.trim());
                } else {
                    System.out.println("    [" + tag + "] " + line);
                }
            }
        }
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(tag + " run failed (exit " + (p.isAlive() ? "timeout" : p.exitValue()) + ")");
        }
        return found;
    }

    boolean allSent() {
        return allSent;
    }

    void print() {
        System.out.println();
        System.out.printf(Locale.ROOT, "Whole processes, %,d vs %,d JSON lines (steady cost = difference):%n", lines,
                baseLines);
        System.out.println("| producer | CPU s, " + baseLines + " lines | CPU s, " + lines + " lines "
                + "| steady CPU s per 1M lines | lines per CPU-second |");
        System.out.println("| --- | ---: | ---: | ---: | ---: |");
        Double kplRate = null;
        Map<String, Double> rates = new LinkedHashMap<>();
        for (Map.Entry<String, Map<Integer, Double>> e : cpu.entrySet()) {
            double base = e.getValue().get(baseLines);
            double full = e.getValue().get(lines);
            double perMillion = (full - base) * 1_000_000 / (lines - baseLines);
            double rate = (lines - baseLines) / (full - base);
            rates.put(e.getKey(), rate);
            if (e.getKey().startsWith("KPL")) {
                kplRate = rate;
            }
            System.out.printf(Locale.ROOT, "| %s | %.2f | %.2f | %.2f | %,.0f |%n", e.getKey(), base, full, perMillion,
                    rate);
        }
        if (kplRate != null) {
            for (Map.Entry<String, Double> e : rates.entrySet()) {
                if (!e.getKey().startsWith("KPL")) {
                    System.out.printf(Locale.ROOT, "| ratio %s / KPL | | | | %.2fx |%n", e.getKey(),
                            e.getValue() / kplRate);
                }
            }
        }
    }
}
