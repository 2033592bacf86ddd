package dev.shardline.examples.cli;

import dev.shardline.common.ShardLister;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;

/** Stream look-ups the verbs share, with failures worded for the command line. */
public final class Streams {
    private static final Duration LIST_SHARDS_TIMEOUT = Duration.ofSeconds(30);

    private Streams() {
    }

    /**
     * Every shard of the stream (open and closed, within retention), paging through ListShards. {@code stream} is a
     * name or an ARN.
     *
     * @throws IllegalStateException "stream 'S' not found" when the stream does not exist
     */
    public static List<Shard> listShards(KinesisAsyncClient kinesis, String stream) {
        try {
            return ShardLister.listShards(kinesis, stream, LIST_SHARDS_TIMEOUT).join();
        } catch (CompletionException e) {
            throw translate(e, stream, kinesis);
        }
    }

    /** Fails with one clear line when the stream does not exist or the endpoint cannot be reached. */
    public static void requireStream(KinesisAsyncClient kinesis, String stream) {
        listShards(kinesis, stream);
    }

    static RuntimeException translate(CompletionException e, String stream, KinesisAsyncClient kinesis) {
        if (e.getCause() instanceof ResourceNotFoundException) {
            return new IllegalStateException("stream '" + stream + "' not found", e.getCause());
        }
        if (e.getCause() instanceof SdkClientException) {
            String where = kinesis.serviceClientConfiguration().endpointOverride().map(Object::toString)
                    .orElse("the Kinesis endpoint of region " + kinesis.serviceClientConfiguration().region());
            return new IllegalStateException("cannot reach " + where + ": " + unreachable(e.getCause()), e.getCause());
        }
        return e;
    }

    /** The gist of an SDK client (network) failure, without the SDK's advice paragraph. */
    public static String unreachable(Throwable error) {
        String message = CliErrors.oneLine(error);
        if (message.contains("Acquire operation took longer")) {
            return "no connection within the timeout";
        }
        return message.replace("Unable to execute HTTP request: ", "");
    }
}
