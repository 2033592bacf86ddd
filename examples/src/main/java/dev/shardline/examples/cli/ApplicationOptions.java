package dev.shardline.examples.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The flags of the verbs that look at a consumer application: {@code --app A [--stream S]...}. */
public final class ApplicationOptions {
    @Option(names = "--app", required = true, paramLabel = "A", description = "Application name = lease table name.")
    String app;

    @Option(names = "--stream", paramLabel = "S", description = "A stream of the application (repeatable; default:"
            + " the streams its workers announce and its lease keys name).")
    List<String> streams = new ArrayList<>();

    /** The application name, checked (a usage error on {@code commandLine} names the flag and the limit). */
    public String app(CommandLine commandLine) {
        return ApplicationName.check(commandLine, app);
    }

    /** The streams given, possibly none. */
    public List<String> streams() {
        return List.copyOf(streams);
    }
}
