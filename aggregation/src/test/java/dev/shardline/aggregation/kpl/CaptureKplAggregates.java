package dev.shardline.aggregation.kpl;

import com.amazonaws.auth.AWSStaticCredentialsProvider;
import com.amazonaws.auth.BasicAWSCredentials;
import com.amazonaws.services.kinesis.producer.KinesisProducer;
import com.amazonaws.services.kinesis.producer.KinesisProducerConfiguration;
import com.amazonaws.services.kinesis.producer.UserRecordResult;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.util.concurrent.ListenableFuture;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * Captures, once, the aggregated records Amazon's KPL 0.15.12 writes, as test vectors for {@code KplVectorsTest}.
 * Not part of the test suite; run by hand when the vectors must be regenerated:
 *
 * <pre>
 * mvn -B -o -q test-compile -pl aggregation
 * mvn -B -o -q dependency:build-classpath -pl aggregation -Dmdep.outputFile=/tmp/cp.txt
 * mvn -B -q dependency:get -Dartifact=com.google.protobuf:protobuf-java:3.25.5
 * # KPL 0.15.12's Java side was generated for protobuf 3 and fails on the build's protobuf 4.27.5
 * # (NoSuchMethodError: makeExtensionsImmutable; its futures never complete): swap in 3.25.5, the KPL's own.
 * CP=$(sed "s#[^:]*protobuf-java-4.27.5.jar#$HOME/.m2/repository/com/google/protobuf/protobuf-java/3.25.5/protobuf-java-3.25.5.jar#" /tmp/cp.txt)
 * AWS_EC2_METADATA_DISABLED=true java -Dcom.amazonaws.sdk.disableEc2Metadata=true \
 *     -cp aggregation/target/test-classes:$CP dev.shardline.aggregation.kpl.CaptureKplAggregates aggregation/src/test/resources/kpl
 * </pre>
 *
 * <p>The KPL's native daemon is pointed at a minimal HTTPS endpoint inside this program (127.0.0.1, a self-signed
 * certificate made with the JDK's keytool, certificate checks off in the KPL) that answers exactly what the KPL
 * asks: STS GetCallerIdentity, Kinesis ListShards (one shard covering all hash keys) and PutRecords, whose entries it
 * records verbatim. Metrics are off. It writes {@code inputs.jsonl} (the user records handed to
 * {@code KinesisProducer.addUserRecord}, in order) and {@code put-records.jsonl} (every entry of every PutRecords
 * request the KPL sent, in order of arrival: partition key, explicit hash key, data in base64).
 */
public final class CaptureKplAggregates {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MAX_HASH_KEY = "340282366920938463463374607431768211455";

    private final List<ObjectNode> putEntries = new ArrayList<>();
    private final AtomicLong sequence = new AtomicLong(49_000_000_000L);

    public static void main(String[] args) throws Exception {
        if (!"true".equals(System.getenv("AWS_EC2_METADATA_DISABLED"))) {
            System.err.println("refusing to start the KPL without AWS_EC2_METADATA_DISABLED=true in the environment");
            System.exit(2);
        }
        Path out = Path.of(args.length > 0 ? args[0] : "aggregation/src/test/resources/kpl");
        Files.createDirectories(out);
        new CaptureKplAggregates().run(out);
        System.exit(0); // the KPL leaves non-daemon threads behind
    }

    private void run(Path out) throws Exception {
        Path work = Files.createTempDirectory("kpl-capture");
        HttpsServer server = startServer(work);
        int port = server.getAddress().getPort();
        KinesisProducerConfiguration config = new KinesisProducerConfiguration()
                .setRegion("us-east-1")
                .setCredentialsProvider(new AWSStaticCredentialsProvider(new BasicAWSCredentials("local", "local")))
                .setKinesisEndpoint("127.0.0.1").setKinesisPort(port)
                .setStsEndpoint("127.0.0.1").setStsPort(port)
                .setCloudwatchEndpoint("127.0.0.1").setCloudwatchPort(port)
                .setVerifyCertificate(false)
                .setMetricsLevel("none")
                .setLogLevel("warning")
                .setAggregationEnabled(true)
                .setAggregationMaxCount(50)
                .setAggregationMaxSize(8 * 1024)
                .setRecordMaxBufferedTime(200)
                .setRequestTimeout(10_000)
                .setTempDirectory(work.toString());
        KinesisProducer kpl = new KinesisProducer(config);
        try {
            // Aggregation starts only once the shard map is loaded: one record first, waited for.
            List<ObjectNode> inputs = new ArrayList<>();
            send(kpl, inputs, "warm-up", null, "warm-up".getBytes(StandardCharsets.UTF_8)).get(60, TimeUnit.SECONDS);
            Thread.sleep(1500);
            List<ListenableFuture<UserRecordResult>> futures = new ArrayList<>();
            Random random = new Random(20261123);
            String[] keys = {"truck-1", "truck-2", "truck-3", "émoji-🚚", "日本語キー", "k".repeat(256),
                    "🚚".repeat(128), "a", "Ωmega"};
            for (int i = 0; i < 400; i++) {
                String key = i % 11 == 0 ? "unique-" + i : keys[random.nextInt(keys.length)];
                String ehk = i % 5 == 0 ? new java.math.BigInteger(128, random).toString()
                        : i % 17 == 0 ? "0" : i % 19 == 0 ? MAX_HASH_KEY : null;
                int size = i % 13 == 0 ? 0 : i % 7 == 0 ? 1000 + random.nextInt(2000) : random.nextInt(120);
                byte[] data = new byte[size];
                random.nextBytes(data);
                if (size >= 4) { // a unique prefix, so that every user record can be told apart
                    ByteBuffer.wrap(data).putInt(i);
                }
                futures.add(send(kpl, inputs, key, ehk, data));
            }
            kpl.flushSync();
            int failed = 0;
            for (ListenableFuture<UserRecordResult> future : futures) {
                if (!future.get(60, TimeUnit.SECONDS).isSuccessful()) {
                    failed++;
                }
            }
            if (failed > 0) {
                throw new IllegalStateException(failed + " records failed");
            }
            write(out.resolve("inputs.jsonl"), inputs);
            synchronized (putEntries) {
                write(out.resolve("put-records.jsonl"), putEntries);
                System.out.println("captured " + putEntries.size() + " Kinesis records carrying " + inputs.size()
                        + " user records into " + out);
            }
        } finally {
            kpl.destroy();
            server.stop(0);
        }
    }

    private static ListenableFuture<UserRecordResult> send(KinesisProducer kpl, List<ObjectNode> inputs, String key,
            String ehk, byte[] data) {
        ObjectNode input = JSON.createObjectNode().put("partitionKey", key);
        if (ehk != null) {
            input.put("explicitHashKey", ehk);
        }
        inputs.add(input.put("data", Base64.getEncoder().encodeToString(data)));
        return kpl.addUserRecord("capture", key, ehk, ByteBuffer.wrap(data));
    }

    private static void write(Path file, List<ObjectNode> lines) throws IOException {
        StringBuilder text = new StringBuilder();
        for (ObjectNode line : lines) {
            text.append(JSON.writeValueAsString(line)).append('\n');
        }
        Files.writeString(file, text);
    }

    private HttpsServer startServer(Path work) throws Exception {
        Path keystore = work.resolve("capture.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-keyalg", "RSA", "-keysize", "2048", "-alias", "capture", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore", keystore.toString(),
                "-storepass", "capture", "-keypass", "capture").inheritIO().start();
        if (keytool.waitFor() != 0) {
            throw new IllegalStateException("keytool failed");
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            store.load(in, "capture".toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "capture".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        server.createContext("/", this::handle);
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
        return server;
    }

    private void handle(HttpExchange exchange) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        String text = new String(body, StandardCharsets.UTF_8);
        if (target == null && text.contains("Action=GetCallerIdentity")) {
            respond(exchange, 200, "text/xml", "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
                    + "<GetCallerIdentityResult><Arn>arn:aws:iam::000000000000:user/local</Arn><UserId>local</UserId>"
                    + "<Account>000000000000</Account></GetCallerIdentityResult>"
                    + "<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
            return;
        }
        if (target == null) {
            System.err.println("unexpected request " + exchange.getRequestURI() + ": " + text);
            respond(exchange, 400, "application/x-amz-json-1.1", "{\"__type\":\"UnknownOperationException\"}");
            return;
        }
        String operation = target.substring(target.indexOf('.') + 1);
        switch (operation) {
            case "ListShards" -> respond(exchange, 200, "application/x-amz-json-1.1",
                    "{\"Shards\":[{\"ShardId\":\"shardId-000000000000\",\"HashKeyRange\":{\"StartingHashKey\":\"0\","
                            + "\"EndingHashKey\":\"" + MAX_HASH_KEY + "\"},\"SequenceNumberRange\":"
                            + "{\"StartingSequenceNumber\":\"49000000000\"}}]}");
            case "PutRecords" -> {
                JsonNode request = JSON.readTree(body);
                ArrayNode results = JSON.createArrayNode();
                synchronized (putEntries) {
                    for (JsonNode entry : request.get("Records")) {
                        ObjectNode captured = JSON.createObjectNode()
                                .put("partitionKey", entry.get("PartitionKey").asText());
                        if (entry.hasNonNull("ExplicitHashKey")) {
                            captured.put("explicitHashKey", entry.get("ExplicitHashKey").asText());
                        }
                        captured.put("data", entry.get("Data").asText());
                        putEntries.add(captured);
                        results.addObject().put("SequenceNumber", String.valueOf(sequence.incrementAndGet()))
                                .put("ShardId", "shardId-000000000000");
                    }
                }
                ObjectNode response = JSON.createObjectNode().put("FailedRecordCount", 0);
                response.set("Records", results);
                respond(exchange, 200, "application/x-amz-json-1.1", JSON.writeValueAsString(response));
            }
            default -> {
                System.err.println("unexpected operation " + operation + ": " + text);
                respond(exchange, 400, "application/x-amz-json-1.1", "{\"__type\":\"UnknownOperationException\"}");
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        exchange.getResponseHeaders().add("x-amzn-RequestId", "capture");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
