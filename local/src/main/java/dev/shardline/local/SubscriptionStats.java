package dev.shardline.local;

/**
 * A snapshot of one SubscribeToShard subscription served by {@link LocalKinesis}: who reads which shard, what it
 * has been sent, and the bytes queued on the server because the subscriber has not taken them yet (the gauge that
 * shows HTTP/2 flow control at work: it stays near the peer's window however slow the subscriber is).
 *
 * @param consumerArn the consumer's ARN
 * @param shardId the shard read
 * @param active false once the subscription has ended
 * @param eventsSent SubscribeToShardEvents sent (keep-alives included)
 * @param recordsSent records sent
 * @param bytesSent event-stream bytes handed to the transport
 * @param bytesQueued bytes written but not yet accepted by the transport, now
 * @param maxBytesQueued the largest {@code bytesQueued} seen after any write
 * @param maxEventBytes the largest event sent, in bytes
 */
public record SubscriptionStats(String consumerArn, String shardId, boolean active, long eventsSent,
        long recordsSent, long bytesSent, long bytesQueued, long maxBytesQueued, long maxEventBytes) {
}
