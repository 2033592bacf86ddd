package dev.shardline.consumer;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A {@link WorkerMain} in its own JVM, to be killed with SIGKILL. Its output is drained (and dropped). */
final class ChildWorker implements AutoCloseable {
    private final Process process;

    private ChildWorker(Process process) {
        this.process = process;
    }

    /** Starts a worker of {@code app} on {@code streams} (comma-separated for a multi-stream application). */
    static ChildWorker start(Cluster cluster, String app, String streams, String workerId) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                WorkerMain.class.getName(), cluster.kinesis.endpoint().toString(),
                cluster.dynamo.endpoint().toString(), app, streams, workerId)
                .redirectErrorStream(true);
        pb.environment().put("AWS_EC2_METADATA_DISABLED", "true");
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "drain-" + workerId);
        drain.setDaemon(true);
        drain.start();
        return new ChildWorker(p);
    }

    /** SIGKILL: no close, no release. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("child worker did not die");
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
