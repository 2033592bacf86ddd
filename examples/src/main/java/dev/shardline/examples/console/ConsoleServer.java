package dev.shardline.examples.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.shardline.examples.status.StatusReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console: the JDK's HTTP server on 127.0.0.1 serving the page (its HTML, script, style and the Chart.js file of
 * the WebJar, all from the jar), {@code GET /api/status} (the JSON of {@code shardline status --format json}) and
 * {@code GET /api/history} (the last minutes of lag, records in/out and heartbeat ages), sampled in the background
 * every refresh. Nothing is fetched from anywhere else.
 */
public final class ConsoleServer implements AutoCloseable {
    /** The Chart.js version of the WebJar on the classpath (examples/pom.xml); the page loads it from here. */
    static final String CHART_JS = "META-INF/resources/webjars/chart.js/4.4.1/dist/chart.umd.js";
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServer.class);
    private static final String PAGE = "dev/shardline/examples/console/";
    private static final Map<String, String[]> ASSETS = Map.of(
            "/", new String[] {PAGE + "index.html", "text/html; charset=utf-8"},
            "/console.js", new String[] {PAGE + "console.js", "text/javascript; charset=utf-8"},
            "/console.css", new String[] {PAGE + "console.css", "text/css; charset=utf-8"},
            "/chart.umd.js", new String[] {CHART_JS, "text/javascript; charset=utf-8"});

    private final HttpServer server;
    private final ExecutorService handlers;
    private final ScheduledExecutorService sampling;
    private final ConsoleSampler sampler;

    private ConsoleServer(HttpServer server, ConsoleSampler sampler, Duration refresh) {
        this.server = server;
        this.sampler = sampler;
        this.handlers = Executors.newFixedThreadPool(2, daemon("shardline-console-http"));
        this.sampling = Executors.newSingleThreadScheduledExecutor(daemon("shardline-console-sampler"));
        server.setExecutor(handlers);
        server.createContext("/", this::handle);
        sampling.scheduleWithFixedDelay(this::sample, 0, refresh.toMillis(), TimeUnit.MILLISECONDS);
        server.start();
    }

    /**
     * Starts the console on 127.0.0.1:{@code port} (0: any free port), sampling {@code reader} every {@code refresh}
     * and keeping {@code history} of it.
     *
     * @param traffic what this process measures itself (the demo), or null
     * @throws IOException when the port cannot be bound
     */
    public static ConsoleServer start(StatusReader reader, ShardTraffic traffic, int port, Duration refresh,
            Duration history) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        return new ConsoleServer(server, new ConsoleSampler(reader, traffic, ConsoleSampler.points(history, refresh)),
                refresh);
    }

    /** {@code http://127.0.0.1:PORT/}. */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private void sample() {
        try {
            sampler.sample();
        } catch (RuntimeException e) { // keep sampling: the next read may work
            LOG.warn("console sample failed", e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", "only GET\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/api/status")) {
                String json = sampler.statusJson();
                String error = sampler.error();
                if (json == null) {
                    String reason = error != null ? error : "the first read has not finished yet";
                    send(exchange, 503, "application/json", ("{\"error\":" + quote(reason) + "}")
                            .getBytes(StandardCharsets.UTF_8));
                } else {
                    send(exchange, 200, "application/json", json.getBytes(StandardCharsets.UTF_8));
                }
                return;
            }
            if (path.equals("/api/history")) {
                String error = sampler.error();
                String history = sampler.historyJson();
                String body = history.substring(0, history.length() - 1) + ",\"error\":"
                        + (error == null ? "null" : quote(error)) + "}";
                send(exchange, 200, "application/json", body.getBytes(StandardCharsets.UTF_8));
                return;
            }
            String[] asset = ASSETS.get(path.equals("/index.html") ? "/" : path);
            if (asset == null) {
                send(exchange, 404, "text/plain; charset=utf-8", ("not found: " + path + "\n")
                        .getBytes(StandardCharsets.UTF_8));
                return;
            }
            try (InputStream in = ConsoleServer.class.getClassLoader().getResourceAsStream(asset[0])) {
                if (in == null) {
                    throw new IOException("missing from the jar: " + asset[0]);
                }
                send(exchange, 200, asset[1], in.readAllBytes());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("console request failed", e);
        }
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static String quote(String text) {
        return new com.fasterxml.jackson.databind.node.TextNode(text).toString();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread thread = new Thread(r, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    /** Stops sampling and serving. */
    @Override
    public void close() {
        sampling.shutdownNow();
        server.stop(0);
        handlers.shutdownNow();
    }
}
