package dev.shardline.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The enhanced fan-out operations: RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers,
 * DeregisterStreamConsumer and SubscribeToShard (a streaming reply; see {@link Subscription}).
 */
final class FanOutOperations {
    private final StreamStore store;
    private final FanOutConfig config;
    private final StreamConsumerRegistry consumers;
    private final SubscriptionRegistry subscriptions;
    private final FanOutFaults faults;

    FanOutOperations(StreamStore store, FanOutConfig config) {
        this.store = store;
        this.config = config;
        this.consumers = new StreamConsumerRegistry(store.clock(), config.consumerStatusDelay());
        this.subscriptions = new SubscriptionRegistry(store, config);
        this.faults = new FanOutFaults(subscriptions);
    }

    void registerAll(OperationRegistry registry) {
        registry.register("RegisterStreamConsumer", this::register)
                .register("DescribeStreamConsumer", this::describe)
                .register("ListStreamConsumers", this::list)
                .register("DeregisterStreamConsumer", this::deregister)
                .register("SubscribeToShard", this::subscribe);
    }

    FanOutFaults faults() {
        return faults;
    }

    SubscriptionRegistry subscriptions() {
        return subscriptions;
    }

    StreamConsumerRegistry consumers() {
        return consumers;
    }

    FanOutConfig config() {
        return config;
    }

    Reply register(Call call) {
        LocalStream stream = stream(call.requireText("StreamARN"));
        String name = call.requireText("ConsumerName");
        if (stream.status() == StreamStatus.CREATING) {
            throw KinesisException.inUse("Stream " + stream.name() + " under account " + store.account()
                    + " is not ACTIVE; consumers can be registered once it is.");
        }
        StreamConsumer consumer = consumers.register(stream.arn(), stream.createdMillis(), name);
        ObjectNode out = call.newObject();
        ObjectNode node = out.putObject("Consumer");
        summary(call, node, consumer, StreamConsumer.Status.CREATING);
        return Reply.of(out);
    }

    Reply describe(Call call) {
        StreamConsumer consumer = find(call);
        StreamConsumer.Status status = consumers.status(consumer);
        if (status == null) {
            throw KinesisException.notFound("Consumer " + consumer.arn() + " not found.");
        }
        ObjectNode out = call.newObject();
        ObjectNode node = out.putObject("ConsumerDescription");
        summary(call, node, consumer, status);
        node.put("StreamARN", consumer.streamArn());
        return Reply.of(out);
    }

    Reply list(Call call) {
        LocalStream stream = stream(call.requireText("StreamARN"));
        int max = call.integer("MaxResults", 1, StreamConsumerRegistry.MAX_LIST_RESULTS,
                StreamConsumerRegistry.DEFAULT_LIST_RESULTS);
        Instant created = call.timestamp("StreamCreationTimestamp");
        if (created != null && created.toEpochMilli() / 1000 != stream.createdMillis() / 1000) {
            throw KinesisException.notFound("Stream " + stream.arn() + " created at " + created + " not found.");
        }
        int from = 0;
        String token = call.text("NextToken");
        if (token != null) {
            from = StreamConsumerRegistry.tokenPosition(token, stream.arn());
            if (from < 0) {
                throw KinesisException.invalid("NextToken " + token + " is not valid for stream " + stream.arn()
                        + ".");
            }
        }
        List<StreamConsumer> all = consumers.list(stream.arn(), stream.createdMillis());
        ObjectNode out = call.newObject();
        ArrayNode array = out.putArray("Consumers");
        int end = Math.min(all.size(), from + max);
        for (int i = from; i < end; i++) {
            StreamConsumer consumer = all.get(i);
            StreamConsumer.Status status = consumers.status(consumer);
            if (status != null) {
                summary(call, array.addObject(), consumer, status);
            }
        }
        if (end < all.size()) {
            out.put("NextToken", StreamConsumerRegistry.nextToken(stream.arn(), end));
        }
        return Reply.of(out);
    }

    Reply deregister(Call call) {
        StreamConsumer consumer = find(call);
        consumers.deregister(consumer);
        subscriptions.endWhere(s -> s.consumer() == consumer, "ResourceNotFoundException",
                "Consumer " + consumer.arn() + " was deregistered.");
        return Reply.empty();
    }

    Reply subscribe(Call call) {
        String consumerArn = call.requireText("ConsumerARN");
        String shardId = call.requireText("ShardId");
        JsonNode startingPosition = call.body().get("StartingPosition");
        String streamArn = StreamConsumer.streamArnOf(consumerArn);
        if (streamArn == null) {
            throw KinesisException.validation("Value '" + consumerArn + "' at 'consumerARN' failed to satisfy "
                    + "constraint: Member must satisfy regular expression pattern: "
                    + "^(arn):aws.*:kinesis:.*:\\d{12}:.*stream\\/[a-zA-Z0-9_.-]+\\/consumer\\/[a-zA-Z0-9_.-]+:[0-9]+");
        }
        LocalStream stream = stream(streamArn);
        StreamConsumer consumer = consumers.describe(stream.arn(), stream.createdMillis(), consumerArn);
        StreamConsumer.Status status = consumers.status(consumer);
        if (status != StreamConsumer.Status.ACTIVE) {
            throw KinesisException.notFound("Consumer " + consumerArn + " is "
                    + (status == null ? "gone" : status) + ", not ACTIVE.");
        }
        LocalShard shard = stream.shard(shardId);
        if (shard == null) {
            throw KinesisException.notFound("Shard " + shardId + " in stream " + stream.name() + " under account "
                    + store.account() + " does not exist.");
        }
        long position = startPosition(call, shard, startingPosition);
        Subscription subscription = subscriptions.admit(consumer, shard, () -> new Subscription(store, config,
                faults, subscriptions, consumers, consumer, shard, position, faults.take()));
        return Reply.streaming(SubscriptionEvents.CONTENT_TYPE, Map.of(), subscription::start);
    }

    /** Where a subscription starts reading, from its StartingPosition. */
    private long startPosition(Call call, LocalShard shard, JsonNode startingPosition) {
        JsonNode typeNode = startingPosition.get("Type");
        JsonNode sequence = startingPosition.get("SequenceNumber");
        return IteratorStart.position(store, shard, "SubscribeToShard", "StartingPosition.SequenceNumber",
                typeNode.asText(), sequence == null || sequence.isNull() ? null : sequence.asText(),
                call.timestamp(startingPosition, "Timestamp"));
    }

    /** The consumer a call names by ConsumerARN, or by StreamARN and ConsumerName. */
    private StreamConsumer find(Call call) {
        String arn = call.text("ConsumerARN");
        String streamArn = call.text("StreamARN");
        String name = call.text("ConsumerName");
        if (arn != null) {
            String ofArn = StreamConsumer.streamArnOf(arn);
            if (ofArn == null) {
                throw KinesisException.invalid("ConsumerARN " + arn + " is not a consumer ARN.");
            }
            if (streamArn != null && !streamArn.equals(ofArn)) {
                throw KinesisException.invalid("ConsumerARN " + arn + " does not belong to StreamARN " + streamArn
                        + ".");
            }
            LocalStream stream = stream(ofArn);
            StreamConsumer consumer = consumers.describe(stream.arn(), stream.createdMillis(), arn);
            if (name != null && !name.equals(consumer.name())) {
                throw KinesisException.invalid("ConsumerARN " + arn + " and ConsumerName " + name
                        + " do not name the same consumer.");
            }
            return consumer;
        }
        if (streamArn == null || name == null) {
            throw KinesisException.invalid("Either ConsumerARN, or StreamARN and ConsumerName, must be provided.");
        }
        LocalStream stream = stream(streamArn);
        return consumers.describeByName(stream.arn(), stream.createdMillis(), name);
    }

    private LocalStream stream(String streamArn) {
        return store.resolve(null, streamArn);
    }

    private static void summary(Call call, ObjectNode node, StreamConsumer consumer, StreamConsumer.Status status) {
        node.put("ConsumerName", consumer.name());
        node.put("ConsumerARN", consumer.arn());
        node.put("ConsumerStatus", status.name());
        node.set("ConsumerCreationTimestamp", call.timestamp(consumer.created()));
    }
}
