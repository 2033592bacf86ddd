package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.DescribeLimitsResponse;
import software.amazon.awssdk.services.kinesis.model.KinesisException;
import software.amazon.awssdk.services.kinesis.model.PutRecordsRequestEntry;
import software.amazon.awssdk.services.kinesis.model.PutRecordsResultEntry;
import software.amazon.awssdk.services.kinesis.model.Record;
import software.amazon.awssdk.services.kinesis.model.ScalingType;
import software.amazon.awssdk.services.kinesis.model.Shard;
import software.amazon.awssdk.services.kinesis.model.ShardIteratorType;
import software.amazon.awssdk.services.kinesis.model.StreamStatus;

/**
 * Where LocalKinesis answers as the service does for testers who look closely (issue 16): stream lifecycle, short
 * shard ids, sequence-number layout, the account shard limit, DescribeLimits / DescribeAccountSettings, request
 * checking against the API model (wrong JSON types, every violation in one ValidationException, before existence),
 * iterator argument errors, tag rules, empty bodies and targets, and the strict signature mode. Raw HTTP is used
 * where the SDK would refuse to send the request. The points kinesis-mock also gets right run against it too.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ServiceConformanceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SHARD0 = "shardId-000000000000";
    private static LocalKinesis kinesis;
    private static KinesisAsyncClient client;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        kinesis = LocalKinesis.builder().tls(false).limitsEnabled(false).build().start();
        client = SdkClients.async(kinesis.endpoint(), false);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .build();
    }

    @AfterAll
    static void stop() {
        client.close();
        kinesis.close();
    }

    /** What a raw call got back. */
    record Answer(int status, String type, String message, String body, HttpResponse<String> response) {
    }

    /** A raw JSON 1.1 call; {@code target} and {@code body} may be null; signed with a (fake) SigV4 header. */
    static Answer post(URI endpoint, String target, String body, boolean signed) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-amz-json-1.1")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (target != null) {
            request.header("X-Amz-Target", "Kinesis_20131202." + target);
        }
        if (signed) {
            request.header("Authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/kinesis/"
                    + "aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=00");
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        String type = response.headers().firstValue("x-amzn-ErrorType").orElse(null);
        String message = null;
        if (type != null) {
            JsonNode error = JSON.readTree(response.body());
            message = error.path("message").asText(null);
        }
        return new Answer(response.statusCode(), type, message, response.body(), response);
    }

    static Answer post(String target, String body) throws Exception {
        return post(kinesis.endpoint(), target, body, true);
    }

    /** The error code a call failed with, or "none". */
    static String error(Runnable call) {
        return failure(call) instanceof KinesisException k ? k.awsErrorDetails().errorCode() : "none";
    }

    static Throwable failure(Runnable call) {
        try {
            call.run();
            return null;
        } catch (CompletionException e) {
            return e.getCause();
        }
    }

    static String message(Runnable call) {
        Throwable t = failure(call);
        return t instanceof KinesisException k ? k.awsErrorDetails().errorMessage() : String.valueOf(t);
    }

    // ---- stream lifecycle ----

    @Test
    void creatingListsNoShardsAndDeletingIsDescribed() throws Exception {
        try (LocalKinesis slow = LocalKinesis.builder().tls(false).statusDelay(Duration.ofSeconds(3)).build().start();
                KinesisAsyncClient c = SdkClients.async(slow.endpoint(), false)) {
            c.createStream(b -> b.streamName("born").shardCount(2)).join();
            var creating = c.describeStream(b -> b.streamName("born")).join().streamDescription();
            assertThat(creating.streamStatus()).isEqualTo(StreamStatus.CREATING);
            assertThat(creating.shards()).isEmpty();
            assertThat(creating.hasMoreShards()).isFalse();
            assertThat(error(() -> c.listShards(b -> b.streamName("born")).join()))
                    .isEqualTo("ResourceInUseException");
            for (int i = 1; i <= 4; i++) {
                String name = "also-born-" + i;
                c.createStream(b -> b.streamName(name).shardCount(1)).join();
            }
            assertThat(error(() -> c.createStream(b -> b.streamName("sixth").shardCount(1)).join()))
                    .as("at most five streams CREATING").isEqualTo("LimitExceededException");

            awaitStatus(c, "born", StreamStatus.ACTIVE);
            assertThat(c.describeStream(b -> b.streamName("born")).join().streamDescription().shards()).hasSize(2);

            c.deleteStream(b -> b.streamName("born")).join();
            assertThat(c.describeStream(b -> b.streamName("born")).join().streamDescription().streamStatus())
                    .isEqualTo(StreamStatus.DELETING);
            assertThat(c.describeStreamSummary(b -> b.streamName("born")).join().streamDescriptionSummary()
                    .streamStatus()).isEqualTo(StreamStatus.DELETING);
            Await.until("the stream goes away", () -> error(() -> c.describeStream(b -> b.streamName("born")).join())
                    .equals("ResourceNotFoundException"));
        }
    }

    private static void awaitStatus(KinesisAsyncClient c, String stream, StreamStatus status) throws Exception {
        Await.until("stream " + stream + " becomes " + status, () -> c.describeStreamSummary(b -> b.streamName(stream))
                .join().streamDescriptionSummary().streamStatus() == status);
    }

    // ---- shard ids ----

    @Test
    void shortShardIdsAreResolvedInEveryOperationThatTakesOne() {
        kinesis.createStream("short-ids", 4);
        String stream = "short-ids";
        client.putRecord(b -> b.streamName(stream).partitionKey("k").explicitHashKey("0")
                .data(SdkBytes.fromUtf8String("zero"))).join();
        for (String id : List.of("shardId-0", "0", "000", "shard-0", "x-00")) {
            String iterator = client.getShardIterator(b -> b.streamName(stream).shardId(id)
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).join().shardIterator();
            assertThat(client.getRecords(b -> b.shardIterator(iterator)).join().records())
                    .as(id).extracting(r -> r.data().asUtf8String()).containsExactly("zero");
        }
        assertThat(client.describeStream(b -> b.streamName(stream).exclusiveStartShardId("1")).join()
                .streamDescription().shards()).extracting(Shard::shardId)
                .containsExactly("shardId-000000000002", "shardId-000000000003");
        assertThat(client.listShards(b -> b.streamName(stream).exclusiveStartShardId("shardId-2")).join().shards())
                .extracting(Shard::shardId).containsExactly("shardId-000000000003");
        assertThat(client.listShards(b -> b.streamName(stream).shardFilter(f -> f.type("AFTER_SHARD_ID")
                .shardId("shard-2"))).join().shards()).extracting(Shard::shardId)
                .containsExactly("shardId-000000000003");
        client.mergeShards(b -> b.streamName(stream).shardToMerge("2").adjacentShardToMerge("shardId-3")).join();
        client.splitShard(b -> b.streamName(stream).shardToSplit("shardId-0").newStartingHashKey("100")).join();
        List<Shard> shards = client.listShards(b -> b.streamName(stream)).join().shards();
        assertThat(shards).filteredOn(s -> s.sequenceNumberRange().endingSequenceNumber() != null)
                .extracting(Shard::shardId)
                .containsExactly(SHARD0, "shardId-000000000002", "shardId-000000000003");
        assertThat(error(() -> client.getShardIterator(b -> b.streamName(stream).shardId("shardId-99")
                .shardIteratorType(ShardIteratorType.LATEST)).join())).isEqualTo("ResourceNotFoundException");
        assertThat(error(() -> client.getShardIterator(b -> b.streamName(stream).shardId("shardId")
                .shardIteratorType(ShardIteratorType.LATEST)).join())).isEqualTo("ResourceNotFoundException");
    }

    // ---- sequence numbers ----

    /** Puts 200 records over four shards and reads them back: the properties both endpoints should show. */
    private static Map<String, Object> sequenceScenario(KinesisAsyncClient c, String stream) throws Exception {
        Map<String, Object> seen = new LinkedHashMap<>();
        List<PutRecordsRequestEntry> entries = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            entries.add(PutRecordsRequestEntry.builder().partitionKey("key-" + i)
                    .data(SdkBytes.fromUtf8String("d" + i)).build());
        }
        List<PutRecordsResultEntry> results = c.putRecords(b -> b.streamName(stream).records(entries)).join()
                .records();
        Set<String> numbers = new HashSet<>();
        results.forEach(r -> numbers.add(r.sequenceNumber()));
        seen.put("unique across the stream", numbers.size() == 200);
        Map<String, String> shardOfNumber = new HashMap<>();
        results.forEach(r -> shardOfNumber.put(r.sequenceNumber(), r.shardId()));
        boolean increasing = true;
        Map<String, String> firstOfShard = new LinkedHashMap<>();
        for (Shard shard : c.listShards(b -> b.streamName(stream)).join().shards()) {
            String iterator = c.getShardIterator(b -> b.streamName(stream).shardId(shard.shardId())
                    .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).join().shardIterator();
            List<Record> records = c.getRecords(b -> b.shardIterator(iterator)).join().records();
            BigInteger previous = BigInteger.valueOf(-1);
            for (Record r : records) {
                BigInteger n = new BigInteger(r.sequenceNumber());
                increasing &= n.compareTo(previous) > 0
                        && shard.shardId().equals(shardOfNumber.get(r.sequenceNumber()));
                previous = n;
            }
            if (!records.isEmpty()) {
                firstOfShard.put(shard.shardId(), records.get(0).sequenceNumber());
            }
        }
        seen.put("increasing per shard", increasing);
        seen.put("shards holding records", firstOfShard.size());
        // A number names its shard: another shard refuses it.
        List<String> ids = new ArrayList<>(firstOfShard.keySet());
        String foreign = firstOfShard.get(ids.get(0));
        seen.put("foreign number", error(() -> c.getShardIterator(b -> b.streamName(stream).shardId(ids.get(1))
                .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).startingSequenceNumber(foreign)).join()));
        return seen;
    }

    @Test
    void sequenceNumbersAreUniqueAcrossTheStreamIncreasingPerShardAndNameTheirShard() throws Exception {
        kinesis.createStream("numbers", 4);
        Map<String, Object> seen = sequenceScenario(client, "numbers");
        assertThat(seen).containsEntry("unique across the stream", true).containsEntry("increasing per shard", true)
                .containsEntry("shards holding records", 4).containsEntry("foreign number",
                        "InvalidArgumentException");
        // As the service's: 56 digits, and a record stored later anywhere in the stream has the greater number.
        String a = client.putRecord(b -> b.streamName("numbers").partitionKey("a").explicitHashKey("0")
                .data(SdkBytes.fromUtf8String("a"))).join().sequenceNumber();
        String b2 = client.putRecord(b -> b.streamName("numbers").partitionKey("b")
                .explicitHashKey(LocalStream.MAX_HASH_KEY.toString()).data(SdkBytes.fromUtf8String("b"))).join()
                .sequenceNumber();
        assertThat(a).hasSize(56).startsWith("49");
        assertThat(new BigInteger(b2)).isGreaterThan(new BigInteger(a));
        // A child's numbers exceed its parent's, and the parent's ending number is its last record's.
        client.splitShard(s -> s.streamName("numbers").shardToSplit(SHARD0).newStartingHashKey("100")).join();
        String child = client.putRecord(p -> p.streamName("numbers").partitionKey("c").explicitHashKey("0")
                .data(SdkBytes.fromUtf8String("c"))).join().sequenceNumber();
        Shard parent = client.listShards(l -> l.streamName("numbers")).join().shards().get(0);
        assertThat(parent.sequenceNumberRange().endingSequenceNumber()).isEqualTo(a);
        assertThat(new BigInteger(child)).isGreaterThan(new BigInteger(b2));
        // SequenceNumberForOrdering from another shard's record is honoured too (stream-wide order).
        String ordered = client.putRecord(p -> p.streamName("numbers").partitionKey("c").explicitHashKey("0")
                .sequenceNumberForOrdering(b2).data(SdkBytes.fromUtf8String("o"))).join().sequenceNumber();
        assertThat(new BigInteger(ordered)).isGreaterThan(new BigInteger(b2));
    }

    // ---- account limits ----

    @Test
    void theAccountShardLimitDescribeLimitsAndAccountSettings() throws Exception {
        try (LocalKinesis limited = LocalKinesis.builder().tls(false).shardLimit(10).build().start();
                KinesisAsyncClient c = SdkClients.async(limited.endpoint(), false)) {
            c.createStream(b -> b.streamName("six").shardCount(6)).join();
            c.createStream(b -> b.streamName("od").streamModeDetails(m -> m.streamMode("ON_DEMAND"))).join();
            Throwable over = failure(() -> c.createStream(b -> b.streamName("one-too-many").shardCount(1)).join());
            assertThat(((KinesisException) over).awsErrorDetails().errorCode()).isEqualTo("LimitExceededException");
            assertThat(over).hasMessageContaining("shard limit").hasMessageContaining("10");
            assertThat(error(() -> c.splitShard(b -> b.streamName("six").shardToSplit("shardId-000000000000")
                    .newStartingHashKey("100")).join())).isEqualTo("LimitExceededException");
            assertThat(error(() -> c.updateShardCount(b -> b.streamName("six").targetShardCount(7)
                    .scalingType(ScalingType.UNIFORM_SCALING)).join())).isEqualTo("LimitExceededException");
            assertThat(c.listStreams().join().streamNames()).containsExactly("od", "six");

            DescribeLimitsResponse limits = c.describeLimits(b -> { }).join();
            assertThat(limits.shardLimit()).isEqualTo(10);
            assertThat(limits.openShardCount()).isEqualTo(10);
            assertThat(limits.onDemandStreamCount()).isEqualTo(1);
            assertThat(limits.onDemandStreamCountLimit()).isEqualTo(50);

            // Merging frees a shard, which a split may then use.
            c.mergeShards(b -> b.streamName("six").shardToMerge("shardId-000000000000")
                    .adjacentShardToMerge("shardId-000000000001")).join();
            c.splitShard(b -> b.streamName("six").shardToSplit("shardId-000000000002")
                    .newStartingHashKey(new BigInteger(c.listShards(l -> l.streamName("six")).join().shards().get(2)
                            .hashKeyRange().startingHashKey()).add(BigInteger.TEN).toString())).join();

            // DescribeAccountSettings is newer than this SDK: asked in raw JSON.
            Answer settings = post(limited.endpoint(), "DescribeAccountSettings", "{}", true);
            assertThat(settings.status()).isEqualTo(200);
            assertThat(JSON.readTree(settings.body()).path("MinimumThroughputBillingCommitment").path("Status")
                    .asText()).isEqualTo("DISABLED");
        }
        assertThat(LocalKinesis.DEFAULT_SHARD_LIMIT).isEqualTo(500);
        assertThat(client.describeLimits(b -> { }).join().shardLimit()).as("limits off: the model's maximum")
                .isEqualTo(1_000_000);
    }

    // ---- requests the service refuses ----

    @Test
    void aValueOfTheWrongJsonTypeIsASerializationException() throws Exception {
        kinesis.createStream("typed", 1);
        for (String[] call : new String[][] {
            {"DescribeStream", "{\"StreamName\": true}"},
            {"DescribeStream", "{\"StreamName\": 12}"},
            {"ListStreams", "{\"Limit\": [5]}"},
            {"ListStreams", "{\"Limit\": \"5\"}"},
            {"ListStreams", "{\"Limit\": 1.5}"},
            {"AddTagsToStream", "{\"StreamName\": \"typed\", \"Tags\": \"team=core\"}"},
            {"PutRecords", "{\"StreamName\": \"typed\", \"Records\": {\"Data\": \"eA==\"}}"},
            {"PutRecord", "{\"StreamName\": \"typed\", \"PartitionKey\": \"k\", \"Data\": 7}"},
            {"GetShardIterator", "{\"StreamName\": \"typed\", \"ShardId\": \"0\", \"ShardIteratorType\": "
                    + "\"AT_TIMESTAMP\", \"Timestamp\": {}}"},
            {"ListShards", "{\"StreamName\": \"typed\", \"ShardFilter\": \"AT_LATEST\"}"},
            {"DescribeStream", "[]"},
        }) {
            Answer answer = post(call[0], call[1]);
            assertThat(answer.type()).as(call[1]).isEqualTo("SerializationException");
            assertThat(answer.status()).isEqualTo(400);
        }
        assertThat(client.listTagsForStream(b -> b.streamName("typed")).join().tags()).isEmpty();
    }

    @Test
    void everyViolationIsListedInOneValidationExceptionBeforeTheStreamIsLookedUp() throws Exception {
        String name = "bad name!".repeat(20);
        Answer answer = post("DescribeStream", "{\"StreamName\": \"" + name + "\", \"Limit\": 0, "
                + "\"ExclusiveStartShardId\": \"no/slash\"}");
        assertThat(answer.type()).isEqualTo("ValidationException");
        assertThat(answer.message()).isEqualTo("4 validation errors detected: "
                + "Value '" + name + "' at 'streamName' failed to satisfy constraint: Member must satisfy regular "
                + "expression pattern: [a-zA-Z0-9_.-]+; "
                + "Value '" + name + "' at 'streamName' failed to satisfy constraint: Member must have length less "
                + "than or equal to 128; "
                + "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal "
                + "to 1; "
                + "Value 'no/slash' at 'exclusiveStartShardId' failed to satisfy constraint: Member must satisfy "
                + "regular expression pattern: [a-zA-Z0-9_.-]+");
        // Through the SDK: nested and listed members, and missing required ones, in the model's order.
        String message = message(() -> client.putRecords(b -> b.streamName("nowhere").records(
                PutRecordsRequestEntry.builder().partitionKey("").data(SdkBytes.fromUtf8String("x")).build(),
                PutRecordsRequestEntry.builder().partitionKey("k").explicitHashKey("01")
                        .data(SdkBytes.fromUtf8String("x")).build())).join());
        assertThat(message).isEqualTo("2 validation errors detected: "
                + "Value '' at 'records.1.member.partitionKey' failed to satisfy constraint: Member must have length "
                + "greater than or equal to 1; "
                + "Value '01' at 'records.2.member.explicitHashKey' failed to satisfy constraint: Member must satisfy "
                + "regular expression pattern: 0|([1-9]\\d{0,38})");
        assertThat(post("GetShardIterator", "{\"StreamName\": \"nowhere\"}").message())
                .isEqualTo("2 validation errors detected: "
                        + "Value null at 'shardId' failed to satisfy constraint: Member must not be null; "
                        + "Value null at 'shardIteratorType' failed to satisfy constraint: Member must not be null");
        assertThat(post("GetShardIterator", "{\"StreamName\": \"nowhere\", \"ShardId\": \"0\", "
                + "\"ShardIteratorType\": \"SIDEWAYS\"}").message()).isEqualTo("1 validation error detected: "
                + "Value 'SIDEWAYS' at 'shardIteratorType' failed to satisfy constraint: Member must satisfy enum value "
                + "set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]");
        // Valid but absent: now the lookup answers.
        assertThat(error(() -> client.describeStream(b -> b.streamName("nowhere")).join()))
                .isEqualTo("ResourceNotFoundException");
    }

    @Test
    void iteratorArgumentsThatDoNotFitAreInvalidArguments() {
        kinesis.createStream("iterators", 2);
        String seq = client.putRecord(b -> b.streamName("iterators").partitionKey("k").explicitHashKey("0")
                .data(SdkBytes.fromUtf8String("x"))).join().sequenceNumber();
        for (ShardIteratorType type : List.of(ShardIteratorType.LATEST, ShardIteratorType.TRIM_HORIZON)) {
            assertThat(error(() -> client.getShardIterator(b -> b.streamName("iterators").shardId(SHARD0)
                    .shardIteratorType(type).startingSequenceNumber(seq)).join())).as(type.toString())
                    .isEqualTo("InvalidArgumentException");
        }
        Instant future = Instant.now().plus(Duration.ofHours(1));
        assertThat(message(() -> client.getShardIterator(b -> b.streamName("iterators").shardId(SHARD0)
                .shardIteratorType(ShardIteratorType.AT_TIMESTAMP).timestamp(future)).join()))
                .startsWith("The timestampInMillis parameter cannot be greater than the currentTimestampInMillis");
        // Malformed numbers of every kind: never a 500.
        for (String malformed : List.of("1", "49" + "9".repeat(54), "4".repeat(56), "49" + "0".repeat(60),
                "9".repeat(129), seq.substring(0, 55))) {
            assertThat(error(() -> client.getShardIterator(b -> b.streamName("iterators").shardId(SHARD0)
                    .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).startingSequenceNumber(malformed))
                    .join())).as(malformed).isEqualTo("InvalidArgumentException");
        }
        for (String outsidePattern : List.of("12ab", "-1", "01", "9".repeat(130))) {
            assertThat(error(() -> client.getShardIterator(b -> b.streamName("iterators").shardId(SHARD0)
                    .shardIteratorType(ShardIteratorType.AFTER_SEQUENCE_NUMBER).startingSequenceNumber(outsidePattern))
                    .join())).as(outsidePattern).isEqualTo("ValidationException");
        }
        assertThat(error(() -> client.getShardIterator(b -> b.streamName("iterators").shardId(SHARD0)
                .shardIteratorType(ShardIteratorType.AT_SEQUENCE_NUMBER).startingSequenceNumber(seq)).join()))
                .isEqualTo("none");
    }

    @Test
    void tagsFollowTheServicesCharacterRulesAndLimits() {
        kinesis.createStream("tagged", 1);
        client.addTagsToStream(b -> b.streamName("tagged").tags(Map.of("team name", "core_1/a=b+c-d%e@f.g",
                "Größe", "élevé"))).join();
        assertThat(error(() -> client.addTagsToStream(b -> b.streamName("tagged").tags(Map.of("bad*key", "v")))
                .join())).isEqualTo("InvalidArgumentException");
        assertThat(error(() -> client.addTagsToStream(b -> b.streamName("tagged").tags(Map.of("k", "v#")))
                .join())).isEqualTo("InvalidArgumentException");
        assertThat(message(() -> client.addTagsToStream(b -> b.streamName("tagged").tags(Map.of("k".repeat(129),
                "v"))).join())).contains("Map keys must satisfy constraint: [Member must have length less than or "
                        + "equal to 128]");
        assertThat(error(() -> client.addTagsToStream(b -> b.streamName("tagged").tags(Map.of("k", "v".repeat(257))))
                .join())).isEqualTo("ValidationException");
        assertThat(error(() -> client.addTagsToStream(b -> b.streamName("tagged").tags(Map.of())).join()))
                .isEqualTo("ValidationException");
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i < 51; i++) {
            many.put("t" + i, "v");
        }
        assertThat(error(() -> client.addTagsToStream(b -> b.streamName("tagged").tags(many)).join()))
                .isEqualTo("InvalidArgumentException");
        Map<String, String> fortyNine = new LinkedHashMap<>(many);
        fortyNine.keySet().retainAll(new ArrayList<>(many.keySet()).subList(0, 49));
        assertThat(error(() -> client.addTagsToStream(b -> b.streamName("tagged").tags(fortyNine)).join()))
                .as("2 + 49 > 50 on the stream").isEqualTo("LimitExceededException");
        assertThat(error(() -> client.removeTagsFromStream(b -> b.streamName("tagged")
                .tagKeys(new ArrayList<>(many.keySet()))).join())).isEqualTo("ValidationException");
        assertThat(client.listTagsForStream(b -> b.streamName("tagged")).join().tags()).hasSize(2);
    }

    @Test
    void anEmptyBodyOrMissingTargetIsRefusedAndEmptyAnswersAreEmpty() throws Exception {
        Answer empty = post("ListStreams", null);
        assertThat(empty.type()).isEqualTo("SerializationException");
        assertThat(empty.status()).isEqualTo(400);
        Answer noTarget = post(null, "{}");
        assertThat(noTarget.type()).isEqualTo("UnknownOperationException");
        assertThat(noTarget.status()).isEqualTo(400);
        assertThat(post("NoSuchOperation", "{}").type()).isEqualTo("UnknownOperationException");

        Answer created = post("CreateStream", "{\"StreamName\": \"empty-answer\", \"ShardCount\": 1}");
        assertThat(created.status()).isEqualTo(200);
        assertThat(created.body()).isEmpty();
        assertThat(created.response().headers().firstValueAsLong("Content-Length")).hasValue(0);
        Answer listed = post("ListStreams", "{}");
        assertThat(JSON.readTree(listed.body()).path("StreamNames").toString()).contains("empty-answer");
    }

    @Test
    void strictModeRefusesUnsignedRequestsAndLetsTheSdkThrough() throws Exception {
        try (LocalKinesis strict = LocalKinesis.builder().tls(false).requireSignature(true).build().start();
                KinesisAsyncClient c = SdkClients.async(strict.endpoint(), false)) {
            Answer unsigned = post(strict.endpoint(), "ListStreams", "{}", false);
            assertThat(unsigned.type()).isEqualTo("MissingAuthenticationTokenException");
            assertThat(unsigned.message()).isEqualTo("Missing Authentication Token");
            assertThat(unsigned.status()).isEqualTo(400);
            HttpResponse<String> basic = http.send(HttpRequest.newBuilder(strict.endpoint())
                    .header("X-Amz-Target", "Kinesis_20131202.ListStreams").header("Authorization", "Basic eDp5")
                    .header("Content-Type", "application/x-amz-json-1.1")
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(basic.headers().firstValue("x-amzn-ErrorType")).hasValue("IncompleteSignatureException");
            c.createStream(b -> b.streamName("signed").shardCount(1)).join();
            assertThat(c.listStreams().join().streamNames()).containsExactly("signed");
        }
        // Off by default: unsigned requests are served.
        assertThat(post(kinesis.endpoint(), "ListStreams", "{}", false).status()).isEqualTo(200);
    }

    // ---- against kinesis-mock where it is faithful ----

    /**
     * The points of this class kinesis-mock also gets right. Where it departs from the service it is left out (and
     * LocalKinesis is checked alone above): it accepts a StartingSequenceNumber with LATEST and TRIM_HORIZON,
     * answers pattern violations with InvalidArgumentException, looks the stream up before the other checks, and
     * knows no short shard ids.
     */
    private static Map<String, Object> requestScenario(KinesisAsyncClient c, String stream) throws Exception {
        Map<String, Object> seen = new LinkedHashMap<>();
        c.putRecord(b -> b.streamName(stream).partitionKey("k").explicitHashKey("0")
                .data(SdkBytes.fromUtf8String("x"))).join();
        seen.put("timestamp in the future", error(() -> c.getShardIterator(b -> b.streamName(stream)
                .shardId(SHARD0).shardIteratorType(ShardIteratorType.AT_TIMESTAMP)
                .timestamp(Instant.now().plus(Duration.ofHours(1)))).join()));
        String arn = c.describeStreamSummary(b -> b.streamName(stream)).join().streamDescriptionSummary()
                .streamARN();
        c.registerStreamConsumer(b -> b.streamARN(arn).consumerName("counted")).join();
        seen.put("consumer count", c.describeStreamSummary(b -> b.streamName(stream)).join()
                .streamDescriptionSummary().consumerCount());
        seen.put("open shards", c.describeLimits(b -> { }).join().openShardCount());
        seen.put("tag with a bad character", error(() -> c.addTagsToStream(b -> b.streamName(stream)
                .tags(Map.of("k", "v#"))).join()));
        return seen;
    }

    /** A scenario over a stream named "peer". */
    interface Scenario {
        Map<String, Object> run(KinesisAsyncClient client, String stream) throws Exception;
    }

    /** Runs {@code scenario} on a fresh {@code shards}-shard stream of LocalKinesis, then of kinesis-mock. */
    private static List<Map<String, Object>> onBoth(int shards, Scenario scenario) throws Exception {
        assumeTrue(KinesisMockPeer.installed(), "kinesis-local is installed by the build (npm ci)");
        List<Map<String, Object>> seen = new ArrayList<>();
        try (LocalKinesis own = LocalKinesis.builder().tls(false).limitsEnabled(false).build().start()) {
            seen.add(run(own.endpoint(), shards, scenario));
        }
        try (KinesisMockPeer peer = KinesisMockPeer.start()) {
            seen.add(run(peer.endpoint(), shards, scenario));
        }
        return seen;
    }

    private static Map<String, Object> run(URI endpoint, int shards, Scenario scenario) throws Exception {
        try (KinesisAsyncClient c = SdkClients.async(endpoint, false)) {
            c.createStream(b -> b.streamName("peer").shardCount(shards)).join();
            awaitStatus(c, "peer", StreamStatus.ACTIVE);
            return scenario.run(c, "peer");
        }
    }

    @Test
    void kinesisMockAgreesOnRequestChecks() throws Exception {
        List<Map<String, Object>> seen = onBoth(2, ServiceConformanceTest::requestScenario);
        assertThat(seen.get(0)).isEqualTo(seen.get(1))
                .containsEntry("timestamp in the future", "InvalidArgumentException")
                .containsEntry("consumer count", 1).containsEntry("open shards", 2);
    }

    @Test
    void kinesisMockAgreesOnTheSequenceNumberProperties() throws Exception {
        List<Map<String, Object>> seen = onBoth(4, ServiceConformanceTest::sequenceScenario);
        // kinesis-mock refuses another shard's number as ResourceNotFoundException; the service (and LocalKinesis,
        // asserted above) as InvalidArgumentException. Compared here: that it is refused at all.
        for (Map<String, Object> one : seen) {
            one.put("foreign number", !"none".equals(one.get("foreign number")));
        }
        assertThat(seen.get(0)).isEqualTo(seen.get(1)).containsEntry("foreign number", true);
    }
}
