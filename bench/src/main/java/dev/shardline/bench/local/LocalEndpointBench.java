package dev.shardline.bench.local;

import dev.shardline.local.LocalClients;
import dev.shardline.local.LocalKinesis;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.GetRecordsResponse;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * PutRecords and GetRecords throughput of LocalKinesis (limits off) on loopback through the AWS SDK (async, Netty,
 * CBOR), with kinesis-mock (npm kinesis-local) measured in the same run as the peer.
 *
 * <p>For each record size, a fresh stream is filled for {@code --seconds} (or until {@code --max-mib} of payload)
 * by {@code --concurrency} PutRecords calls in flight, then read back from TRIM_HORIZON with one GetRecords loop
 * per shard. Payload = record data bytes.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "LocalKinesis PutRecords/GetRecords throughput vs kinesis-local, on loopback with the SDK.")
public final class LocalEndpointBench implements Callable<Integer> {
    @Option(names = "--sizes", split = ",", defaultValue = "100,51200",
            description = "Record data sizes in bytes (default ${DEFAULT-VALUE})")
    List<Integer> sizes;

    @Option(names = "--shards", defaultValue = "4", description = "Shards per stream (default ${DEFAULT-VALUE})")
    int shards;

    @Option(names = "--seconds", defaultValue = "10", description = "Put phase length per run (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(names = "--max-mib", defaultValue = "1024", description = "Stop a put phase at this payload (default ${DEFAULT-VALUE} MiB)")
    long maxMiB;

    @Option(names = "--concurrency", defaultValue = "16", description = "PutRecords calls in flight (default ${DEFAULT-VALUE})")
    int concurrency;

    @Option(names = "--peer-concurrency", defaultValue = "4",
            description = "PutRecords calls in flight against kinesis-local (default ${DEFAULT-VALUE})")
    int peerConcurrency;

    @Option(names = "--peer-seconds", defaultValue = "5", description = "Put phase length against kinesis-local, which slows as shards fill (default ${DEFAULT-VALUE})")
    int peerSeconds;

    @Option(names = "--kinesis-local", paramLabel = "DIR", defaultValue = "local/target/kinesis-local",
            description = "Where the build installed kinesis-local (mvn -pl local generate-test-resources); "
                    + "skipped when absent (default ${DEFAULT-VALUE})")
    Path kinesisLocal;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LocalEndpointBench()).execute(args));
    }

    /** One measured phase. */
    record Result(String target, int size, String phase, long records, long bytes, long nanos) {
        double seconds() {
            return nanos / 1e9;
        }

        double recordsPerSecond() {
            return records / seconds();
        }

        double mbPerSecond() {
            return bytes / 1e6 / seconds();
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-13s %7d B  %-3s %,10d records in %6.2f s  %,12.0f rec/s  %8.1f MB/s",
                    target, size, phase, records, seconds(), recordsPerSecond(), mbPerSecond());
        }
    }

    @Override
    public Integer call() throws Exception {
        System.out.printf(Locale.ROOT, "machine: %d cores, java %s, max heap %d MiB, load average %.1f; shards=%d "
                + "concurrency=%d (kinesis-local %d)%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20,
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), shards,
                concurrency, peerConcurrency);
        List<Result> results = new ArrayList<>();
        try (LocalKinesis kinesis = LocalKinesis.builder().limitsEnabled(false).tls(false)
                .maxStoredBytesPerStream((maxMiB + 64) << 20).build().start();
                KinesisAsyncClient client = LocalClients.kinesis(kinesis.endpoint())) {
            for (int size : sizes) {
                results.addAll(run("LocalKinesis", client, size, seconds, concurrency));
            }
        }
        Path main = kinesisLocal.resolve("node_modules/kinesis-local/main.js");
        if (Files.isRegularFile(main)) {
            for (int size : sizes) {
                try (Peer peer = Peer.start(kinesisLocal);
                        KinesisAsyncClient client = LocalClients.kinesis(peer.endpoint())) {
                    results.addAll(run("kinesis-local", client, size, peerSeconds, peerConcurrency));
                } catch (Exception e) {
                    System.out.println("kinesis-local " + size + " B: failed: " + rootMessage(e));
                }
            }
        } else {
            System.out.println("kinesis-local not found at " + main + ": peer skipped "
                    + "(install it with: mvn -pl local generate-test-resources)");
        }
        System.out.println();
        System.out.println("results:");
        results.forEach(System.out::println);
        for (int size : sizes) {
            for (String phase : new String[] {"put", "get"}) {
                Result ours = find(results, "LocalKinesis", size, phase);
                Result peer = find(results, "kinesis-local", size, phase);
                if (ours != null && peer != null) {
                    System.out.printf(Locale.ROOT, "ratio %7d B %s: LocalKinesis / kinesis-local = %.1fx (MB/s)%n",
                            size, phase, ours.mbPerSecond() / peer.mbPerSecond());
                }
            }
        }
        return 0;
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private static Result find(List<Result> results, String target, int size, String phase) {
        return results.stream().filter(r -> r.target().equals(target) && r.size() == size && r.phase().equals(phase))
                .findFirst().orElse(null);
    }

    private List<Result> run(String target, KinesisAsyncClient client, int size, int phaseSeconds, int inFlight)
            throws Exception {
        String stream = "bench-" + size;
        client.createStream(b -> b.streamName(stream).shardCount(shards)).join();
        for (int i = 0; i < 400; i++) {
            if (client.describeStreamSummary(b -> b.streamName(stream)).join().streamDescriptionSummary()
                    .streamStatus() == StreamStatus.ACTIVE) {
                break;
            }
            Thread.sleep(25);
        }
        // As many entries as fit one call: 500 entries, 5 MiB.
        int perCall = (int) Math.max(1, Math.min(500, (5L * 1024 * 1024 - 500 * 40) / size));
        Random random = new Random(42);
        byte[] data = new byte[size];
        random.nextBytes(data);
        SdkBytes shared = SdkBytes.fromByteArrayUnsafe(data);
        List<List<PutRecordsRequestEntry>> batches = new ArrayList<>();
        for (int b = 0; b < 16; b++) {
            List<PutRecordsRequestEntry> batch = new ArrayList<>(perCall);
            for (int i = 0; i < perCall; i++) {
                batch.add(PutRecordsRequestEntry.builder().partitionKey(Long.toHexString(random.nextLong()))
                        .data(shared).build());
            }
            batches.add(batch);
        }
        // Warm up the connections and code paths, then measure.
        client.putRecords(r -> r.streamName(stream).records(batches.get(0))).join();
        LongAdder records = new LongAdder();
        LongAdder failed = new LongAdder();
        long maxBytes = maxMiB << 20;
        long start = System.nanoTime();
        long deadline = start + TimeUnit.SECONDS.toNanos(phaseSeconds);
        AtomicLong calls = new AtomicLong();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int c = 0; c < inFlight; c++) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loops.add(done);
            putLoop(client, stream, batches, calls, records, failed, size, deadline, maxBytes, done);
        }
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(phaseSeconds + 120L, TimeUnit.SECONDS);
        long putNanos = System.nanoTime() - start;
        Result put = new Result(target, size, "put", records.sum(), records.sum() * size, putNanos);
        System.out.println(put + (failed.sum() > 0 ? "  (" + failed.sum() + " entries failed)" : ""));

        List<Shard> shardList = client.listShards(b -> b.streamName(stream)).join().shards();
        LongAdder read = new LongAdder();
        LongAdder readBytes = new LongAdder();
        long readStart = System.nanoTime();
        List<CompletableFuture<Void>> readers = new ArrayList<>();
        for (Shard shard : shardList) {
            String iterator = client.getShardIterator(b -> b.streamName(stream).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).join().shardIterator();
            CompletableFuture<Void> done = new CompletableFuture<>();
            readers.add(done);
            getLoop(client, iterator, read, readBytes, done);
        }
        CompletableFuture.allOf(readers.toArray(CompletableFuture[]::new)).get(600, TimeUnit.SECONDS);
        Result get = new Result(target, size, "get", read.sum(), readBytes.sum(), System.nanoTime() - readStart);
        System.out.println(get);
        client.deleteStream(b -> b.streamName(stream)).join();
        return List.of(put, get);
    }

    private static void putLoop(KinesisAsyncClient client, String stream, List<List<PutRecordsRequestEntry>> batches,
            AtomicLong calls, LongAdder records, LongAdder failed, int size, long deadline, long maxBytes,
            CompletableFuture<Void> done) {
        if (System.nanoTime() >= deadline || records.sum() * (long) size >= maxBytes) {
            done.complete(null);
            return;
        }
        List<PutRecordsRequestEntry> batch = batches.get((int) (calls.getAndIncrement() % batches.size()));
        client.putRecords(r -> r.streamName(stream).records(batch)).whenComplete((response, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
                return;
            }
            records.add(batch.size() - response.failedRecordCount());
            failed.add(response.failedRecordCount());
            putLoop(client, stream, batches, calls, records, failed, size, deadline, maxBytes, done);
        });
    }

    private static void getLoop(KinesisAsyncClient client, String iterator, LongAdder read, LongAdder bytes,
            CompletableFuture<Void> done) {
        client.getRecords(b -> b.shardIterator(iterator).limit(10_000)).whenComplete((response, error) -> {
            if (error != null) {
                done.completeExceptionally(error);
                return;
            }
            GetRecordsResponse r = response;
            read.add(r.records().size());
            long sum = 0;
            for (var record : r.records()) {
                sum += record.data().asByteBuffer().remaining();
            }
            bytes.add(sum);
            if (r.nextShardIterator() == null || (r.records().isEmpty() && r.millisBehindLatest() == 0)) {
                done.complete(null);
            } else {
                getLoop(client, r.nextShardIterator(), read, bytes, done);
            }
        });
    }

    /** kinesis-mock, on loopback only (a preload forces its listeners onto 127.0.0.1). */
    static final class Peer implements AutoCloseable {
        private final Process process;
        private final int port;

        private Peer(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Peer start(Path home) throws Exception {
            Path certificate = home.resolve("server.json");
            if (!Files.exists(certificate)) {
                var cert = new io.netty.handler.ssl.util.SelfSignedCertificate("localhost", "EC", 256);
                Files.writeString(certificate, "{\"server\":{\"cert\":" + quote(Files.readString(cert.certificate()
                        .toPath())) + ",\"key\":" + quote(Files.readString(cert.privateKey().toPath())) + "}}");
                cert.delete();
            }
            int plain = freePort();
            ProcessBuilder builder = new ProcessBuilder("node", "-r", "./loopback-only.js",
                    "node_modules/kinesis-local/main.js").directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(home.resolve("kinesis-mock-bench.log").toFile());
            builder.environment().put("KINESIS_MOCK_PLAIN_PORT", Integer.toString(plain));
            builder.environment().put("KINESIS_MOCK_TLS_PORT", Integer.toString(freePort()));
            builder.environment().put("KINESIS_MOCK_CERT_PATH", certificate.toAbsolutePath().toString());
            builder.environment().put("CREATE_STREAM_DURATION", "50ms");
            builder.environment().put("DELETE_STREAM_DURATION", "50ms");
            builder.environment().put("LOG_LEVEL", "WARN");
            Peer peer = new Peer(builder.start(), plain);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", plain), 200);
                    return peer;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            peer.close();
            throw new IllegalStateException("kinesis-local did not start; see " + home.resolve("kinesis-mock-bench.log"));
        }

        private static String quote(String s) {
            return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "") + "\"";
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            }
        }

        URI endpoint() {
            return URI.create("http://127.0.0.1:" + port);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(3, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

}
