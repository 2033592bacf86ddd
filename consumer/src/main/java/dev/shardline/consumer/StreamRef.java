package dev.shardline.consumer;

/** The stream a worker reads, by name and/or ARN (the ARN is filled in once known, for fan-out). */
record StreamRef(String name, String arn) {
    @Override
    public String toString() {
        return name != null ? name : arn;
    }
}
