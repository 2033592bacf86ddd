package dev.shardline.examples.status;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The readable form of an {@link ApplicationStatus}: a headline, what is wrong, then per stream a table of its leases
 * with the shard lineage drawn as a tree (children under their parent; a merged child under its first parent), then
 * the workers. With {@code color}, unattended shards and dead workers are red and waiting shards yellow.
 */
final class StatusTable {
    private static final String RED = "\u001b[31m";
    private static final String YELLOW = "\u001b[33m";
    private static final String RESET = "\u001b[0m";

    private final boolean color;
    private final StringBuilder out = new StringBuilder();

    private StatusTable(boolean color) {
        this.color = color;
    }

    static String render(ApplicationStatus status, boolean color) {
        return new StatusTable(color).status(status).out.toString();
    }

    private StatusTable status(ApplicationStatus status) {
        long alive = status.workers().stream().filter(w -> Boolean.TRUE.equals(w.alive())).count();
        Map<ShardState, Long> states = status.leases().stream()
                .collect(Collectors.groupingBy(LeaseStatus::state, java.util.TreeMap::new, Collectors.counting()));
        out.append("application ").append(status.application()).append(" at ").append(status.time()).append(": ")
                .append(status.workers().size()).append(status.workers().size() == 1 ? " worker (" : " workers (")
                .append(alive).append(" alive), ").append(status.leases().size())
                .append(status.leases().size() == 1 ? " lease" : " leases");
        if (!states.isEmpty()) {
            out.append(": ").append(states.entrySet().stream().map(e -> e.getValue() + " " + e.getKey().label())
                    .collect(Collectors.joining(", ")));
        }
        out.append('\n');
        if (status.problems().isEmpty()) {
            out.append("ok: every shard that should be read has a live owner\n");
        } else {
            out.append("problems:\n");
            status.problems().forEach(p -> out.append(paint(RED, "  ! " + p)).append('\n'));
        }
        Map<String, List<LeaseStatus>> byStream = new LinkedHashMap<>();
        status.leases().forEach(l -> byStream.computeIfAbsent(l.stream() == null ? "(stream unknown)" : l.stream(),
                s -> new ArrayList<>()).add(l));
        for (String stream : status.streams()) {
            byStream.putIfAbsent(stream, List.of());
        }
        byStream.forEach(this::stream);
        workers(status.workers());
        if (!status.warnings().isEmpty()) {
            out.append("\nnotes:\n");
            status.warnings().forEach(w -> out.append("  - ").append(w).append('\n'));
        }
        return this;
    }

    private void stream(String stream, List<LeaseStatus> leases) {
        out.append("\nstream ").append(stream).append('\n');
        if (leases.isEmpty()) {
            out.append("  (no leases yet)\n");
            return;
        }
        Map<String, LeaseStatus> byShard = new HashMap<>();
        leases.forEach(l -> byShard.put(l.shardId(), l));
        List<String[]> rows = new ArrayList<>();
        List<LeaseStatus> rowLeases = new ArrayList<>();
        Set<String> drawn = new HashSet<>();
        for (LeaseStatus lease : leases) {
            boolean root = lease.parentShardIds().stream().noneMatch(byShard::containsKey);
            if (root) {
                tree(lease, "", "", byShard, drawn, rows, rowLeases);
            }
        }
        for (LeaseStatus lease : leases) { // a cycle cannot happen, but never leave a lease out
            if (!drawn.contains(lease.shardId())) {
                tree(lease, "", "", byShard, drawn, rows, rowLeases);
            }
        }
        String[] header = {"SHARD", "STATE", "OWNER", "CHECKPOINT", "LAG", "REC/S", "KB/S"};
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
        }
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        out.append("  ").append(line(header, width)).append('\n');
        for (int r = 0; r < rows.size(); r++) {
            LeaseStatus lease = rowLeases.get(r);
            String text = line(rows.get(r), width);
            String colour = lease == null ? null : lease.unattended() ? RED
                    : lease.state() == ShardState.WAITING ? YELLOW : null;
            out.append("  ").append(colour == null ? text : paint(colour, text)).append('\n');
        }
    }

    private void tree(LeaseStatus lease, String prefix, String childPrefix, Map<String, LeaseStatus> byShard,
            Set<String> drawn, List<String[]> rows, List<LeaseStatus> rowLeases) {
        if (!drawn.add(lease.shardId())) {
            rows.add(new String[] {prefix + "-> " + lease.shardId() + " (merged, above)", "", "", "", "", "", ""});
            rowLeases.add(null);
            return;
        }
        String shard = prefix + lease.shardId();
        if (lease.parentShardIds().size() > 1) {
            shard += " (merge of " + String.join(" + ", lease.parentShardIds().stream().sorted().toList()) + ")";
        }
        rows.add(new String[] {shard, lease.state().label(), owner(lease), checkpoint(lease),
                lease.millisBehindLatest() == null ? "-" : duration(lease.millisBehindLatest()),
                rate(lease.recordsPerSecond(), 1), rate(lease.bytesPerSecond(), 1024)});
        rowLeases.add(lease);
        List<LeaseStatus> children = lease.childShardIds().stream().sorted().map(byShard::get)
                .filter(java.util.Objects::nonNull).toList();
        for (int i = 0; i < children.size(); i++) {
            boolean last = i == children.size() - 1;
            tree(children.get(i), childPrefix + (last ? "└─ " : "├─ "), childPrefix + (last ? "   " : "│  "),
                    byShard, drawn, rows, rowLeases);
        }
    }

    private void workers(List<WorkerStatus> workers) {
        out.append("\nworkers\n");
        if (workers.isEmpty()) {
            out.append("  (none)\n");
            return;
        }
        String[] header = {"WORKER", "ALIVE", "HEARTBEAT", "LEASES"};
        List<String[]> rows = new ArrayList<>();
        for (WorkerStatus w : workers) {
            rows.add(new String[] {w.workerId(), (w.alive() == null ? "?" : w.alive() ? "yes" : "DEAD")
                    + (w.draining() ? " (draining)" : ""),
                    w.heartbeatAgeMillis() == null ? "-" : duration(w.heartbeatAgeMillis()) + " ago",
                    w.leases().size() + (w.leases().isEmpty() ? "" : ": " + String.join(", ", w.leases()))});
        }
        int[] width = new int[header.length];
        for (int i = 0; i < header.length; i++) {
            width[i] = header[i].length();
            for (String[] row : rows) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        out.append("  ").append(line(header, width)).append('\n');
        for (int r = 0; r < rows.size(); r++) {
            String text = line(rows.get(r), width);
            out.append("  ").append(Boolean.FALSE.equals(workers.get(r).alive()) ? paint(RED, text) : text).append('\n');
        }
    }

    private static String owner(LeaseStatus lease) {
        if (lease.owner() == null) {
            return "-";
        }
        String owner = lease.owner() + (Boolean.FALSE.equals(lease.ownerAlive()) ? " (dead)" : "");
        return lease.checkpointOwner() == null ? owner : owner + " <- " + lease.checkpointOwner() + " (handoff)";
    }

    /** Sentinels as they are; sequence numbers by their last digits (the JSON has them whole). */
    private static String checkpoint(LeaseStatus lease) {
        String c = lease.checkpoint();
        if (!c.chars().allMatch(Character::isDigit) || c.isEmpty()) {
            return c;
        }
        String tail = c.length() > 10 ? "…" + c.substring(c.length() - 10) : c;
        return lease.checkpointSubSequenceNumber() > 0 ? tail + "/" + lease.checkpointSubSequenceNumber() : tail;
    }

    static String duration(long millis) {
        return millis < 1000 ? millis + "ms" : StatusAssembler.seconds(millis);
    }

    private static String rate(Double value, int divisor) {
        return value == null ? "-" : String.format(Locale.ROOT, "%.1f", value / divisor);
    }

    private static String line(String[] cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            b.append(i == cells.length - 1 ? cells[i] : String.format("%-" + width[i] + "s  ", cells[i]));
        }
        return b.toString().stripTrailing();
    }

    private String paint(String colour, String text) {
        return color ? colour + text + RESET : text;
    }
}
