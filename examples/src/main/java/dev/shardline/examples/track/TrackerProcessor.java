package dev.shardline.examples.track;

import dev.shardline.aggregation.UserRecord;
import dev.shardline.checkpoint.Checkpointer;
import dev.shardline.checkpoint.LeaseLostException;
import dev.shardline.consumer.InitializationInput;
import dev.shardline.consumer.LeaseLostInput;
import dev.shardline.consumer.ProcessRecordsInput;
import dev.shardline.consumer.RecordProcessor;
import dev.shardline.consumer.ShardEndedInput;
import dev.shardline.consumer.ShutdownRequestedInput;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracker's processor for one shard: feeds every record to the shared {@link FleetTracker} and checkpoints
 * at most every {@code checkpointEvery} (each checkpoint is a DynamoDB write), at the end of the shard, and when
 * the worker shuts down.
 */
public final class TrackerProcessor implements RecordProcessor {
    private static final Logger LOG = LoggerFactory.getLogger(TrackerProcessor.class);

    private final FleetTracker tracker;
    private final long checkpointEveryNanos;
    private final boolean qualifyByStream;
    private String shardId;
    private long lastCheckpoint;

    public TrackerProcessor(FleetTracker tracker, Duration checkpointEvery) {
        this(tracker, checkpointEvery, false);
    }

    /** With {@code qualifyByStream}, shards are named {@code stream/shardId} (several streams share shard ids). */
    public TrackerProcessor(FleetTracker tracker, Duration checkpointEvery, boolean qualifyByStream) {
        this.tracker = tracker;
        this.checkpointEveryNanos = checkpointEvery.toNanos();
        this.qualifyByStream = qualifyByStream;
    }

    @Override
    public void initialize(InitializationInput input) {
        shardId = qualifyByStream && input.streamName() != null ? input.streamName() + "/" + input.shardId()
                : input.shardId();
        lastCheckpoint = System.nanoTime();
        LOG.debug("tracking {} from {}", shardId, input.startingPosition());
    }

    @Override
    public void processRecords(ProcessRecordsInput input) {
        for (UserRecord record : input.records()) {
            tracker.accept(shardId, record);
        }
        tracker.lag(shardId, input.millisBehindLatest());
        long now = System.nanoTime();
        if (now - lastCheckpoint >= checkpointEveryNanos) {
            checkpoint(input.checkpointer());
            lastCheckpoint = now;
        }
    }

    @Override
    public void leaseLost(LeaseLostInput input) {
        tracker.shardClosed(shardId);
    }

    @Override
    public void shardEnded(ShardEndedInput input) {
        tracker.shardClosed(shardId);
        input.checkpointer().checkpoint().join(); // SHARD_END: the children may start
    }

    @Override
    public void shutdownRequested(ShutdownRequestedInput input) {
        tracker.shardClosed(shardId);
        checkpoint(input.checkpointer());
    }

    private void checkpoint(Checkpointer checkpointer) {
        try {
            checkpointer.checkpoint().join();
        } catch (CompletionException e) {
            if (!(e.getCause() instanceof LeaseLostException)) {
                throw e;
            }
            LOG.debug("{}: lease lost, checkpoint not written", shardId);
        }
    }
}
