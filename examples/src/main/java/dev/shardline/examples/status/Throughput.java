package dev.shardline.examples.status;

/**
 * Recent throughput of one lease measured outside the lease table (the demo's own counters): records/s and bytes/s
 * processed, either null when not measured.
 */
public record Throughput(Double recordsPerSecond, Double bytesPerSecond) {
}
