package dev.shardline.examples.cli;

import dev.shardline.common.Futures;
import picocli.CommandLine;

/** Maps outcomes to the contract's exit codes: 2 for usage errors (with the usage), 1 for failures (one line). */
public final class CliErrors {
    /** Exit code of a failure. */
    public static final int FAILURE = 1;
    /** Exit code of a usage error. */
    public static final int USAGE = 2;

    private CliErrors() {
    }

    public static void install(CommandLine commandLine) {
        commandLine.setParameterExceptionHandler((ex, args) -> {
            CommandLine cmd = ex.getCommandLine();
            String message = ex.getMessage() == null ? "" : ex.getMessage();
            cmd.getErr().println("error: " + (message.startsWith("Error: ") ? message.substring(7) : message));
            cmd.usage(cmd.getErr());
            return USAGE;
        });
        commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
            cmd.getErr().println("error: " + oneLine(ex));
            return FAILURE;
        });
    }

    /** The failure inside completion, execution and reflection wrappers. */
    public static Throwable rootCause(Throwable ex) {
        Throwable cause = Futures.unwrap(ex);
        while (cause instanceof java.lang.reflect.UndeclaredThrowableException && cause.getCause() != null) {
            cause = Futures.unwrap(cause.getCause());
        }
        return cause;
    }

    /** The root cause's message on one line, prefixed with its type when the message alone would be unclear. */
    public static String oneLine(Throwable ex) {
        Throwable cause = rootCause(ex);
        String message = cause.getMessage();
        if (message == null || message.isBlank()) {
            message = cause.getClass().getSimpleName();
        }
        return message.replace('\n', ' ').strip();
    }
}
