package dev.shardline.examples.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;
import software.amazon.awssdk.services.kinesis.model.ListShardsRequest;
import software.amazon.awssdk.services.kinesis.model.ListShardsResponse;
import software.amazon.awssdk.services.kinesis.model.ResourceNotFoundException;
import software.amazon.awssdk.services.kinesis.model.Shard;

/** Stream look-ups the verbs share, with failures worded for the command line. */
public final class Streams {
    private Streams() {
    }

    /**
     * Every shard of the stream (open and closed, within retention), paging through ListShards. {@code stream} is a
     * name or an ARN.
     *
     * @throws IllegalStateException "stream 'S' not found" when the stream does not exist
     */
    public static List<Shard> listShards(KinesisAsyncClient kinesis, String stream) {
        List<Shard> shards = new ArrayList<>();
        String token = null;
        do {
            ListShardsRequest request = token != null ? ListShardsRequest.builder().nextToken(token).build()
                    : isArn(stream) ? ListShardsRequest.builder().streamARN(stream).build()
                    : ListShardsRequest.builder().streamName(stream).build();
            ListShardsResponse page;
            try {
                page = kinesis.listShards(request).join();
            } catch (CompletionException e) {
                throw translate(e, stream, kinesis);
            }
            shards.addAll(page.shards());
            token = page.nextToken();
        } while (token != null);
        return shards;
    }

    /** True when {@code stream} is an ARN rather than a name. */
    public static boolean isArn(String stream) {
        return stream.startsWith("arn:");
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
