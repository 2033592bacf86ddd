package dev.shardline.consumer;

/** The stream a worker reads, by name and/or ARN (the ARN is filled in once known, for fan-out). */
record StreamRef(String name, String arn) {
    /** The name if known, else the ARN (what requests take, see {@code dev.shardline.common.StreamIds}). */
    String nameOrArn() {
        return name != null ? name : arn;
    }

    @Override
    public String toString() {
        return nameOrArn();
    }
}
