package dev.shardline.consumer;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ConsumerDescription;
import software.amazon.awssdk.services.kinesis.model.ConsumerStatus;
import software.amazon.awssdk.services.kinesis.model.ResourceInUseException;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;

/** Registers the enhanced fan-out stream consumer, or reuses it when it exists, and waits until it is ACTIVE. */
final class FanOutRegistration {
    private static final Logger log = LoggerFactory.getLogger(FanOutRegistration.class);
    static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(2);

    private final KinesisAsyncClient kinesis;
    private final String streamArn;
    private final String consumerName;

    FanOutRegistration(KinesisAsyncClient kinesis, String streamArn, String consumerName) {
        this.kinesis = kinesis;
        this.streamArn = streamArn;
        this.consumerName = consumerName;
    }

    /** The ACTIVE consumer's ARN. Runs on the caller's thread (start-up). */
    CompletableFuture<String> registerAndWait() {
        return CompletableFuture.supplyAsync(this::registerBlocking, Runnable::run);
    }

    private String registerBlocking() {
        ConsumerDescription found = describe();
        String arn;
        if (found != null && found.consumerStatus() != ConsumerStatus.DELETING) {
            arn = found.consumerARN();
        } else {
            try {
                arn = kinesis.registerStreamConsumer(b -> b.streamARN(streamArn).consumerName(consumerName)).join()
                        .consumer().consumerARN();
                log.info("registered stream consumer {}", arn);
            } catch (RuntimeException e) {
                if (!(KinesisRecords.unwrap(e) instanceof ResourceInUseException)) {
                    throw e;
                }
                ConsumerDescription raced = describe();
                if (raced == null) {
                    throw e;
                }
                arn = raced.consumerARN();
            }
        }
        long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
        while (true) {
            final String consumerArn = arn;
            ConsumerDescription d = kinesis.describeStreamConsumer(b -> b.consumerARN(consumerArn)).join()
                    .consumerDescription();
            if (d.consumerStatus() == ConsumerStatus.ACTIVE) {
                return arn;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("stream consumer " + arn + " not ACTIVE after " + ACTIVE_TIMEOUT
                        + " (status " + d.consumerStatusAsString() + ")");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + arn, e);
            }
        }
    }

    private ConsumerDescription describe() {
        try {
            return kinesis.describeStreamConsumer(b -> b.streamARN(streamArn).consumerName(consumerName)).join()
                    .consumerDescription();
        } catch (RuntimeException e) {
            if (KinesisRecords.unwrap(e) instanceof ResourceNotFoundException) {
                return null;
            }
            throw e;
        }
    }
}
