package dev.shardline.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import picocli.CommandLine;

/** Runs one JMH benchmark class with short defaults that the user's JMH options override. */
final class JmhLauncher {
    private JmhLauncher() {
    }

    static int run(CommandLine.Model.CommandSpec spec, Class<?> benchmark, List<String> jmhArgs) throws Exception {
        CommandLineOptions given;
        try {
            given = new CommandLineOptions(jmhArgs.toArray(String[]::new));
        } catch (CommandLineOptionException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "JMH: " + e.getMessage());
        }
        if (given.shouldHelp()) {
            given.showHelp();
            return 0;
        }
        // JMH lets a builder's own settings win over its parent's: set a default only where the user set nothing.
        ChainedOptionsBuilder options = new OptionsBuilder().parent(given);
        if (!given.getForkCount().hasValue()) {
            options.forks(1);
        }
        if (!given.getWarmupIterations().hasValue()) {
            options.warmupIterations(3);
        }
        if (!given.getWarmupTime().hasValue()) {
            options.warmupTime(TimeValue.seconds(2));
        }
        if (!given.getMeasurementIterations().hasValue()) {
            options.measurementIterations(5);
        }
        if (!given.getMeasurementTime().hasValue()) {
            options.measurementTime(TimeValue.seconds(2));
        }
        if (!given.getThreads().hasValue()) {
            options.threads(1);
        }
        if (!given.getTimeUnit().hasValue()) {
            options.timeUnit(TimeUnit.SECONDS);
        }
        boolean cpuProfiler = given.getProfilers().stream()
                .anyMatch(p -> p.getKlass().equals(CpuTimeProfiler.class.getName()));
        if (!cpuProfiler) {
            options.addProfiler(CpuTimeProfiler.class);
        }
        if (given.getIncludes().isEmpty()) {
            options.include(benchmark.getName().replace(".", "\\.") + "\\.");
        }
        new Runner(options.build()).run();
        return 0;
    }
}
