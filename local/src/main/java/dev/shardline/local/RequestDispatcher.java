package dev.shardline.local;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.FullHttpRequest;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an HTTP request into a {@link Call}, finds its {@link Operation} in the registry and runs it. Kinesis
 * calls carry {@code X-Amz-Target: Kinesis_20131202.<Operation>}; STS query-protocol calls (form bodies) go to
 * the {@link StsResponder}.
 */
final class RequestDispatcher {
    static final String TARGET_PREFIX = "Kinesis_20131202.";
    private static final Logger log = LoggerFactory.getLogger(RequestDispatcher.class);
    private static final Pattern REGION = Pattern.compile("Credential=[^/]*/[^/]*/([^/]+)/");

    private final OperationRegistry registry;
    private final StreamStore store;
    private final Faults faults;
    private final StsResponder sts;
    private final boolean requireSignature;
    private final java.util.Map<WireFormat, java.util.concurrent.atomic.LongAdder> calls =
            new java.util.EnumMap<>(WireFormat.class);

    RequestDispatcher(OperationRegistry registry, StreamStore store, Faults faults, StsResponder sts,
            boolean requireSignature) {
        this.requireSignature = requireSignature;
        this.registry = registry;
        this.store = store;
        this.faults = faults;
        this.sts = sts;
        for (WireFormat format : WireFormat.values()) {
            calls.put(format, new java.util.concurrent.atomic.LongAdder());
        }
    }

    private final java.util.concurrent.atomic.LongAdder http2Connections = new java.util.concurrent.atomic.LongAdder();

    void http2ConnectionOpened() {
        http2Connections.increment();
    }

    /** HTTP/2 connections accepted so far (h2c prior knowledge or TLS). */
    long http2Connections() {
        return http2Connections.sum();
    }

    /** Calls decoded so far in {@code format}. */
    long calls(WireFormat format) {
        return calls.get(format).sum();
    }

    Faults faults() {
        return faults;
    }

    StsResponder sts() {
        return sts;
    }

    String region(FullHttpRequest request) {
        String auth = request.headers().get("Authorization");
        if (auth != null) {
            Matcher m = REGION.matcher(auth);
            if (m.find()) {
                return m.group(1);
            }
        }
        return store.defaultRegion();
    }

    /**
     * In strict mode, refuses a request that carries no SigV4 signature (header or pre-signed query) with the
     * service's MissingAuthenticationTokenException, and a malformed Authorization header with
     * IncompleteSignatureException. The signature is not verified: any credentials still pass.
     */
    void authenticate(FullHttpRequest request) {
        if (!requireSignature) {
            return;
        }
        String auth = request.headers().get("Authorization");
        if (auth == null || auth.isBlank()) {
            if (request.uri().contains("X-Amz-Signature=")) {
                return;
            }
            throw new KinesisException("MissingAuthenticationTokenException", 400, "Missing Authentication Token");
        }
        if (!auth.startsWith("AWS4-HMAC-SHA256 ") || !auth.contains("Credential=") || !auth.contains("Signature=")
                || !auth.contains("SignedHeaders=")) {
            throw new KinesisException("IncompleteSignatureException", 400, "Authorization header requires "
                    + "'Credential', 'Signature' and 'SignedHeaders' parameters of the AWS4-HMAC-SHA256 scheme. "
                    + "Authorization=" + auth.split(" ", 2)[0]);
        }
    }

    /** Decodes the call; throws KinesisException for an unknown target or an unreadable body. */
    Call decode(FullHttpRequest request, String target) {
        if (!target.startsWith(TARGET_PREFIX) || target.length() == TARGET_PREFIX.length()) {
            throw KinesisException.unknownOperation(target);
        }
        WireFormat format = WireFormat.of(request.headers().get("Content-Type"));
        calls.get(format).increment();
        JsonNode body;
        if (!request.content().isReadable()) {
            // The service reads no empty body as "{}": every SDK sends at least an empty object.
            throw new KinesisException("SerializationException", 400, "The request body is empty; "
                    + format.contentType() + " requests carry an object, at least {}.");
        }
        try {
            body = format.read(new ByteBufInputStream(request.content()));
        } catch (IOException e) {
            throw new KinesisException("SerializationException", 400, "Cannot parse the request body as "
                    + format.contentType() + ": " + e.getMessage());
        }
        if (!body.isObject()) {
            throw new KinesisException("SerializationException", 400, "The request body must be an object.");
        }
        return new Call(target.substring(TARGET_PREFIX.length()), body, format, region(request));
    }

    /** The stream a call is about, for fault matching; null when it names none. */
    static String streamOf(Call call) {
        String name = call.body().path("StreamName").asText(null);
        if (name != null) {
            return name;
        }
        String arn = call.body().path("StreamARN").asText(null);
        if (arn == null) {
            arn = call.body().path("ConsumerARN").asText(null);
        }
        if (arn != null) {
            int at = arn.indexOf(":stream/");
            if (at >= 0) {
                String rest = arn.substring(at + ":stream/".length());
                int slash = rest.indexOf('/');
                return slash < 0 ? rest : rest.substring(0, slash);
            }
        }
        String iterator = call.body().path("ShardIterator").asText(null);
        if (iterator != null) {
            try {
                return StreamStore.nameFromArn(ShardIterators.decode(iterator).streamArn());
            } catch (KinesisException e) {
                return null;
            }
        }
        return null;
    }

    /** Runs the call's operation. */
    Reply run(Call call) {
        Operation operation = registry.find(call.operation());
        if (operation == null) {
            throw KinesisException.unknownOperation(TARGET_PREFIX + call.operation());
        }
        RequestValidator.check(call);
        try {
            return operation.handle(call);
        } catch (KinesisException e) {
            throw e;
        } catch (RuntimeException e) {
            log.warn("{} failed", call.operation(), e);
            throw KinesisException.internalFailure("Internal error in " + call.operation() + ": " + e);
        }
    }
}
