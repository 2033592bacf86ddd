package dev.shardline.bench;

import dev.shardline.bench.producer.ProducerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The bench jar's entry point: {@code java -jar bench/target/shardline-bench.jar <benchmark> [args]}, which
 * {@code ./shardline bench ...} hands off to. Each benchmark is a subcommand; add new ones to {@code subcommands}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Shardline benchmarks, measured side by side with Amazon's KPL / KCL.",
        subcommands = {ProducerCommand.class})
public final class Bench implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand registered; exit codes follow the contract (2 = usage). */
    static CommandLine commandLine() {
        return new CommandLine(new Bench()).setUnmatchedOptionsArePositionalParams(true)
                .setExitCodeExceptionMapper(e -> 1);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a benchmark is required");
    }
}
