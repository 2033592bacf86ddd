package dev.shardline.bench;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * Reports operations per CPU-second of the whole benchmark JVM (benchmark thread, GC and JIT included): the
 * per-core rate, which unlike ops per wall-second stays meaningful when other processes share the cores.
 * Enabled with {@code -prof dev.shardline.bench.CpuTimeProfiler} (the bench command adds it by default).
 */
public final class CpuTimeProfiler implements InternalProfiler {
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long cpuStart;
    private long wallStart;

    @Override
    public String getDescription() {
        return "operations per CPU-second of the benchmark JVM";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        wallStart = System.nanoTime();
        cpuStart = os.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams,
            IterationParams iterationParams, IterationResult result) {
        long cpu = os.getProcessCpuTime() - cpuStart;
        long wall = System.nanoTime() - wallStart;
        double opsPerWallSecond = result.getPrimaryResult().getScore();
        double cpuPerWall = (double) cpu / wall;
        return List.of(
                new ScalarResult("ops-per-cpu-s", opsPerWallSecond / cpuPerWall, "ops/cpu-s", AggregationPolicy.AVG),
                new ScalarResult("cpu-share", cpuPerWall, "cores", AggregationPolicy.AVG));
    }
}
