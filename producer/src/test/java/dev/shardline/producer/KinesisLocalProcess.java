package dev.shardline.producer;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The npm {@code kinesis-local} emulator (installed into target/node by the build from src/test/node's lockfile),
 * started as a child process on free 127.0.0.1 ports.
 */
final class KinesisLocalProcess implements AutoCloseable {
    private final Process process;
    private final int port;

    private KinesisLocalProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static KinesisLocalProcess start() throws IOException, InterruptedException {
        Path dir = Path.of("target", "node").toAbsolutePath();
        Path pkg = dir.resolve("node_modules/kinesis-local");
        if (!Files.exists(pkg.resolve("main.js"))) {
            throw new IllegalStateException("kinesis-local is not installed in " + pkg + ": run the Maven build");
        }
        int plain = freePort();
        int tls = freePort();
        ProcessBuilder pb = new ProcessBuilder("node", "-r", dir.resolve("listen-localhost.js").toString(), "main.js")
                .directory(pkg.toFile())
                .redirectErrorStream(true)
                .redirectOutput(new File(dir.toFile(), "kinesis-local-" + plain + ".log"));
        pb.environment().put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plain));
        pb.environment().put("KINESIS_MOCK_TLS_PORT", Integer.toString(tls));
        pb.environment().put("CREATE_STREAM_DURATION", "100ms");
        pb.environment().put("LOG_LEVEL", "WARN");
        Process p = pb.start();
        KinesisLocalProcess server = new KinesisLocalProcess(p, plain);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("kinesis-local exited with " + p.exitValue());
            }
            try (Socket ignored = new Socket("127.0.0.1", plain)) {
                return server;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        server.close();
        throw new IllegalStateException("kinesis-local did not start within 30 s");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            // a busy node process may ignore SIGTERM
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
