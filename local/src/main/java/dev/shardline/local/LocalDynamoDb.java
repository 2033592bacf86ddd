package dev.shardline.local;

import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import java.net.URI;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Amazon's DynamoDB Local, in memory, in this process, listening on 127.0.0.1 only.
 *
 * <p>DynamoDB Local's own server binds every interface and has no host option, so this class builds the Jetty
 * server itself around DynamoDB Local's request handler. Telemetry is never configured, so none is sent. The
 * sqlite4java native libraries ship inside the DynamoDB Local jar, which unpacks them itself.
 *
 * <pre>{@code
 * try (LocalDynamoDb dynamo = new LocalDynamoDb().start()) {
 *     DynamoDbAsyncClient client = LocalClients.dynamoDb(dynamo.endpoint());
 * }
 * }</pre>
 */
public final class LocalDynamoDb implements AutoCloseable {
    private final int requestedPort;
    private Server server;
    private ServerConnector connector;

    /** On a free port. */
    public LocalDynamoDb() {
        this(0);
    }

    /** On the given port (0 picks a free one). */
    public LocalDynamoDb(int port) {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        this.requestedPort = port;
    }

    /** Starts the server; returns this. */
    public synchronized LocalDynamoDb start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        try {
            // inMemory=true, no db path, not shared per region/credentials, no artificial transient delays.
            LocalDynamoDBRequestHandler requests = new LocalDynamoDBRequestHandler(0, true, null, true, false);
            LocalDynamoDBServerHandler handler = new LocalDynamoDBServerHandler(requests, null);
            // Only used for the handler chain it builds; its own 0.0.0.0 server is never started.
            DynamoDBProxyServer chain = new DynamoDBProxyServer(0, handler);
            Server jetty = new Server();
            ServerConnector http = new ServerConnector(jetty);
            http.setHost("127.0.0.1");
            http.setPort(requestedPort);
            jetty.addConnector(http);
            jetty.setHandler(chain.setUpHandler(handler));
            jetty.start();
            this.server = jetty;
            this.connector = http;
            return this;
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start on 127.0.0.1:" + requestedPort + ": " + e, e);
        }
    }

    /** The port it listens on. */
    public synchronized int port() {
        if (connector == null) {
            throw new IllegalStateException("not started");
        }
        return connector.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not stop cleanly", e);
        } finally {
            server = null;
            connector = null;
        }
    }
}
