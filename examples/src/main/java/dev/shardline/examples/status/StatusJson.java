package dev.shardline.examples.status;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Collection;

/**
 * The JSON of {@code status --format json} and the console's {@code GET /api/status}: the contract's fields
 * ({@code application}, {@code leases[]} with {@code stream, shardId, state, owner, checkpoint, millisBehindLatest,
 * parentShardIds, childShardIds}, {@code workers[]} with {@code workerId, leases, heartbeatAgeMillis}), then more.
 * Unknown values are {@code null}, never left out.
 */
public final class StatusJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatusJson() {
    }

    /** One JSON object on one line. */
    public static String write(ApplicationStatus status) {
        return toTree(status).toString();
    }

    static ObjectNode toTree(ApplicationStatus status) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("application", status.application());
        root.put("time", status.time().toString());
        root.put("healthy", status.exitCode() == ApplicationStatus.HEALTHY);
        strings(root.putArray("streams"), status.streams());
        ArrayNode leases = root.putArray("leases");
        for (LeaseStatus l : status.leases()) {
            ObjectNode n = leases.addObject();
            n.put("stream", l.stream());
            n.put("shardId", l.shardId());
            n.put("state", l.state().label());
            n.put("owner", l.owner());
            n.put("checkpoint", l.checkpoint());
            n.put("millisBehindLatest", l.millisBehindLatest());
            strings(n.putArray("parentShardIds"), l.parentShardIds().stream().sorted().toList());
            strings(n.putArray("childShardIds"), l.childShardIds().stream().sorted().toList());
            n.put("leaseKey", l.leaseKey());
            n.put("ownerAlive", l.ownerAlive());
            n.put("checkpointSubSequenceNumber", l.checkpointSubSequenceNumber());
            n.put("reportedMillisBehindLatest", l.reportedMillisBehindLatest());
            n.put("checkpointOwner", l.checkpointOwner());
            n.put("recordsPerSecond", l.recordsPerSecond());
            n.put("bytesPerSecond", l.bytesPerSecond());
            n.put("unattended", l.unattended());
        }
        ArrayNode workers = root.putArray("workers");
        for (WorkerStatus w : status.workers()) {
            ObjectNode n = workers.addObject();
            n.put("workerId", w.workerId());
            strings(n.putArray("leases"), w.leases());
            n.put("heartbeatAgeMillis", w.heartbeatAgeMillis());
            n.put("alive", w.alive());
            n.put("failoverMillis", w.failoverMillis());
            n.put("draining", w.draining());
            strings(n.putArray("streams"), w.streams().stream().sorted().toList());
        }
        strings(root.putArray("problems"), status.problems());
        strings(root.putArray("warnings"), status.warnings());
        return root;
    }

    private static void strings(ArrayNode array, Collection<String> values) {
        values.forEach(array::add);
    }
}
