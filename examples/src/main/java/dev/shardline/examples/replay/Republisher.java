package dev.shardline.examples.replay;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.examples.cli.CliErrors;
import dev.shardline.producer.KinesisProducer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Replay's {@code --to-stream} sink: sends each user record to another stream through the producer, keeping its
 * partition key and, for a record that came from an aggregate with one, its explicit hash key.
 */
final class Republisher implements ShardWalker.Sink {
    private final KinesisProducer producer;
    private final String stream;
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> firstFailure = new AtomicReference<>();

    Republisher(KinesisProducer producer, String stream) {
        this.producer = producer;
        this.stream = stream;
    }

    @Override
    public void accept(String shardId, UserRecord record) {
        accepted.incrementAndGet();
        try {
            producer.send(stream, record.partitionKey(), record.explicitHashKey(), record.dataBytes())
                    .whenComplete((result, error) -> {
                        if (error == null) {
                            acknowledged.incrementAndGet();
                        } else {
                            fail(error);
                        }
                    });
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    private void fail(Throwable error) {
        failed.incrementAndGet();
        firstFailure.compareAndSet(null, CliErrors.oneLine(error));
    }

    /** Flushes and waits (up to a minute) for the outcome of every record sent. */
    void drain() throws InterruptedException {
        producer.flush().exceptionally(e -> null).join();
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (acknowledged.get() + failed.get() < accepted.get() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
    }

    long acknowledged() {
        return acknowledged.get();
    }

    long failed() {
        return failed.get();
    }

    String firstFailure() {
        return firstFailure.get();
    }
}
