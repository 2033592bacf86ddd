package dev.shardline.examples.console;

import java.util.Map;

/**
 * Running totals per shard id that a process measures itself (the demo: what its producer stored, what its tracker
 * processed), for the console's records in/out charts. Totals only grow; the console turns them into rates.
 */
public interface ShardTraffic {
    /** Records and payload bytes of one shard so far. */
    record Totals(long records, long bytes) {
    }

    /** What was written to each shard so far (empty when not measured). */
    Map<String, Totals> written();

    /** What was processed from each shard so far (empty when not measured). */
    Map<String, Totals> processed();
}
