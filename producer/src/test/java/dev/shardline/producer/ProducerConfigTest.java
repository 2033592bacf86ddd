package dev.shardline.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ProducerConfigTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        ProducerConfig c = ProducerConfig.builder().build();
        assertThat(c.aggregationEnabled()).isTrue();
        assertThat(c.maxBufferedTime()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.maxRecordsPerRequest()).isEqualTo(500);
        assertThat(c.maxBytesPerRequest()).isEqualTo(5 * 1024 * 1024);
        assertThat(c.maxRecordBytes()).isEqualTo(1024 * 1024);
        assertThat(c.recordTtl()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.strictOrdering()).isFalse();
        assertThat(c.maxBufferedBytes()).isGreaterThanOrEqualTo(c.maxRecordBytes());
    }

    @Test
    void acceptsTenMebibyteRecords() {
        ProducerConfig c = ProducerConfig.builder().maxRecordBytes(10 * 1024 * 1024)
                .maxBytesPerRequest(10 * 1024 * 1024).build();
        assertThat(c.maxRecordBytes()).isEqualTo(10 * 1024 * 1024);
    }

    @Test
    void rejectsOutOfRangeValuesNamingTheSetting() {
        rejects(b -> b.maxRecordsPerRequest(501), "maxRecordsPerRequest");
        rejects(b -> b.maxRecordsPerRequest(0), "maxRecordsPerRequest");
        rejects(b -> b.maxRecordBytes(10 * 1024 * 1024 + 1), "maxRecordBytes");
        rejects(b -> b.aggregationMaxBytes(2 * 1024 * 1024), "aggregationMaxBytes");
        rejects(b -> b.aggregationMaxCount(0), "aggregationMaxCount");
        rejects(b -> b.maxBytesPerRequest(1000), "maxBytesPerRequest");
        rejects(b -> b.rateLimitShare(0), "rateLimitShare");
        rejects(b -> b.rateLimitShare(Double.NaN), "rateLimitShare");
        rejects(b -> b.recordTtl(Duration.ofMillis(10)), "recordTtl");
        rejects(b -> b.recordTtl(null), "recordTtl");
        rejects(b -> b.maxBufferedBytes(1000), "maxBufferedBytes");
        rejects(b -> b.maxBlockTime(Duration.ofSeconds(-1)), "maxBlockTime");
        rejects(b -> b.maxBufferedTime(Duration.ofMinutes(2)), "maxBufferedTime");
        rejects(b -> b.retryMaxBackoff(Duration.ofMillis(10)), "retryMaxBackoff");
        rejects(b -> b.maxConcurrentRequests(0), "maxConcurrentRequests");
    }

    private static void rejects(UnaryOperator<ProducerConfig.Builder> change, String setting) {
        assertThatThrownBy(() -> change.apply(ProducerConfig.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(setting + ":");
    }

    @Test
    void toBuilderKeepsValues() {
        ProducerConfig c = ProducerConfig.builder().strictOrdering(true).aggregationMaxCount(7).build();
        ProducerConfig copy = c.toBuilder().build();
        assertThat(copy.strictOrdering()).isTrue();
        assertThat(copy.aggregationMaxCount()).isEqualTo(7);
    }
}
