package dev.shardline.common;

import java.util.regex.Pattern;

/**
 * A stream given by name or by ARN (another account's stream needs the ARN). Internal: the one place that knows the
 * shapes of both, so that every module accepts and rejects the same strings.
 */
public final class StreamIds {
    /** A stream name, as the Kinesis API constrains it. */
    public static final Pattern NAME = Pattern.compile("[a-zA-Z0-9_.-]{1,128}");
    /** A stream ARN: partition (aws, aws-cn, aws-us-gov ...), region, 12-digit account, stream name. */
    public static final Pattern ARN = Pattern.compile("arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\\d{12}:stream/[a-zA-Z0-9_.-]{1,128}");

    private StreamIds() {
    }

    /** True if {@code nameOrArn} is meant as an ARN (it may still be malformed: see {@link #problem}). */
    public static boolean isArn(String nameOrArn) {
        return nameOrArn.startsWith("arn:");
    }

    /** What is wrong with {@code nameOrArn}, or null if it is a valid stream name or stream ARN. */
    public static String problem(String nameOrArn) {
        if (nameOrArn == null || nameOrArn.isEmpty()) {
            return "must not be empty";
        }
        if (isArn(nameOrArn) ? ARN.matcher(nameOrArn).matches() : NAME.matcher(nameOrArn).matches()) {
            return null;
        }
        String shown = nameOrArn.length() > 60 ? nameOrArn.substring(0, 60) + "..." : nameOrArn;
        return isArn(nameOrArn)
                ? "'" + shown + "' is not a stream ARN (arn:aws:kinesis:REGION:ACCOUNT:stream/NAME)"
                : "'" + shown + "' is not a stream name (1 to 128 of a-z A-Z 0-9 _ . -)";
    }

    /** The value for a request's {@code StreamName}: the name, or null when given an ARN. */
    public static String nameParam(String nameOrArn) {
        return nameOrArn == null || isArn(nameOrArn) ? null : nameOrArn;
    }

    /** The value for a request's {@code StreamARN}: the ARN, or null when given a name. */
    public static String arnParam(String nameOrArn) {
        return nameOrArn != null && isArn(nameOrArn) ? nameOrArn : null;
    }

    /** The stream's name: itself, or the part of the ARN after {@code :stream/}. */
    public static String nameOf(String nameOrArn) {
        int at = nameOrArn.indexOf(":stream/");
        return isArn(nameOrArn) && at >= 0 ? nameOrArn.substring(at + ":stream/".length()) : nameOrArn;
    }
}
