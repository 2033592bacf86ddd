package dev.shardline.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.Consumer;
import software.amazon.awssdk.services.kinesis.model.ConsumerDescription;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.InvalidArgumentException;
import software.amazon.awssdk.services.kinesis.model.LimitExceededException;
import software.amazon.awssdk.services.kinesis.model.ListStreamConsumersResponse;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/**
 * RegisterStreamConsumer, DescribeStreamConsumer, ListStreamConsumers and DeregisterStreamConsumer through the SDK
 * (CBOR, its default for these operations) on a manual clock, so the status delay is exact and takes no time.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamConsumerOperationsTest {
    private static final Duration DELAY = Duration.ofSeconds(3);
    ManualClock clock;
    LocalKinesis kinesis;
    KinesisAsyncClient client;

    @BeforeEach
    void start() {
        clock = new ManualClock(Instant.parse("2026-05-06T07:08:09.250Z"));
        kinesis = LocalKinesis.builder().clock(clock)
                .fanOut(FanOutConfig.builder().consumerStatusDelay(DELAY).build()).build().start();
        client = LocalClients.kinesis(kinesis.endpoint());
    }

    @AfterEach
    void stop() {
        client.close();
        kinesis.close();
    }

    private static Throwable cause(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            return e.getCause() != null ? e.getCause() : e;
        }
        throw new AssertionError("the call succeeded");
    }

    @Test
    void describeStreamSummaryCountsTheRegisteredConsumers() {
        String stream = kinesis.createStream("counted", 1);
        assertThat(client.describeStreamSummary(b -> b.streamARN(stream)).join().streamDescriptionSummary()
                .consumerCount()).isZero();
        client.registerStreamConsumer(b -> b.streamARN(stream).consumerName("one")).join();
        client.registerStreamConsumer(b -> b.streamARN(stream).consumerName("two")).join();
        assertThat(client.describeStreamSummary(b -> b.streamName("counted")).join().streamDescriptionSummary()
                .consumerCount()).isEqualTo(2);
        client.deregisterStreamConsumer(b -> b.streamARN(stream).consumerName("one")).join();
        clock.advance(DELAY);
        assertThat(client.describeStreamSummary(b -> b.streamName("counted")).join().streamDescriptionSummary()
                .consumerCount()).isEqualTo(1);
    }

    @Test
    void lifecycleThroughTheSdk() {
        String stream = kinesis.createStream("lifecycle", 1);
        Consumer registered = client.registerStreamConsumer(b -> b.streamARN(stream).consumerName("app")).join()
                .consumer();
        assertThat(registered.consumerName()).isEqualTo("app");
        assertThat(registered.consumerStatus()).isEqualTo(ConsumerStatus.CREATING);
        assertThat(registered.consumerARN()).isEqualTo(stream + "/consumer/app:" + clock.instant().getEpochSecond());
        assertThat(registered.consumerCreationTimestamp()).isEqualTo(clock.instant());

        ConsumerDescription byArn = client.describeStreamConsumer(b -> b.consumerARN(registered.consumerARN()))
                .join().consumerDescription();
        assertThat(byArn.consumerStatus()).isEqualTo(ConsumerStatus.CREATING);
        assertThat(byArn.streamARN()).isEqualTo(stream);

        clock.advance(DELAY);
        ConsumerDescription byName = client.describeStreamConsumer(b -> b.streamARN(stream).consumerName("app"))
                .join().consumerDescription();
        assertThat(byName.consumerStatus()).isEqualTo(ConsumerStatus.ACTIVE);
        assertThat(byName.consumerARN()).isEqualTo(registered.consumerARN());

        client.deregisterStreamConsumer(b -> b.streamARN(stream).consumerName("app")).join();
        assertThat(client.describeStreamConsumer(b -> b.consumerARN(registered.consumerARN())).join()
                .consumerDescription().consumerStatus()).isEqualTo(ConsumerStatus.DELETING);
        assertThat(client.listStreamConsumers(b -> b.streamARN(stream)).join().consumers())
                .extracting(Consumer::consumerStatus).containsExactly(ConsumerStatus.DELETING);
        clock.advance(DELAY);
        assertThat(cause(() -> client.describeStreamConsumer(b -> b.consumerARN(registered.consumerARN())).join()))
                .isInstanceOf(ResourceNotFoundException.class);
        assertThat(client.listStreamConsumers(b -> b.streamARN(stream)).join().consumers()).isEmpty();
    }

    @Test
    void listPagesThroughTwentyConsumersAndRefusesTheTwentyFirst() {
        String stream = kinesis.createStream("crowded", 1);
        for (int i = 0; i < 20; i++) {
            String name = String.format("c%02d", i);
            client.registerStreamConsumer(b -> b.streamARN(stream).consumerName(name)).join();
        }
        assertThat(cause(() -> client.registerStreamConsumer(b -> b.streamARN(stream).consumerName("c20")).join()))
                .isInstanceOf(LimitExceededException.class).hasMessageContaining("20");

        List<String> names = new ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            String next = token;
            ListStreamConsumersResponse page = client.listStreamConsumers(b -> b.streamARN(stream).maxResults(6)
                    .nextToken(next)).join();
            page.consumers().forEach(c -> names.add(c.consumerName()));
            assertThat(page.consumers()).hasSizeLessThanOrEqualTo(6);
            token = page.nextToken();
            pages++;
        } while (token != null);
        assertThat(pages).isEqualTo(4);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(String.format("c%02d", i));
        }
        assertThat(names).containsExactlyElementsOf(expected);
        assertThat(cause(() -> client.listStreamConsumers(b -> b.streamARN(stream).maxResults(0)).join()))
                .hasMessageContaining("maxResults");
    }

    @Test
    void errorsAreTheServices() {
        String stream = kinesis.createStream("errors", 1);
        client.registerStreamConsumer(b -> b.streamARN(stream).consumerName("taken")).join();
        assertThat(cause(() -> client.registerStreamConsumer(b -> b.streamARN(stream).consumerName("taken")).join()))
                .isInstanceOf(ResourceInUseException.class).hasMessageContaining("taken");
        String missing = kinesis.streamArn("no-such-stream");
        assertThat(cause(() -> client.registerStreamConsumer(b -> b.streamARN(missing).consumerName("x")).join()))
                .isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("no-such-stream");
        assertThat(cause(() -> client.describeStreamConsumer(b -> b.streamARN(stream).consumerName("nobody"))
                .join())).isInstanceOf(ResourceNotFoundException.class).hasMessageContaining("nobody");
        assertThat(cause(() -> client.describeStreamConsumer(b -> b.streamARN(stream)).join()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("ConsumerName");
        assertThat(cause(() -> client.deregisterStreamConsumer(b -> b.consumerARN(stream + "/consumer/ghost:1"))
                .join())).isInstanceOf(ResourceNotFoundException.class);
        assertThat(cause(() -> client.listStreamConsumers(b -> b.streamARN(stream).nextToken("bogus")).join()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("NextToken");
        // Names are unique per stream only.
        String other = kinesis.createStream("errors-other", 1);
        assertThat(client.registerStreamConsumer(b -> b.streamARN(other).consumerName("taken")).join()
                .consumer().consumerARN()).startsWith(other + "/consumer/taken:");
    }

    @Test
    void aRecreatedStreamStartsWithoutConsumers() {
        String stream = kinesis.createStream("phoenix", 1);
        client.registerStreamConsumer(b -> b.streamARN(stream).consumerName("old")).join();
        client.deleteStream(b -> b.streamName("phoenix")).join();
        clock.advance(Duration.ofSeconds(1));
        assertThat(kinesis.createStream("phoenix", 1)).isEqualTo(stream);
        assertThat(client.listStreamConsumers(b -> b.streamARN(stream)).join().consumers()).isEmpty();
        assertThat(client.registerStreamConsumer(b -> b.streamARN(stream).consumerName("old")).join()
                .consumer().consumerStatus()).isEqualTo(ConsumerStatus.CREATING);
    }
}
