package dev.shardline.bench.consumer;

/** A consumer library under test: Shardline or Amazon's KCL, started the same way on the same endpoints. */
interface Contender {
    String name();

    /** Starts one worker of {@code app} on {@code stream} reading from the trim horizon; returns when started. */
    Worker start(String app, String stream, String workerId, boolean fanOut, Sink sink) throws Exception;

    /** One call on each client, so neither contender pays the JVM's and SDK's first-call costs inside a measurement. */
    void warmUp();

    /** The counter on this contender's DynamoDB client. */
    DynamoCallCounter dynamoCalls();

    /** A running worker. */
    interface Worker extends AutoCloseable {
        /** Graceful close (processors checkpoint, leases handed over). */
        @Override
        void close() throws Exception;
    }
}
