package dev.shardline.examples.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Progress on stderr: on a terminal, one line rewritten in place every half second; otherwise (a pipe, a file,
 * a CI log) a plain line every few seconds. {@link #close()} prints the last state once more and ends the line.
 */
public final class ProgressLine implements AutoCloseable {
    private final PrintStream out;
    private final Supplier<String> status;
    private final boolean live;
    private final ScheduledExecutorService timer;
    private int lastLength;

    private ProgressLine(PrintStream out, Supplier<String> status, boolean live, Duration every) {
        this.out = out;
        this.status = status;
        this.live = live;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "shardline-progress");
            thread.setDaemon(true);
            return thread;
        });
        long millis = every.toMillis();
        timer.scheduleAtFixedRate(this::print, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Starts printing {@code status} to {@code out}: live when stderr is a terminal. */
    public static ProgressLine start(PrintStream out, Supplier<String> status) {
        boolean terminal = System.console() != null;
        return start(out, status, terminal, terminal ? Duration.ofMillis(500) : Duration.ofSeconds(5));
    }

    /** Starts printing {@code status} to {@code out} every {@code every}, rewriting one line if {@code live}. */
    public static ProgressLine start(PrintStream out, Supplier<String> status, boolean live, Duration every) {
        return new ProgressLine(out, status, live, every);
    }

    /** True when the line is rewritten in place (a terminal). */
    public boolean live() {
        return live;
    }

    private synchronized void print() {
        String line;
        try {
            line = status.get();
        } catch (RuntimeException e) {
            line = "progress unavailable: " + CliErrors.oneLine(e);
        }
        if (live) {
            int pad = Math.max(0, lastLength - line.length());
            out.print("\r" + line + " ".repeat(pad));
            lastLength = line.length();
        } else {
            out.println(line);
        }
        out.flush();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        print();
        if (live) {
            out.println();
        }
    }
}
