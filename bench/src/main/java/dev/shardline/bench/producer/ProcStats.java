package dev.shardline.bench.producer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** CPU time, memory and threads of this process and its child processes, from Linux /proc. */
public final class ProcStats {
    /** Clock ticks per second of /proc/PID/stat (USER_HZ, 100 on Linux). */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcStats() {
    }

    /** User + system CPU seconds of a process (its own threads, not its children). */
    public static double cpuSeconds(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // fields after the ")" of the command name: state ppid ... utime(14) stime(15)
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** Peak resident set size (VmHWM) of a process in bytes. */
    public static long peakRssBytes(long pid) {
        return statusValue(pid, "VmHWM:") * 1024;
    }

    /** Resident set size now (VmRSS) of a process in bytes. */
    public static long rssBytes(long pid) {
        return statusValue(pid, "VmRSS:") * 1024;
    }

    /** Threads of a process now. */
    public static long threads(long pid) {
        return statusValue(pid, "Threads:");
    }

    private static long statusValue(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return 0;
    }

    /** Live processes whose parent is {@code parent}. */
    static List<Long> children(long parent) {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(f[1]) == parent) {
                        out.add(Long.parseLong(p.getFileName().toString()));
                    }
                } catch (IOException | RuntimeException e) {
                    // raced with its exit
                }
            });
        } catch (IOException e) {
            // no /proc
        }
        return out;
    }

    /** CPU seconds of this process plus its live children. */
    static double cpuSecondsWithChildren() {
        long self = ProcessHandle.current().pid();
        double cpu = cpuSeconds(self);
        for (long child : children(self)) {
            cpu += cpuSeconds(child);
        }
        return cpu;
    }

    /** Peak RSS of this process plus its live children. */
    static long peakRssWithChildren() {
        long self = ProcessHandle.current().pid();
        long rss = peakRssBytes(self);
        for (long child : children(self)) {
            rss += peakRssBytes(child);
        }
        return rss;
    }
}
