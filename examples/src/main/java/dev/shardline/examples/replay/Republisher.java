package dev.shardline.examples.replay;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.examples.cli.SendTally;
import dev.shardline.producer.KinesisProducer;
import java.time.Duration;

/**
 * Replay's {@code --to-stream} sink: sends each user record to another stream through the producer, keeping its
 * partition key and, for a record that came from an aggregate with one, its explicit hash key.
 */
final class Republisher implements ShardWalker.Sink {
    private final KinesisProducer producer;
    private final String stream;
    private final SendTally tally = new SendTally();

    Republisher(KinesisProducer producer, String stream) {
        this.producer = producer;
        this.stream = stream;
    }

    @Override
    public void accept(String shardId, UserRecord record) {
        tally.onSent();
        try {
            producer.send(stream, record.partitionKey(), record.explicitHashKey(), record.dataBytes())
                    .whenComplete((result, error) -> {
                        if (error == null) {
                            tally.onAcknowledged();
                        } else {
                            tally.onFailed(error);
                        }
                    });
        } catch (RuntimeException e) {
            tally.onFailed(e);
        }
    }

    /** Flushes and waits (up to a minute) for the outcome of every record sent. */
    void drain() throws InterruptedException {
        producer.flush().exceptionally(e -> null).join();
        tally.awaitOutcomes(Duration.ofMinutes(1));
    }

    SendTally tally() {
        return tally;
    }
}
