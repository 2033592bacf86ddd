package dev.shardline.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** The bench command line: wiring and exit codes only (benchmarks themselves never run in the test suite). */
@Timeout(30)
class BenchCommandTest {
    private static int run(StringWriter out, StringWriter err, String... args) {
        CommandLine cli = Bench.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        return cli.execute(args);
    }

    @Test
    void listsTheAggregationBenchmark() {
        StringWriter out = new StringWriter();
        assertThat(run(out, new StringWriter(), "--help")).isZero();
        assertThat(out.toString()).contains("aggregation");
    }

    @Test
    void withoutABenchmarkItIsAUsageError() {
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err)).isEqualTo(2);
        assertThat(err.toString()).contains("a benchmark is required").contains("Usage");
    }

    @Test
    void badJmhOptionIsAUsageError() {
        StringWriter err = new StringWriter();
        assertThat(run(new StringWriter(), err, "aggregation", "-wi", "not-a-number")).isEqualTo(2);
        assertThat(err.toString()).contains("JMH");
    }
}
