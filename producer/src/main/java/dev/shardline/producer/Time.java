package dev.shardline.producer;

import java.time.Instant;

/** The producer's clocks, injected so that tests drive time (Kafka's {@code Time}). */
interface Time {
    /** The system clocks. */
    Time SYSTEM = new Time() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public Instant instant() {
            return Instant.now();
        }
    };

    /** Monotonic nanoseconds, for deadlines and intervals. */
    long nanoTime();

    /** Wall-clock time, for what users read (an attempt's start). */
    Instant instant();
}
