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
        subcommands = {AggregationCommand.class, ProducerCommand.class,
                dev.shardline.bench.consumer.ConsumerCommand.class, dev.shardline.bench.consumer.ScaleCommand.class,
                dev.shardline.bench.local.LocalEndpointBench.class,
                dev.shardline.bench.fanout.PushLatencyBench.class, dev.shardline.bench.checkpoint.LeaseCostBench.class})
public final class Bench implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with every subcommand registered; picocli's exit codes match the contract (2 usage, 1 failure). */
    static CommandLine commandLine() {
        // JMH options (-f, -wi, -p ...) are handed on untouched rather than refused as unknown.
        return new CommandLine(new Bench()).setUnmatchedOptionsArePositionalParams(true)
                .setExecutionExceptionHandler((e, cli, parsed) -> {
                    cli.getErr().println("bench: " + e); // one line, as every shardline command fails
                    return 1;
                });
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a benchmark is required");
    }
}
