package dev.shardline.examples.trucks;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A simulated fleet of delivery trucks driving loops of depots around a city. Each {@link #tick} moves every
 * truck by the simulated time elapsed and returns one position per truck, with the truck's next sequence
 * number. Speeds change smoothly, trucks slow down near a stop and wait there a little, so positions, speed,
 * heading and odometer stay mutually consistent. Not thread-safe: one producer thread drives it.
 */
public final class Fleet {
    /** Centre of the simulated city (Seattle). */
    static final double CENTRE_LAT = 47.6062;
    static final double CENTRE_LON = -122.3321;
    private static final double EARTH_RADIUS_KM = 6371.0;
    private static final double KM_PER_DEG_LAT = Math.PI * EARTH_RADIUS_KM / 180.0;

    private final List<Truck> trucks;
    private final String run;
    private final Random random;

    /**
     * @param size the number of trucks, 1 or more
     * @param run the run id carried by every message
     * @param seed seeds the routes and driving, for repeatable simulations
     */
    public Fleet(int size, String run, long seed) {
        if (size < 1) {
            throw new IllegalArgumentException("trucks must be at least 1, was " + size);
        }
        this.run = run;
        this.random = new Random(seed);
        this.trucks = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            trucks.add(new Truck(truckId(i), route()));
        }
    }

    /** The id of truck {@code index}: {@code truck-0001} for index 0. */
    public static String truckId(int index) {
        return String.format("truck-%04d", index + 1);
    }

    public int size() {
        return trucks.size();
    }

    public String run() {
        return run;
    }

    /**
     * Moves every truck by {@code elapsedSeconds} of simulated time and returns their new positions, in truck
     * order, each with the truck's next sequence number.
     */
    public List<TruckPosition> tick(double elapsedSeconds, long nowMillis) {
        List<TruckPosition> positions = new ArrayList<>(trucks.size());
        for (Truck truck : trucks) {
            truck.drive(elapsedSeconds);
            positions.add(truck.position(run, nowMillis));
        }
        return positions;
    }

    /** Position of truck {@code index} alone, advanced by {@code elapsedSeconds} (for per-truck schedules). */
    public TruckPosition tick(int index, double elapsedSeconds, long nowMillis) {
        Truck truck = trucks.get(index);
        truck.drive(elapsedSeconds);
        return truck.position(run, nowMillis);
    }

    private double[][] route() {
        int stops = 3 + random.nextInt(4);
        double[][] points = new double[stops][];
        for (int i = 0; i < stops; i++) {
            double northKm = (random.nextDouble() - 0.5) * 30;
            double eastKm = (random.nextDouble() - 0.5) * 30;
            points[i] = new double[] {
                CENTRE_LAT + northKm / KM_PER_DEG_LAT,
                CENTRE_LON + eastKm / (KM_PER_DEG_LAT * Math.cos(Math.toRadians(CENTRE_LAT)))};
        }
        return points;
    }

    /** Great-circle distance in km (haversine). */
    static double distanceKm(double lat1, double lon1, double lat2, double lon2) {
        double dLat = Math.toRadians(lat2 - lat1);
        double dLon = Math.toRadians(lon2 - lon1);
        double a = Math.sin(dLat / 2) * Math.sin(dLat / 2) + Math.cos(Math.toRadians(lat1))
                * Math.cos(Math.toRadians(lat2)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
        return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(a)));
    }

    /** Initial bearing from point 1 to point 2, degrees clockwise from north in [0, 360). */
    static double bearingDeg(double lat1, double lon1, double lat2, double lon2) {
        double phi1 = Math.toRadians(lat1);
        double phi2 = Math.toRadians(lat2);
        double dLon = Math.toRadians(lon2 - lon1);
        double y = Math.sin(dLon) * Math.cos(phi2);
        double x = Math.cos(phi1) * Math.sin(phi2) - Math.sin(phi1) * Math.cos(phi2) * Math.cos(dLon);
        double deg = Math.toDegrees(Math.atan2(y, x));
        return (deg + 360) % 360;
    }

    private final class Truck {
        private final String id;
        private final double[][] route;
        private int next = 1;
        private double lat;
        private double lon;
        private double speedKmh;
        private double cruiseKmh;
        private double headingDeg;
        private double odometerKm;
        private double waitSeconds;
        private long seq;

        Truck(String id, double[][] route) {
            this.id = id;
            this.route = route;
            this.lat = route[0][0];
            this.lon = route[0][1];
            this.cruiseKmh = 40 + random.nextDouble() * 40;
            this.headingDeg = bearingDeg(lat, lon, route[1][0], route[1][1]);
        }

        void drive(double seconds) {
            double remaining = seconds;
            while (remaining > 1e-9) {
                if (waitSeconds > 0) { // unloading at a stop
                    double wait = Math.min(waitSeconds, remaining);
                    waitSeconds -= wait;
                    remaining -= wait;
                    speedKmh = 0;
                    continue;
                }
                double[] target = route[next];
                double toGoKm = distanceKm(lat, lon, target[0], target[1]);
                // Slow down over the last kilometre, never below a crawl; drift the cruising speed a little.
                cruiseKmh = Math.max(30, Math.min(90, cruiseKmh + (random.nextDouble() - 0.5) * 4));
                speedKmh = toGoKm < 1 ? Math.max(10, cruiseKmh * toGoKm) : cruiseKmh;
                double stepKm = speedKmh * remaining / 3600;
                if (stepKm >= toGoKm) {
                    remaining -= toGoKm / speedKmh * 3600;
                    odometerKm += toGoKm;
                    lat = target[0];
                    lon = target[1];
                    next = (next + 1) % route.length;
                    headingDeg = bearingDeg(lat, lon, route[next][0], route[next][1]);
                    waitSeconds = 30 + random.nextInt(90);
                } else {
                    double fraction = stepKm / toGoKm;
                    headingDeg = bearingDeg(lat, lon, target[0], target[1]);
                    lat += (target[0] - lat) * fraction;
                    lon += (target[1] - lon) * fraction;
                    odometerKm += stepKm;
                    remaining = 0;
                }
            }
        }

        TruckPosition position(String run, long nowMillis) {
            seq++;
            return new TruckPosition(id, run, seq, nowMillis, round(lat, 6), round(lon, 6), round(speedKmh, 1),
                    round(headingDeg, 1) % 360, round(odometerKm, 3));
        }
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
