package dev.shardline.examples.status;

import java.time.Instant;
import java.util.List;

/**
 * A consumer application at one instant: its streams, every lease, every worker, and what looks wrong.
 *
 * @param streams  the streams found (asked for, announced by workers, or named in lease keys), sorted
 * @param problems one line per thing someone on call should look at (an unattended shard, a dead owner, ...)
 * @param warnings what could not be read or told (a stream not found, liveness unknown, ...)
 */
public record ApplicationStatus(String application, Instant time, List<String> streams, List<LeaseStatus> leases,
                                List<WorkerStatus> workers, List<String> problems, List<String> warnings) {
    /** Exit code when every shard that should be read has a live owner. */
    public static final int HEALTHY = 0;
    /** Exit code when some open (or closed, unfinished) shard has no live owner. */
    public static final int UNATTENDED = 3;

    public ApplicationStatus {
        streams = List.copyOf(streams);
        leases = List.copyOf(leases);
        workers = List.copyOf(workers);
        problems = List.copyOf(problems);
        warnings = List.copyOf(warnings);
    }

    /** The leases that should be read but have no live owner. */
    public List<LeaseStatus> unattended() {
        return leases.stream().filter(LeaseStatus::unattended).toList();
    }

    /** {@link #HEALTHY} or {@link #UNATTENDED}. */
    public int exitCode() {
        return unattended().isEmpty() ? HEALTHY : UNATTENDED;
    }
}
