package dev.shardline.local;

/** Stream states, as the service names them. */
enum StreamStatus {
    CREATING, DELETING, ACTIVE, UPDATING
}
