package dev.shardline.local;

import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * kinesis-mock (npm {@code kinesis-local} 0.6.2, installed by the build into target/kinesis-local), started on
 * loopback only (a preload forces its listeners onto 127.0.0.1) as the independent peer of the conformance tests.
 * Shared with the producer's and consumer's tests through this module's test-jar; each module's build installs it
 * into its own target/kinesis-local from local/src/test/node's lockfile.
 */
public final class KinesisMockPeer implements AutoCloseable {
    private final Process process;
    private final int port;

    private KinesisMockPeer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    public static Path home() {
        return Path.of("target", "kinesis-local").toAbsolutePath();
    }

    public static boolean installed() {
        return Files.isRegularFile(home().resolve("node_modules/kinesis-local/main.js"));
    }

    public static KinesisMockPeer start() throws Exception {
        Path home = home();
        Path certificate = home.resolve("server.json");
        if (!installed()) {
            throw new IllegalStateException("kinesis-local is not installed in " + home + ": run the Maven build");
        }
        if (!Files.exists(certificate)) {
            // kinesis-mock reads its TLS certificate as {"server": {"cert": PEM, "key": PEM}}.
            SelfSignedCertificate cert = new SelfSignedCertificate("localhost", "EC", 256);
            String json = "{\"server\":{\"cert\":" + quote(Files.readString(cert.certificate().toPath()))
                    + ",\"key\":" + quote(Files.readString(cert.privateKey().toPath())) + "}}";
            Files.writeString(certificate, json, StandardCharsets.UTF_8);
            cert.delete();
        }
        int plain = freePort();
        int tls = freePort();
        ProcessBuilder builder = new ProcessBuilder("node", "-r", "./loopback-only.js",
                "node_modules/kinesis-local/main.js")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("kinesis-mock.log").toFile());
        builder.environment().put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plain));
        builder.environment().put("KINESIS_MOCK_TLS_PORT", Integer.toString(tls));
        builder.environment().put("KINESIS_MOCK_CERT_PATH", certificate.toString());
        for (String op : new String[] {"CREATE_STREAM", "DELETE_STREAM", "SPLIT_SHARD", "MERGE_SHARDS",
                "UPDATE_SHARD_COUNT"}) {
            builder.environment().put(op + "_DURATION", "50ms");
        }
        builder.environment().put("LOG_LEVEL", "WARN");
        Process process = builder.start();
        KinesisMockPeer peer = new KinesisMockPeer(process, plain);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("kinesis-mock exited: " + Files.readString(home.resolve("kinesis-mock.log")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", plain), 200);
                return peer;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        peer.close();
        throw new IllegalStateException("kinesis-mock did not open port " + plain);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "") + "\"";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            // A busy node process may ignore SIGTERM.
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
