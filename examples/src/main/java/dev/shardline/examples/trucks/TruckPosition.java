package dev.shardline.examples.trucks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Objects;

/**
 * One GPS message of one truck: the JSON the fleet sends, one per truck per interval.
 *
 * @param truckId the truck, also the record's partition key
 * @param run identifies one run of the fleet, so that a second run's sequence numbers (which restart at 1)
 *     are not mistaken for reorderings
 * @param seq the truck's message number in its run, 1, 2, 3, ... with no gaps
 * @param timestampMillis when the position was taken (epoch milliseconds)
 * @param lat latitude in degrees
 * @param lon longitude in degrees
 * @param speedKmh speed in km/h
 * @param headingDeg heading in degrees clockwise from north, [0, 360)
 * @param odometerKm distance driven since the truck started, in km
 */
public record TruckPosition(String truckId, String run, long seq, long timestampMillis, double lat, double lon,
        double speedKmh, double headingDeg, double odometerKm) {
    private static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public TruckPosition {
        Objects.requireNonNull(truckId, "truckId");
        Objects.requireNonNull(run, "run");
    }

    /** This position as one line of JSON, UTF-8. */
    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a truck position as JSON", e);
        }
    }

    /**
     * Parses a message written by {@link #toJson()}.
     *
     * @throws IllegalArgumentException when the data is not a truck position
     */
    public static TruckPosition parse(byte[] json) {
        try {
            TruckPosition position = JSON.readValue(json, TruckPosition.class);
            if (position == null) {
                throw new IllegalArgumentException("not a truck position: null");
            }
            return position;
        } catch (IOException | NullPointerException e) {
            throw new IllegalArgumentException("not a truck position: " + e.getMessage(), e);
        }
    }
}
