package dev.shardline.examples;

import dev.shardline.examples.cli.CliErrors;
import dev.shardline.examples.produce.ProduceCommand;
import dev.shardline.examples.replay.ReplayCommand;
import dev.shardline.examples.trucks.TrucksCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code shardline} command line. Exit codes: 0 success, 2 usage error (with the usage), 1 failure (one
 * clear line on stderr).
 */
@Command(name = "shardline", mixinStandardHelpOptions = true, versionProvider = Shardline.Version.class,
        description = "Produce to and consume from Amazon Kinesis Data Streams, locally or on AWS.",
        subcommands = {TrucksCommand.class, ProduceCommand.class, ReplayCommand.class})
public final class Shardline implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
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
