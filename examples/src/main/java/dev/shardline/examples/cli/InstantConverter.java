package dev.shardline.examples.cli;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine;

/** ISO-8601 instants: {@code 2026-11-23T18:00:00Z} or with an offset, {@code 2026-11-23T19:00:00+01:00}. */
public final class InstantConverter implements CommandLine.ITypeConverter<Instant> {
    @Override
    public Instant convert(String value) {
        try {
            return OffsetDateTime.parse(value.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw new CommandLine.TypeConversionException("'" + value
                    + "' is not an ISO-8601 time: write it like 2026-11-23T18:00:00Z");
        }
    }
}
