package dev.shardline.local;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * All streams of one {@link LocalKinesis}, with the clock, the status-change delay and the stored-bytes cap.
 * Streams are found by name or ARN ({@link #resolve}).
 */
final class StreamStore {
    private static final Pattern STREAM_NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");
    /** The service refuses a CreateStream while five streams of the account are CREATING. */
    static final int MAX_CREATING_STREAMS = 5;

    private final Map<String, LocalStream> streams = new ConcurrentSkipListMap<>();
    private final Clock clock;
    private final String account;
    private final String defaultRegion;
    private final Duration statusDelay;
    private final long maxStoredBytesPerStream;
    private final boolean limitsEnabled;
    private final ScheduledExecutorService scheduler;
    private volatile int defaultMaxRecordSizeKiB = 1024;
    /** The account's open-shard limit; {@code Integer.MAX_VALUE} when off. */
    private volatile int shardLimit = Integer.MAX_VALUE;

    StreamStore(Clock clock, String account, String defaultRegion, Duration statusDelay,
            long maxStoredBytesPerStream, boolean limitsEnabled, ScheduledExecutorService scheduler) {
        this.clock = clock;
        this.account = account;
        this.defaultRegion = defaultRegion;
        this.statusDelay = statusDelay;
        this.maxStoredBytesPerStream = maxStoredBytesPerStream;
        this.limitsEnabled = limitsEnabled;
        this.scheduler = scheduler;
    }

    int defaultMaxRecordSizeKiB() {
        return defaultMaxRecordSizeKiB;
    }

    void defaultMaxRecordSizeKiB(int kib) {
        this.defaultMaxRecordSizeKiB = kib;
    }

    int shardLimit() {
        return shardLimit;
    }

    void shardLimit(int limit) {
        this.shardLimit = limit;
    }

    /** Open shards of every stream of the account (streams being deleted included, as until they are gone). */
    int openShardCount() {
        int open = 0;
        for (LocalStream stream : streams.values()) {
            open += stream.openShards().size();
        }
        return open;
    }

    /** On-demand streams of the account. */
    int onDemandStreamCount() {
        return (int) streams.values().stream().filter(LocalStream::onDemand).count();
    }

    /**
     * Refuses a change that would open {@code added} more shards than the account may have open.
     *
     * @throws KinesisException LimitExceededException, worded as the service words it
     */
    void checkShardLimit(String region, int added) {
        if (added > 0 && (long) openShardCount() + added > shardLimit) {
            throw KinesisException.limitExceeded("This request would exceed the shard limit for the account "
                    + account + " in " + region + ". Current limit of shards is " + shardLimit
                    + ". Number of additional shards that would have resulted from this request: " + added
                    + ". Refer to the AWS Service Limits page for current limits and how to request higher "
                    + "limits.");
        }
    }

    Clock clock() {
        return clock;
    }

    long nowMillis() {
        return clock.millis();
    }

    String account() {
        return account;
    }

    String defaultRegion() {
        return defaultRegion;
    }

    boolean limitsEnabled() {
        return limitsEnabled;
    }

    long maxStoredBytesPerStream() {
        return maxStoredBytesPerStream;
    }

    ScheduledExecutorService scheduler() {
        return scheduler;
    }

    String streamArn(String region, String name) {
        return "arn:aws:kinesis:" + region + ":" + account + ":stream/" + name;
    }

    static void checkStreamName(String field, String name) {
        if (name.isEmpty() || name.length() > 128) {
            throw KinesisException.validation("Value '" + name + "' at '" + field
                    + "' failed to satisfy constraint: Member must have length between 1 and 128");
        }
        if (!STREAM_NAME.matcher(name).matches()) {
            throw KinesisException.validation("Value '" + name + "' at '" + field
                    + "' failed to satisfy constraint: Member must satisfy regular expression pattern: "
                    + STREAM_NAME.pattern().replace("{1,128}", "+"));
        }
    }

    /** Creates a stream in CREATING; it turns ACTIVE after the status delay. */
    synchronized LocalStream create(String region, String name, int shardCount, boolean onDemand) {
        checkStreamName("streamName", name);
        if (streams.containsKey(name)) {
            throw KinesisException.inUse("Stream " + name + " under account " + account + " already exists.");
        }
        checkShardLimit(region, shardCount);
        long creating = streams.values().stream().filter(s -> s.status() == StreamStatus.CREATING).count();
        if (creating >= MAX_CREATING_STREAMS) {
            throw KinesisException.limitExceeded("Stream " + name + " under account " + account + " cannot be "
                    + "created: at most " + MAX_CREATING_STREAMS + " streams may be CREATING at once.");
        }
        long now = nowMillis();
        LocalStream stream = new LocalStream(name, streamArn(region, name), now, onDemand,
                statusDelay.isZero() ? StreamStatus.ACTIVE : StreamStatus.CREATING);
        stream.createShards(shardCount, now);
        stream.maxRecordSizeKiB(defaultMaxRecordSizeKiB);
        if (streams.putIfAbsent(name, stream) != null) {
            throw KinesisException.inUse("Stream " + name + " under account " + account + " already exists.");
        }
        if (!statusDelay.isZero()) {
            after(() -> {
                if (stream.status() == StreamStatus.CREATING) {
                    stream.status(StreamStatus.ACTIVE);
                }
            });
        }
        return stream;
    }

    /** Runs {@code task} after the status delay (at once when it is zero). */
    void after(Runnable task) {
        if (statusDelay.isZero()) {
            task.run();
        } else {
            scheduler.schedule(task, statusDelay.toNanos(), TimeUnit.NANOSECONDS);
        }
    }

    boolean statusDelayZero() {
        return statusDelay.isZero();
    }

    /** Marks the stream DELETING and removes it after the status delay. */
    void delete(LocalStream stream) {
        stream.status(StreamStatus.DELETING);
        after(() -> streams.remove(stream.name(), stream));
    }

    /** The stream by name, in any state, or null. */
    LocalStream find(String name) {
        return streams.get(name);
    }

    List<LocalStream> list() {
        return new ArrayList<>(streams.values());
    }

    /**
     * The stream a call names by StreamName and/or StreamARN (they must agree).
     *
     * @throws KinesisException ResourceNotFoundException if there is none, or it is being deleted
     */
    LocalStream resolve(Call call) {
        String name = call.text("StreamName");
        String arn = call.text("StreamARN");
        return resolve(name, arn);
    }

    LocalStream resolve(String name, String arn) {
        if (name == null && arn == null) {
            throw KinesisException.invalid("Either StreamName or StreamARN must be provided.");
        }
        if (arn != null) {
            String fromArn = nameFromArn(arn);
            if (name != null && !name.equals(fromArn)) {
                throw KinesisException.invalid("StreamARN " + arn + " and StreamName " + name
                        + " do not name the same stream.");
            }
            name = fromArn;
        } else {
            checkStreamName("streamName", name);
        }
        LocalStream stream = streams.get(name);
        if (stream == null || stream.status() == StreamStatus.DELETING
                || (arn != null && !stream.arn().equals(arn))) {
            throw KinesisException.notFound("Stream " + name + " under account " + account + " not found.");
        }
        return stream;
    }

    /**
     * Like {@link #resolve(Call)}, but a stream being deleted is found too: the describing operations show it
     * as DELETING until it is gone, as the service does.
     */
    LocalStream resolveDescribable(Call call) {
        try {
            return resolve(call);
        } catch (KinesisException e) {
            String name = call.text("StreamName");
            String arn = call.text("StreamARN");
            if (!e.type().equals("ResourceNotFoundException")) {
                throw e;
            }
            LocalStream stream = streams.get(name != null ? name : nameFromArn(arn));
            if (stream == null || stream.status() != StreamStatus.DELETING
                    || (arn != null && !stream.arn().equals(arn))) {
                throw e;
            }
            return stream;
        }
    }

    /** Like {@link #resolve} but also refuses a stream that is still CREATING, as data operations do. */
    LocalStream resolveReady(Call call) {
        LocalStream stream = resolve(call);
        if (stream.status() == StreamStatus.CREATING) {
            throw KinesisException.notFound("Stream " + stream.name() + " under account " + account
                    + " not found.");
        }
        return stream;
    }

    static String nameFromArn(String arn) {
        // arn:aws:kinesis:<region>:<account>:stream/<name>
        String[] parts = arn.split(":", 6);
        if (parts.length != 6 || !parts[0].equals("arn") || !parts[2].equals("kinesis")
                || !parts[5].startsWith("stream/") || parts[5].length() <= "stream/".length()) {
            throw KinesisException.validation("Value '" + arn + "' at 'streamARN' failed to satisfy constraint: "
                    + "Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+");
        }
        String rest = parts[5].substring("stream/".length());
        int slash = rest.indexOf('/');
        return slash < 0 ? rest : rest.substring(0, slash);
    }

    /** Applies retention to every stream. */
    void trimAll() {
        long now = nowMillis();
        for (LocalStream stream : streams.values()) {
            stream.trimExpired(now);
        }
    }
}
