package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Consumer registry rules, on a clock the test moves. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamConsumerRegistryTest {
    private static final String STREAM = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";
    private static final long CREATED = 1_700_000_000_000L;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-01-02T03:04:05.678Z"));
    private final StreamConsumerRegistry registry = new StreamConsumerRegistry(clock, Duration.ofSeconds(2));

    @Test
    void arnIsShapedLikeTheServicesWithCreationEpochSeconds() {
        StreamConsumer c = registry.register(STREAM, CREATED, "app-1");
        assertThat(c.arn()).isEqualTo(STREAM + "/consumer/app-1:" + clock.instant().getEpochSecond());
        assertThat(StreamConsumer.streamArnOf(c.arn())).isEqualTo(STREAM);
        assertThat(StreamConsumer.streamArnOf(STREAM)).isNull();
    }

    @Test
    void statusMovesCreatingActiveDeletingGoneAfterTheDelay() {
        StreamConsumer c = registry.register(STREAM, CREATED, "app");
        assertThat(registry.status(c)).isEqualTo(StreamConsumer.Status.CREATING);
        clock.advance(Duration.ofMillis(1999));
        assertThat(registry.status(c)).isEqualTo(StreamConsumer.Status.CREATING);
        clock.advance(Duration.ofMillis(1));
        assertThat(registry.status(c)).isEqualTo(StreamConsumer.Status.ACTIVE);

        registry.deregister(c);
        assertThat(registry.status(c)).isEqualTo(StreamConsumer.Status.DELETING);
        // Still there (and its name still taken) while DELETING.
        assertThat(registry.describeByName(STREAM, CREATED, "app")).isSameAs(c);
        assertThatThrownBy(() -> registry.register(STREAM, CREATED, "app"))
                .isInstanceOfSatisfying(KinesisException.class,
                        e -> assertThat(e.type()).isEqualTo("ResourceInUseException"));
        clock.advance(Duration.ofSeconds(2));
        assertThat(registry.status(c)).isNull();
        assertThatThrownBy(() -> registry.describe(STREAM, CREATED, c.arn()))
                .isInstanceOfSatisfying(KinesisException.class,
                        e -> assertThat(e.type()).isEqualTo("ResourceNotFoundException"));
        // The name is free again, under a new ARN.
        clock.advance(Duration.ofSeconds(1));
        StreamConsumer again = registry.register(STREAM, CREATED, "app");
        assertThat(again.arn()).isNotEqualTo(c.arn());
    }

    @Test
    void namesAreUniquePerStreamOnly() {
        registry.register(STREAM, CREATED, "app");
        assertThatThrownBy(() -> registry.register(STREAM, CREATED, "app"))
                .isInstanceOfSatisfying(KinesisException.class, e -> {
                    assertThat(e.type()).isEqualTo("ResourceInUseException");
                    assertThat(e.getMessage()).contains("app").contains(STREAM);
                });
        String other = "arn:aws:kinesis:us-east-1:000000000000:stream/payments";
        assertThat(registry.register(other, CREATED, "app").streamArn()).isEqualTo(other);
    }

    @Test
    void atMostTwentyPerStream() {
        for (int i = 0; i < StreamConsumerRegistry.MAX_CONSUMERS_PER_STREAM; i++) {
            registry.register(STREAM, CREATED, "c" + i);
        }
        assertThatThrownBy(() -> registry.register(STREAM, CREATED, "one-too-many"))
                .isInstanceOfSatisfying(KinesisException.class, e -> {
                    assertThat(e.type()).isEqualTo("LimitExceededException");
                    assertThat(e.getMessage()).contains("20");
                });
        assertThat(registry.list(STREAM, CREATED)).hasSize(20);
        // A consumer that is gone frees its place.
        registry.deregister(registry.describeByName(STREAM, CREATED, "c7"));
        clock.advance(Duration.ofSeconds(3));
        assertThat(registry.register(STREAM, CREATED, "one-more").name()).isEqualTo("one-more");
    }

    @Test
    void malformedNamesAreRefusedNamingTheConstraint() {
        for (String bad : new String[] {"", "has space", "x".repeat(129), "slash/no"}) {
            assertThatThrownBy(() -> registry.register(STREAM, CREATED, bad))
                    .isInstanceOfSatisfying(KinesisException.class, e -> {
                        assertThat(e.type()).isEqualTo("ValidationException");
                        assertThat(e.getMessage()).contains("consumerName").contains("128");
                    });
        }
        assertThat(registry.list(STREAM, CREATED)).isEmpty();
    }

    @Test
    void aRecreatedStreamForgetsTheOldConsumers() {
        registry.register(STREAM, CREATED, "app");
        assertThat(registry.list(STREAM, CREATED)).hasSize(1);
        assertThat(registry.list(STREAM, CREATED + 5_000)).isEmpty();
        assertThat(registry.register(STREAM, CREATED + 5_000, "app").name()).isEqualTo("app");
    }

    @Test
    void listTokensRoundTripAndRejectOtherStreams() {
        String token = StreamConsumerRegistry.nextToken(STREAM, 7);
        assertThat(StreamConsumerRegistry.tokenPosition(token, STREAM)).isEqualTo(7);
        assertThat(StreamConsumerRegistry.tokenPosition(token, STREAM + "x")).isEqualTo(-1);
        assertThat(StreamConsumerRegistry.tokenPosition("%%%", STREAM)).isEqualTo(-1);
    }
}
