package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Records put by Amazon's KPL (aggregated) reach processors de-aggregated, each once, in order per key. */
@Timeout(150)
class KplInteropTest {

    /** The test classpath with protobuf 4 swapped for the 3.x the KPL needs (copied to target/kpl-lib by the build). */
    private static String kplClasspath() throws Exception {
        String full = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> out = new ArrayList<>();
        for (String entry : full.split(File.pathSeparator)) {
            if (!Path.of(entry).getFileName().toString().startsWith("protobuf-java-")) {
                out.add(entry);
            }
        }
        try (Stream<Path> lib = Files.list(Path.of("target", "kpl-lib"))) {
            lib.forEach(p -> out.add(p.toAbsolutePath().toString()));
        }
        return String.join(File.pathSeparator, out);
    }

    @Test
    void kplAggregatesArriveDeaggregated() throws Exception {
        try (Cluster cluster = new Cluster()) {
            String stream = Cluster.unique("kpl");
            cluster.kinesis.createStream(stream, 2);
            URI tls = cluster.kinesis.tlsEndpoint();
            int keys = 30;
            int perKey = 10;
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            ProcessBuilder pb = new ProcessBuilder(java, "-cp", kplClasspath(), KplMain.class.getName(),
                    tls.getHost(), Integer.toString(tls.getPort()), stream, Integer.toString(keys),
                    Integer.toString(perKey)).redirectErrorStream(true);
            pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
            Process kpl = pb.start();
            String output;
            try {
                assertThat(kpl.waitFor(90, TimeUnit.SECONDS)).as("KPL run finished").isTrue();
                output = new String(kpl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } finally {
                kpl.destroyForcibly();
            }
            assertThat(kpl.exitValue()).as(output).isZero();
            String line = output.lines().filter(l -> l.startsWith("aggregated=")).findFirst().orElseThrow();
            assertThat(Integer.parseInt(line.substring("aggregated=".length())))
                    .as("records the KPL packed into aggregates").isPositive();

            Recorder recorder = new Recorder();
            cluster.start(cluster.config(Cluster.unique("app"), stream, "w1", recorder).build());
            Cluster.await("all user records", Duration.ofSeconds(30), () -> recorder.count() >= keys * perKey + 1);
            Cluster.sleep(300);
            assertThat(recorder.count()).isEqualTo(keys * perKey + 1);
            assertThat(recorder.seen).anySatisfy(s -> assertThat(s.subSequenceNumber()).isPositive());
            recorder.byKey.remove("warm-up");
            // The KPL itself may reorder a key's records when it retries; what we owe is every record once, in
            // stored order per shard (sequence number, then sub-sequence number).
            assertThat(recorder.byKey).hasSize(keys);
            recorder.byKey.forEach((k, v) -> assertThat(v).hasSize(perKey).doesNotHaveDuplicates()
                    .allSatisfy(d -> assertThat(d).startsWith(k + ":")));
            java.util.Map<String, List<Recorder.Seen>> byShard = new java.util.HashMap<>();
            recorder.seen.forEach(s -> byShard.computeIfAbsent(s.shardId(), x -> new ArrayList<>()).add(s));
            byShard.values().forEach(list -> {
                for (int i = 1; i < list.size(); i++) {
                    Recorder.Seen a = list.get(i - 1);
                    Recorder.Seen b = list.get(i);
                    int bySeq = new java.math.BigInteger(b.sequenceNumber())
                            .compareTo(new java.math.BigInteger(a.sequenceNumber()));
                    assertThat(bySeq > 0 || (bySeq == 0 && b.subSequenceNumber() > a.subSequenceNumber()))
                            .as("%s after %s", b, a).isTrue();
                }
            });
        }
    }
}
