package dev.shardline.examples.cli;

import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;

/** Failures reading an application's lease table, worded for the command line. */
public final class LeaseTables {
    private LeaseTables() {
    }

    /**
     * One clear failure for reading lease table {@code application}: "not found" (with what to check) or "cannot
     * reach" the endpoint (a network failure or a call timed out); anything else as it was.
     */
    public static RuntimeException translate(Throwable error, DynamoDbAsyncClient dynamoDb, String application) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        if (cause instanceof ResourceNotFoundException) {
            return new IllegalStateException("lease table '" + application + "' not found: is --app the"
                    + " application name and --dynamodb-endpoint/--region right?", cause);
        }
        if (cause instanceof SdkClientException || cause instanceof TimeoutException) {
            String where = dynamoDb.serviceClientConfiguration().endpointOverride().map(Object::toString)
                    .orElse("DynamoDB in region " + dynamoDb.serviceClientConfiguration().region());
            return new IllegalStateException("cannot reach " + where + " to read lease table '" + application
                    + "': " + Streams.unreachable(cause), cause);
        }
        return error instanceof RuntimeException r ? r : new CompletionException(error);
    }
}
