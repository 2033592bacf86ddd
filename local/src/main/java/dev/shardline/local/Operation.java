package dev.shardline.local;

/**
 * Extension point: one Kinesis API operation, registered by name in the {@link OperationRegistry}. It runs on
 * the connection's event loop, so it must not block; it answers with a {@link Reply} or throws a
 * {@link KinesisException}.
 */
@FunctionalInterface
interface Operation {
    Reply handle(Call call);
}
