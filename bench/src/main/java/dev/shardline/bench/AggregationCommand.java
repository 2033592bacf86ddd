package dev.shardline.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code bench aggregation [jmh options]}: runs {@link AggregationBenchmark} with JMH. Without options it does a
 * short run (1 fork, 3 x 2 s warm-up, 5 x 2 s measurement, 1 thread, so results are per core); any JMH option
 * ({@code -f}, {@code -wi}, {@code -i}, {@code -r}, {@code -p recordBytes=100}, {@code -rf json} ...) overrides it.
 */
@Command(name = "aggregation", mixinStandardHelpOptions = true,
        description = "Aggregation and de-aggregation throughput (user records/s), Shardline vs Amazon KCL.")
final class AggregationCommand implements Callable<Integer> {
    @Parameters(paramLabel = "JMH-OPTION", arity = "0..*",
            description = "options passed to JMH (e.g. -f 1 -wi 3 -i 5 -p recordBytes=100; -h lists them)")
    private List<String> jmhArgs = new ArrayList<>();

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        return JmhLauncher.run(spec, AggregationBenchmark.class, jmhArgs);
    }
}
