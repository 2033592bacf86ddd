package dev.shardline.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ConsumerConfigTest {
    private static ConsumerConfig.Builder valid() {
        return ConsumerConfig.builder().applicationName("app").streamName("s").processorFactory(() -> in -> { });
    }

    @Test
    void defaultsAreDocumentedValues() {
        ConsumerConfig c = valid().build();
        assertThat(c.tableName()).isEqualTo("app");
        assertThat(c.initialPosition()).isEqualTo(InitialPosition.latest());
        assertThat(c.retrieval()).isEqualTo(Retrieval.polling());
        assertThat(c.failoverTime()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.leaseInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.maxLeasesPerWorker()).isEqualTo(Integer.MAX_VALUE);
        assertThat(c.maxRecordsPerCall()).isEqualTo(10_000);
        assertThat(c.idleTimeBetweenReads()).isEqualTo(Duration.ofMillis(200));
        assertThat(c.processingRetries()).isEqualTo(3);
        assertThat(c.workerId()).matches(".+-[0-9a-f]{8}");
        assertThat(valid().build().workerId()).isNotEqualTo(c.workerId());
    }

    @Test
    void heartbeatIntervalDefaultsToTwoLeaseIntervalsLeavingOneIntervalOfMargin() {
        ConsumerConfig.Builder oneSecond = valid().failoverTime(Duration.ofSeconds(1));
        assertThat(oneSecond.leaseInterval(Duration.ofMillis(200)).build().heartbeatInterval())
                .isEqualTo(Duration.ofMillis(400));
        assertThat(oneSecond.leaseInterval(Duration.ofMillis(400)).build().heartbeatInterval())
                .isEqualTo(Duration.ofMillis(600)); // capped at failoverTime - leaseInterval
        assertThat(oneSecond.leaseInterval(Duration.ofMillis(600)).build().heartbeatInterval())
                .isEqualTo(Duration.ofMillis(600)); // never below leaseInterval
        assertThat(valid().build().toBuilder().failoverTime(Duration.ofSeconds(2)).build().heartbeatInterval())
                .isEqualTo(Duration.ofSeconds(2).dividedBy(3).multipliedBy(2)); // derived again, lease interval too
        ConsumerConfig explicit = valid().heartbeatInterval(Duration.ofMillis(1500)).build();
        assertThat(explicit.heartbeatInterval()).isEqualTo(Duration.ofMillis(1500));
        assertThat(explicit.toBuilder().build().heartbeatInterval()).isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void toBuilderKeepsEverything() {
        ConsumerConfig c = valid().workerId("w1").failoverTime(Duration.ofSeconds(2))
                .initialPosition(InitialPosition.atTimestamp(Instant.EPOCH)).retrieval(Retrieval.fanOut("fo")).build();
        ConsumerConfig d = c.toBuilder().build();
        assertThat(d.workerId()).isEqualTo("w1");
        assertThat(d.failoverTime()).isEqualTo(Duration.ofSeconds(2));
        assertThat(d.initialPosition().timestamp()).isEqualTo(Instant.EPOCH);
        assertThat(d.retrieval().consumerName()).isEqualTo("fo");
        assertThat(d.toString()).contains("w1", "FAN_OUT(fo)");
        // Derived settings are derived again from the changed fields, not frozen.
        ConsumerConfig e = c.toBuilder().failoverTime(Duration.ofSeconds(6)).applicationName("other-app").build();
        assertThat(e.leaseInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(e.heartbeatInterval()).isEqualTo(Duration.ofSeconds(4));
        assertThat(e.tableName()).isEqualTo("other-app");
        assertThat(e.fenceTime()).isEqualTo(Duration.ofMillis(5_750)); // margin: half an interval, at most 250 ms
        ConsumerConfig explicit = valid().tableName("leases").leaseInterval(Duration.ofMillis(500)).build();
        assertThat(explicit.toBuilder().applicationName("x-app").failoverTime(Duration.ofSeconds(9)).build())
                .satisfies(x -> {
                    assertThat(x.tableName()).isEqualTo("leases");
                    assertThat(x.leaseInterval()).isEqualTo(Duration.ofMillis(500));
                });
    }

    @Test
    void invalidFieldsAreNamedWithTheirLimit() {
        assertThatThrownBy(() -> valid().applicationName(null).build()).hasMessageContaining("applicationName");
        assertThatThrownBy(() -> valid().applicationName("a b").build()).hasMessageContaining("applicationName")
                .hasMessageContaining("3..255");
        assertThatThrownBy(() -> valid().streamName(null).build()).hasMessageContaining("streamName or streamArn");
        assertThatThrownBy(() -> valid().streamArn("arn:aws:kinesis:us-east-1:000000000000:stream/other").build())
                .hasMessageContaining("different streams");
        assertThatThrownBy(() -> valid().streamArn("nope").build()).hasMessageContaining("streamArn");
        assertThatThrownBy(() -> valid().processorFactory(null).build()).hasMessageContaining("processorFactory");
        assertThatThrownBy(() -> valid().failoverTime(Duration.ofMillis(50)).build())
                .hasMessageContaining("failoverTime").hasMessageContaining("200ms");
        assertThatThrownBy(() -> valid().leaseInterval(Duration.ofSeconds(3)).build())
                .hasMessageContaining("leaseInterval");
        assertThatThrownBy(() -> valid().heartbeatInterval(Duration.ofSeconds(3)).build())
                .hasMessageContaining("heartbeatInterval").hasMessageContaining("failoverTime");
        assertThatThrownBy(() -> valid().heartbeatInterval(Duration.ofMillis(500)).build())
                .hasMessageContaining("heartbeatInterval").hasMessageContaining("leaseInterval");
        assertThatThrownBy(() -> valid().maxRecordsPerCall(10_001).build()).hasMessageContaining("1..10000");
        assertThatThrownBy(() -> valid().maxLeasesPerWorker(0).build()).hasMessageContaining("maxLeasesPerWorker");
        assertThatThrownBy(() -> valid().processingRetries(-1).build()).hasMessageContaining("processingRetries");
        assertThatThrownBy(() -> Retrieval.fanOut("bad name")).hasMessageContaining("consumerName");
        assertThat(valid().streamName(null).streamArn("arn:aws:kinesis:us-east-1:000000000000:stream/s").build()
                .streamArn()).endsWith("/s");
    }

    @Test
    void multiStreamSettingsAreCheckedAndKept() {
        ConsumerConfig.Builder multi = ConsumerConfig.builder().applicationName("app").processorFactory(() -> in -> { });
        ConsumerConfig c = multi.streams(StreamSpec.of("a"),
                StreamSpec.of("arn:aws:kinesis:us-east-1:123456789012:stream/b")
                        .initialPosition(InitialPosition.trimHorizon()).retrieval(Retrieval.fanOut("app"))).build();
        assertThat(c.isMultiStream()).isTrue();
        assertThat(c.streams()).extracting(StreamSpec::streamName).containsExactly("a", "b");
        assertThat(c.streams().get(1).streamArn()).hasValue("arn:aws:kinesis:us-east-1:123456789012:stream/b");
        assertThat(c.streams().get(1).retrieval()).hasValue(Retrieval.fanOut("app"));
        assertThat(c.toBuilder().build().streams()).isEqualTo(c.streams());
        assertThat(c.removedStreamLeaseDeletionDelay()).isEqualTo(Duration.ofHours(1));
        assertThat(c.balanceByLoad()).isTrue();
        assertThat(valid().build().isMultiStream()).isFalse();
        assertThat(valid().build().streams()).extracting(StreamSpec::streamName).containsExactly("s");

        assertThatThrownBy(() -> valid().streams("a", "b").build()).hasMessageContaining("exclusive");
        assertThatThrownBy(() -> multi.streams("a", "a").build()).hasMessageContaining("names a twice");
        assertThatThrownBy(() -> multi.streams(new String[0]).build()).hasMessageContaining("at least one stream");
        assertThatThrownBy(() -> multi.streams("bad name").build()).hasMessageContaining("1..128");
        assertThatThrownBy(() -> multi.streams("a").streamsSupplier(java.util.List::of).build())
                .hasMessageContaining("streams and streamsSupplier are exclusive");
        ConsumerConfig.Builder supplied = ConsumerConfig.builder().applicationName("app")
                .processorFactory(() -> in -> { }).streamsSupplier(java.util.List::of);
        assertThat(supplied.build().streams()).isEmpty();
        assertThatThrownBy(() -> supplied.streamsPollInterval(Duration.ofMillis(10)).build())
                .hasMessageContaining("streamsPollInterval must be at least 100ms");
        assertThatThrownBy(() -> valid().loadTolerance(0).build()).hasMessageContaining("loadTolerance must be 0.01..0.9");
        assertThatThrownBy(() -> valid().removedStreamLeaseDeletionDelay(Duration.ofSeconds(-1)).build())
                .hasMessageContaining("removedStreamLeaseDeletionDelay must be >= 0");
    }

    @Test
    void multiStreamLeaseKeysAreKclsFormat() {
        StreamRef ref = StreamRef.multi("trucks", "arn:aws:kinesis:us-east-1:123456789012:stream/trucks",
                Instant.ofEpochSecond(1_700_000_000L));
        assertThat(ref.leaseKey("shardId-000000000001")).isEqualTo("123456789012:trucks:1700000000:shardId-000000000001");
        assertThat(ref.shardIdOf("123456789012:trucks:1700000000:shardId-000000000001")).isEqualTo("shardId-000000000001");
        assertThat(ref.owns("123456789012:trucks:1700000000:shardId-000000000001")).isTrue();
        assertThat(ref.owns("123456789012:trucks2:1700000000:shardId-000000000001")).isFalse();
        assertThat(ref.owns("shardId-000000000001")).isFalse();
        assertThat(StreamRef.identifierOf("shardId-000000000001")).isNull();
        assertThat(StreamRef.identifierOf("123456789012:trucks:1700000000:shardId-000000000001"))
                .isEqualTo("123456789012:trucks:1700000000");
        StreamRef single = new StreamRef("trucks", null);
        assertThat(single.leaseKey("shardId-000000000001")).isEqualTo("shardId-000000000001");
        assertThat(single.owns("shardId-000000000001")).isTrue();
    }
}
