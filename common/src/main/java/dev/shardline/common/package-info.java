/**
 * Internal helpers shared by Shardline's modules: stream names and ARNs ({@link dev.shardline.common.StreamIds}),
 * ListShards paging ({@link dev.shardline.common.ShardLister}) and future unwrapping
 * ({@link dev.shardline.common.Futures}). <b>Not user API</b>: public only so that the other modules can reach it;
 * it may change in any release.
 */
package dev.shardline.common;
