package dev.shardline.local;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * A fault to inject into a {@link LocalKinesis}, built fluently and handed to {@link Faults#inject(Fault)}:
 *
 * <pre>{@code
 * kinesis.faults().inject(Fault.throttle().operation("PutRecords").stream("orders").nextCalls(3));
 * kinesis.faults().inject(Fault.internalFailure().rate(0.1));            // 10% of all calls answer 500
 * kinesis.faults().inject(Fault.latency(Duration.ofMillis(200)).operation("GetRecords"));
 * kinesis.faults().inject(Fault.dropConnection().operation("PutRecords").nextCalls(1));
 * }</pre>
 *
 * <p>A fault applies to the calls it matches: every operation and stream unless narrowed with
 * {@link #operation} / {@link #stream}; either the next N matching calls ({@link #nextCalls}) or a random share of
 * them ({@link #rate}), forever by default. Instances are immutable; each method returns a changed copy.
 */
public final class Fault {
    /** What a fault does to a call. */
    public enum Kind {
        /** ProvisionedThroughputExceededException, HTTP 400 (whole call; see {@link #throttleRecords()}). */
        THROTTLE,
        /** Throttles every entry of a PutRecords call (ErrorCode ProvisionedThroughputExceededException) with
         *  HTTP 200, as the service does for partial failures; other operations get {@link #THROTTLE}. */
        THROTTLE_RECORDS,
        /** InternalFailure, HTTP 500. */
        INTERNAL_FAILURE,
        /** ServiceUnavailable, HTTP 503. */
        SERVICE_UNAVAILABLE,
        /** The call is answered normally after an added delay. */
        LATENCY,
        /** The connection is closed without an answer (the call may or may not have been carried out: here, not). */
        DROP_CONNECTION
    }

    private final Kind kind;
    private final Duration latency;
    private final Set<String> operations;
    private final Set<String> streams;
    private final int nextCalls;
    private final double rate;

    private Fault(Kind kind, Duration latency, Set<String> operations, Set<String> streams, int nextCalls,
            double rate) {
        this.kind = kind;
        this.latency = latency;
        this.operations = operations;
        this.streams = streams;
        this.nextCalls = nextCalls;
        this.rate = rate;
    }

    private static Fault of(Kind kind) {
        return new Fault(kind, Duration.ZERO, Set.of(), Set.of(), 0, 1.0);
    }

    /** ProvisionedThroughputExceededException (HTTP 400) for the whole call. */
    public static Fault throttle() {
        return of(Kind.THROTTLE);
    }

    /** PutRecords answers 200 with every entry failed as throttled; other calls are throttled whole. */
    public static Fault throttleRecords() {
        return of(Kind.THROTTLE_RECORDS);
    }

    /** InternalFailure (HTTP 500). */
    public static Fault internalFailure() {
        return of(Kind.INTERNAL_FAILURE);
    }

    /** ServiceUnavailable (HTTP 503). */
    public static Fault serviceUnavailable() {
        return of(Kind.SERVICE_UNAVAILABLE);
    }

    /** Answers normally, {@code delay} later. */
    public static Fault latency(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        if (delay.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative, was " + delay);
        }
        return new Fault(Kind.LATENCY, delay, Set.of(), Set.of(), 0, 1.0);
    }

    /** Closes the connection instead of answering (the call is not carried out). */
    public static Fault dropConnection() {
        return of(Kind.DROP_CONNECTION);
    }

    /** Only these operations (e.g. "PutRecords"); may be repeated to add more. */
    public Fault operation(String... names) {
        Set<String> union = new java.util.HashSet<>(operations);
        union.addAll(Set.of(names));
        return new Fault(kind, latency, Set.copyOf(union), streams, nextCalls, rate);
    }

    /** Only calls on these streams (by name); may be repeated to add more. */
    public Fault stream(String... names) {
        Set<String> union = new java.util.HashSet<>(streams);
        union.addAll(Set.of(names));
        return new Fault(kind, latency, operations, Set.copyOf(union), nextCalls, rate);
    }

    /** Only the next {@code n} matching calls (n >= 1), then the fault is gone. */
    public Fault nextCalls(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("nextCalls must be >= 1, was " + n);
        }
        return new Fault(kind, latency, operations, streams, n, rate);
    }

    /** A random share (0 < rate <= 1) of matching calls, until removed. */
    public Fault rate(double rate) {
        if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException("rate must be in (0, 1], was " + rate);
        }
        return new Fault(kind, latency, operations, streams, nextCalls, rate);
    }

    /**
     * Parses the command-line form {@code KIND[,op=OPERATION][,stream=NAME][,next=N][,rate=R][,latency=DURATION]}
     * where KIND is {@code throttle}, {@code throttle-records}, {@code internal-failure} (or {@code 500}),
     * {@code service-unavailable} (or {@code 503}), {@code latency} or {@code drop}; durations are written
     * {@code 500ms}, {@code 2s}, {@code 1m}. Example: {@code throttle,op=PutRecords,stream=orders,rate=0.1}.
     *
     * @throws IllegalArgumentException naming the part that is wrong
     */
    public static Fault parse(String spec) {
        String[] parts = Objects.requireNonNull(spec, "spec").split(",");
        String kind = parts[0].trim().toLowerCase(java.util.Locale.ROOT);
        Duration delay = null;
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length == 2 && kv[0].trim().equals("latency")) {
                delay = parseDuration(kv[1].trim());
            }
        }
        Fault fault = switch (kind) {
            case "throttle" -> throttle();
            case "throttle-records" -> throttleRecords();
            case "internal-failure", "500" -> internalFailure();
            case "service-unavailable", "503" -> serviceUnavailable();
            case "drop", "drop-connection" -> dropConnection();
            case "latency" -> {
                if (delay == null) {
                    throw new IllegalArgumentException("fault 'latency' needs latency=DURATION, e.g. latency=200ms");
                }
                yield latency(delay);
            }
            default -> throw new IllegalArgumentException("unknown fault kind '" + parts[0] + "' (expected throttle, "
                    + "throttle-records, internal-failure, service-unavailable, latency or drop)");
        };
        for (int i = 1; i < parts.length; i++) {
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("fault option '" + parts[i] + "' must be key=value");
            }
            String key = kv[0].trim();
            String value = kv[1].trim();
            try {
                switch (key) {
                    case "op", "operation" -> fault = fault.operation(value);
                    case "stream" -> fault = fault.stream(value);
                    case "next" -> fault = fault.nextCalls(Integer.parseInt(value));
                    case "rate" -> fault = fault.rate(Double.parseDouble(value));
                    case "latency" -> {
                    }
                    default -> throw new IllegalArgumentException("unknown fault option '" + key
                            + "' (expected op, stream, next, rate, latency)");
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("fault option " + key + " must be a number, was '" + value + "'");
            }
        }
        return fault;
    }

    private static Duration parseDuration(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("latency must look like 500ms, 2s, 1m or 1h, was '" + text + "'");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    public Kind kind() {
        return kind;
    }

    public Duration latencyDelay() {
        return latency;
    }

    public Set<String> operations() {
        return operations;
    }

    public Set<String> streams() {
        return streams;
    }

    /** The number of calls this fault is limited to, or 0 for no limit. */
    public int nextCallsLimit() {
        return nextCalls;
    }

    public double rateValue() {
        return rate;
    }

    boolean matches(String operation, String stream) {
        return (operations.isEmpty() || operations.contains(operation))
                && (streams.isEmpty() || (stream != null && streams.contains(stream)));
    }

    @Override
    public String toString() {
        return "Fault[" + kind + (kind == Kind.LATENCY ? " " + latency.toMillis() + "ms" : "")
                + (operations.isEmpty() ? "" : " operations=" + operations)
                + (streams.isEmpty() ? "" : " streams=" + streams)
                + (nextCalls > 0 ? " next=" + nextCalls : "") + (rate < 1 ? " rate=" + rate : "") + "]";
    }
}
