package dev.shardline.examples.replay;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.examples.cli.SendTally;
import dev.shardline.producer.DeadLetter;
import dev.shardline.producer.KinesisProducer;
import java.time.Duration;

/**
 * Replay's {@code --to-stream} sink: sends each user record to another stream through the producer, keeping its
 * partition key and, for a record that came from an aggregate with one, its explicit hash key; with
 * {@code --unwrap-dead-letters}, the original record inside each dead letter, with its original keys.
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
        send(record.partitionKey(), record.explicitHashKey(), record.dataBytes());
    }

    /** Re-publishes the record a dead letter holds, with its original partition and explicit hash key. */
    void accept(DeadLetter letter) {
        send(letter.partitionKey(), letter.explicitHashKey(), letter.data());
    }

    private void send(String partitionKey, String explicitHashKey, byte[] data) {
        tally.onSent();
        try {
            producer.send(stream, partitionKey, explicitHashKey, data)
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
