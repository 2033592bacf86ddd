package dev.shardline.examples.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
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
     * Every shard of the stream (open and closed, within retention), paging through ListShards.
     *
     * @throws IllegalStateException "stream 'S' not found" when the stream does not exist
     */
    public static List<Shard> listShards(KinesisAsyncClient kinesis, String stream) {
        List<Shard> shards = new ArrayList<>();
        String token = null;
        do {
            ListShardsRequest request = token == null ? ListShardsRequest.builder().streamName(stream).build()
                    : ListShardsRequest.builder().nextToken(token).build();
            ListShardsResponse page;
            try {
                page = kinesis.listShards(request).join();
            } catch (CompletionException e) {
                throw translate(e, stream);
            }
            shards.addAll(page.shards());
            token = page.nextToken();
        } while (token != null);
        return shards;
    }

    /** Fails with one clear line when the stream does not exist or the endpoint cannot be reached. */
    public static void requireStream(KinesisAsyncClient kinesis, String stream) {
        listShards(kinesis, stream);
    }

    static RuntimeException translate(CompletionException e, String stream) {
        if (e.getCause() instanceof ResourceNotFoundException) {
            return new IllegalStateException("stream '" + stream + "' not found", e.getCause());
        }
        return e;
    }
}
