package dev.shardline.local;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * A JUnit 5 extension that gives tests a running {@link LocalKinesis} (and, if asked, {@link LocalDynamoDb}) with
 * ready SDK clients pointed at them.
 *
 * <pre>{@code
 * class OrdersTest {
 *     @RegisterExtension
 *     static LocalKinesisExtension local = LocalKinesisExtension.builder()
 *             .stream("orders", 4)
 *             .withDynamoDb()
 *             .build();
 *
 *     @Test
 *     void putsAndReads(KinesisAsyncClient kinesis, DynamoDbAsyncClient dynamo) { ... }
 *     // or local.kinesisClient(), local.kinesis().faults(), local.dynamoDbClient()
 * }
 * }</pre>
 *
 * <p>Registered on a static field, the servers live for the test class; on an instance field, for each test.
 * {@code @ExtendWith(LocalKinesisExtension.class)} gives the defaults (limits on, no streams, no DynamoDB).
 * Test methods may take {@link LocalKinesis}, {@link KinesisAsyncClient}, {@link LocalDynamoDb} and
 * {@link DynamoDbAsyncClient} parameters.
 */
public final class LocalKinesisExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback,
        AfterEachCallback, ParameterResolver {
    private final Consumer<LocalKinesis.Builder> configure;
    private final Map<String, Integer> streams;
    private final boolean withDynamoDb;
    private LocalKinesis kinesis;
    private KinesisAsyncClient kinesisClient;
    private LocalDynamoDb dynamoDb;
    private DynamoDbAsyncClient dynamoDbClient;
    private boolean perClass;

    /** The defaults: limits on, free ports, no streams, no DynamoDB. */
    public LocalKinesisExtension() {
        this(new Builder());
    }

    private LocalKinesisExtension(Builder builder) {
        this.configure = builder.configure;
        this.streams = Map.copyOf(builder.streams);
        this.withDynamoDb = builder.withDynamoDb;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings of the extension. */
    public static final class Builder {
        private Consumer<LocalKinesis.Builder> configure = b -> { };
        private final Map<String, Integer> streams = new LinkedHashMap<>();
        private boolean withDynamoDb;

        private Builder() {
        }

        /** Changes the {@link LocalKinesis} settings (limits, clock, status delay...). */
        public Builder configure(Consumer<LocalKinesis.Builder> configure) {
            this.configure = this.configure.andThen(configure);
            return this;
        }

        /** A stream to create (ACTIVE) before each test class or test. */
        public Builder stream(String name, int shards) {
            streams.put(name, shards);
            return this;
        }

        /** Also start DynamoDB Local (for lease tables). */
        public Builder withDynamoDb() {
            this.withDynamoDb = true;
            return this;
        }

        public LocalKinesisExtension build() {
            return new LocalKinesisExtension(this);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        perClass = true;
        startAll();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (perClass) {
            stopAll();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (!perClass) {
            startAll();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (!perClass) {
            stopAll();
        }
    }

    private void startAll() {
        LocalKinesis.Builder builder = LocalKinesis.builder();
        configure.accept(builder);
        kinesis = builder.build().start();
        streams.forEach(kinesis::createStream);
        kinesisClient = LocalClients.kinesis(kinesis.endpoint());
        if (withDynamoDb) {
            dynamoDb = new LocalDynamoDb().start();
            dynamoDbClient = LocalClients.dynamoDb(dynamoDb.endpoint());
        }
    }

    private void stopAll() {
        List<AutoCloseable> open = new ArrayList<>();
        open.add(kinesisClient);
        open.add(kinesis);
        open.add(dynamoDbClient);
        open.add(dynamoDb);
        RuntimeException failure = null;
        for (AutoCloseable closeable : open) {
            if (closeable == null) {
                continue;
            }
            try {
                closeable.close();
            } catch (Exception e) {
                failure = failure == null ? new IllegalStateException("closing local servers failed", e) : failure;
            }
        }
        kinesis = null;
        kinesisClient = null;
        dynamoDb = null;
        dynamoDbClient = null;
        if (failure != null) {
            throw failure;
        }
    }

    /** The running endpoint. */
    public LocalKinesis kinesis() {
        return require(kinesis, "LocalKinesis");
    }

    /** An async client for it (plain port, HTTP/1.1). */
    public KinesisAsyncClient kinesisClient() {
        return require(kinesisClient, "Kinesis client");
    }

    /** DynamoDB Local, when {@link Builder#withDynamoDb()} was asked for. */
    public LocalDynamoDb dynamoDb() {
        return require(dynamoDb, "LocalDynamoDb (ask for it with withDynamoDb())");
    }

    /** An async client for DynamoDB Local. */
    public DynamoDbAsyncClient dynamoDbClient() {
        return require(dynamoDbClient, "DynamoDB client (ask for it with withDynamoDb())");
    }

    private static <T> T require(T value, String what) {
        if (value == null) {
            throw new IllegalStateException(what + " is not running");
        }
        return value;
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == LocalKinesis.class || type == KinesisAsyncClient.class
                || (withDynamoDb && (type == LocalDynamoDb.class || type == DynamoDbAsyncClient.class));
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        if (type == LocalKinesis.class) {
            return kinesis();
        } else if (type == KinesisAsyncClient.class) {
            return kinesisClient();
        } else if (type == LocalDynamoDb.class) {
            return dynamoDb();
        } else if (type == DynamoDbAsyncClient.class) {
            return dynamoDbClient();
        }
        throw new ParameterResolutionException("cannot resolve " + type);
    }
}
