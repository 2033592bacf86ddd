package dev.shardline.examples.status;

import java.util.List;
import java.util.Set;

/**
 * One worker of the application: every worker with a heartbeat item, and every lease owner without one.
 *
 * @param alive              heartbeat younger than its failover time; false without a heartbeat item; null when
 *                           it cannot be told (no heartbeat table, or a worker that writes no beat time)
 * @param heartbeatAgeMillis how long ago its last beat was written (its clock against ours); null when unknown
 * @param leases             the lease keys it owns, sorted
 * @param streams            the streams it said it reads
 * @param failoverMillis     its failover time, by which it is judged; null when it did not say
 * @param draining           closing: it asked the others to take its leases by graceful handoff
 */
public record WorkerStatus(String workerId, Boolean alive, Long heartbeatAgeMillis, List<String> leases,
                           Set<String> streams, Long failoverMillis, boolean draining) {
    public WorkerStatus {
        leases = List.copyOf(leases);
        streams = Set.copyOf(streams);
    }
}
