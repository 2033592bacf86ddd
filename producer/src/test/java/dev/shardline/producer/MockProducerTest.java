package dev.shardline.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.shardline.aggregation.InvalidRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** MockProducer, used as docs/producer.md shows: the code under test takes a {@link Producer}. */
class MockProducerTest {

    /** Code under test: publishes an order and reports whether it was stored. */
    static final class OrderService {
        private final Producer producer;

        OrderService(Producer producer) {
            this.producer = producer;
        }

        CompletableFuture<Boolean> place(String orderId, String json) {
            return producer.send("orders", orderId, json.getBytes(StandardCharsets.UTF_8))
                    .handle((result, error) -> error == null);
        }
    }

    @Test
    void recordsWhatWasSentAndCompletesOrFailsOnDemand() {
        MockProducer producer = new MockProducer();
        OrderService service = new OrderService(producer);
        CompletableFuture<Boolean> first = service.place("o-1", "{\"id\":\"o-1\"}");
        CompletableFuture<Boolean> second = service.place("o-2", "{\"id\":\"o-2\"}");

        assertThat(producer.history()).extracting(MockProducer.SentRecord::partitionKey).containsExactly("o-1", "o-2");
        assertThat(producer.history().get(0).dataAsUtf8()).isEqualTo("{\"id\":\"o-1\"}");
        assertThat(producer.outstandingRecords()).isEqualTo(2);
        assertThat(first).isNotDone();

        assertThat(producer.completeNext()).isTrue();
        assertThat(first).isCompletedWithValue(true);
        assertThat(producer.failNext(new RecordExpiredException("expired", List.of()))).isTrue();
        assertThat(second).isCompletedWithValue(false);
        assertThat(producer.completeNext()).isFalse();
        assertThat(producer.outstandingRecords()).isZero();
        assertThat(producer.oldestRecordAge()).isEqualTo(Duration.ZERO);
    }

    @Test
    void autoCompleteGivesAResultAtOnceWithCountingSequenceNumbers() {
        MockProducer producer = new MockProducer(true);
        SendResult a = producer.send("s", "k", new byte[] {1}).join();
        SendResult b = producer.send("s", "k", new byte[] {2}).join();
        assertThat(a.shardId()).isEqualTo("shardId-000000000000");
        assertThat(Long.parseLong(b.sequenceNumber())).isGreaterThan(Long.parseLong(a.sequenceNumber()));
        assertThat(a.attempts()).singleElement().satisfies(t -> assertThat(t.successful()).isTrue());
    }

    @Test
    void simulatesAFullBufferChecksInputLikeTheRealProducerAndFlushesPerStream() {
        MockProducer producer = new MockProducer();
        producer.bufferFull(true);
        assertThatThrownBy(() -> producer.trySend("s", "k", null, new byte[1])).isInstanceOf(BufferFullException.class);
        producer.bufferFull(false);
        assertThatThrownBy(() -> producer.send("not a stream", "k", new byte[1]))
                .isInstanceOf(InvalidRecordException.class).hasMessageContaining("stream");
        assertThatThrownBy(() -> producer.send("s", "", new byte[1])).isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> producer.send("s", "k", "not-a-number", new byte[1]))
                .isInstanceOf(InvalidRecordException.class);
        assertThat(producer.history()).isEmpty();

        CompletableFuture<SendResult> a = producer.send("a", "k", new byte[1]);
        CompletableFuture<SendResult> b = producer.send("b", "k", new byte[1]);
        producer.flush("a");
        assertThat(a).isCompleted();
        assertThat(b).isNotDone();
        producer.close();
        assertThat(b).isCompleted();
        assertThatThrownBy(() -> producer.send("a", "k", new byte[1])).isInstanceOf(ProducerClosedException.class);
    }
}
