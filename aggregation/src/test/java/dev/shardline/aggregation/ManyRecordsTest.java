package dev.shardline.aggregation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.kinesis.retrieval.AggregatorUtil;
import software.amazon.kinesis.retrieval.KinesisClientRecord;

/** Volume: 50,000 user records into full 1 MiB aggregates and back, through Shardline and through Amazon's KCL. */
@Timeout(60)
class ManyRecordsTest {
    @Test
    void fiftyThousandRecordsSurviveBothWays() {
        Random random = new Random(7);
        List<Oracle.Input> inputs = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            byte[] data = new byte[random.nextInt(200)];
            random.nextBytes(data);
            inputs.add(new Oracle.Input("device-" + random.nextInt(5_000), i % 10 == 0 ? String.valueOf(i) : null,
                    data));
        }
        Aggregator aggregator = new Aggregator();
        List<KinesisRecord> built = new ArrayList<>();
        for (Oracle.Input in : inputs) {
            if (!aggregator.add(in.partitionKey(), in.explicitHashKey(), in.data())) {
                int announced = aggregator.sizeBytes();
                built.add(aggregator.build());
                assertThat(built.get(built.size() - 1).sizeBytes()).isEqualTo(announced)
                        .isLessThanOrEqualTo(Limits.DEFAULT_MAX_RECORD_BYTES)
                        .isGreaterThan(Limits.DEFAULT_MAX_RECORD_BYTES - 300); // full, not merely non-empty
                assertThat(aggregator.add(in.partitionKey(), in.explicitHashKey(), in.data())).isTrue();
            }
        }
        built.add(aggregator.build());

        List<UserRecord> ours = new ArrayList<>();
        List<KinesisClientRecord> theirs = new ArrayList<>();
        for (int i = 0; i < built.size(); i++) {
            ours.add(Oracle.received(built.get(i), String.valueOf(i), Instant.EPOCH));
            theirs.add(KinesisClientRecord.builder().partitionKey("a").sequenceNumber(String.valueOf(i))
                    .data(ByteBuffer.wrap(built.get(i).data())).build());
        }
        List<UserRecord> shardline = Deaggregator.deaggregate(ours, HashKeyRange.ALL);
        List<KinesisClientRecord> kcl = new AggregatorUtil().deaggregate(theirs);

        assertThat(shardline).hasSize(inputs.size());
        assertThat(kcl).hasSize(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            Oracle.Input in = inputs.get(i);
            assertThat(shardline.get(i).partitionKey()).isEqualTo(in.partitionKey());
            assertThat(shardline.get(i).explicitHashKey()).isEqualTo(in.explicitHashKey());
            assertThat(shardline.get(i).dataBytes()).isEqualTo(in.data());
            assertThat(kcl.get(i).partitionKey()).isEqualTo(in.partitionKey());
            assertThat(Oracle.bytes(kcl.get(i).data())).isEqualTo(in.data());
        }
    }
}
