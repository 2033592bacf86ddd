package dev.shardline.examples;

import dev.shardline.examples.cli.CliErrors;
import dev.shardline.examples.console.ConsoleCommand;
import dev.shardline.examples.demo.DemoCommand;
import dev.shardline.examples.produce.ProduceCommand;
import dev.shardline.examples.replay.ReplayCommand;
import dev.shardline.examples.status.StatusCommand;
import dev.shardline.examples.track.TrackCommand;
import dev.shardline.examples.trucks.TrucksCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code shardline} command line. Exit codes: 0 success, 2 usage error (with the usage), 1 failure (one
 * clear line on stderr).
 */
@Command(name = "shardline", mixinStandardHelpOptions = true, versionProvider = Shardline.Version.class,
        description = "Produce to and consume from Amazon Kinesis Data Streams, locally or on AWS.",
        subcommands = {DemoCommand.class, LocalCommand.class, TrucksCommand.class, TrackCommand.class,
                ProduceCommand.class, ReplayCommand.class, StatusCommand.class,
                ConsoleCommand.class})
public final class Shardline implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Held so that the level set on it sticks (java.util.logging keeps loggers weakly). */
    private static final java.util.logging.Logger SQLITE_LOG = java.util.logging.Logger.getLogger("com.almworks.sqlite4java");

    public static void main(String[] args) {
        // DynamoDB Local's SQLite binding logs a harmless version warning through java.util.logging.
        SQLITE_LOG.setLevel(java.util.logging.Level.SEVERE);
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line, with every verb registered. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Shardline());
        CliErrors.install(commandLine);
        return commandLine;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a verb is required");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Shardline.class.getPackage().getImplementationVersion();
            return new String[] {"shardline " + (version != null ? version : "development build")};
        }
    }
}
