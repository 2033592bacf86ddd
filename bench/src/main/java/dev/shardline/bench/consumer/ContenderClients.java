package dev.shardline.bench.consumer;

import java.net.URI;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.kinesis.KinesisAsyncClient;

/**
 * What both contenders share: the same Kinesis clients (HTTP/1.1 for polling, HTTP/2 for fan-out) and a DynamoDB
 * client of their own with the call counter on it, so each side's lease-table calls are counted apart.
 */
abstract class ContenderClients implements Contender {
    final KinesisAsyncClient kinesis;
    final KinesisAsyncClient kinesisH2;
    final DynamoCallCounter counter = new DynamoCallCounter();
    final DynamoDbAsyncClient dynamo;

    ContenderClients(KinesisAsyncClient kinesis, KinesisAsyncClient kinesisH2, URI dynamoEndpoint) {
        this.kinesis = kinesis;
        this.kinesisH2 = kinesisH2;
        this.dynamo = Clients.dynamo(dynamoEndpoint, counter);
    }

    /** The Kinesis client for a retrieval mode. */
    KinesisAsyncClient kinesisFor(boolean fanOut) {
        return fanOut ? kinesisH2 : kinesis;
    }

    @Override
    public void warmUp() {
        dynamo.listTables().join();
        kinesis.listStreams().join();
    }

    @Override
    public DynamoCallCounter dynamoCalls() {
        return counter;
    }
}
