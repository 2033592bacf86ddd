package dev.shardline.local;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * One shape of the Kinesis API model as far as request checking needs it: its JSON type and its constraints
 * (length or value bounds, pattern, enum), and for structures their members in the model's order, which is the
 * order the service reports violations in. Immutable; built with the fluent methods below.
 */
final class Shape {
    enum Kind { STRING, INTEGER, BOOLEAN, TIMESTAMP, BLOB, LIST, MAP, STRUCTURE }

    /** A member of a structure. */
    record Member(String name, Shape shape, boolean required) {
    }

    final Kind kind;
    final Long min;
    final Long max;
    final Pattern pattern;
    final List<String> enumValues;
    /** LIST: the element; MAP: the value. */
    final Shape element;
    /** MAP: the key. */
    final Shape key;
    final Map<String, Member> members;

    private Shape(Kind kind, Long min, Long max, Pattern pattern, List<String> enumValues, Shape element, Shape key,
            Map<String, Member> members) {
        this.kind = kind;
        this.min = min;
        this.max = max;
        this.pattern = pattern;
        this.enumValues = enumValues;
        this.element = element;
        this.key = key;
        this.members = members;
    }

    static Shape of(Kind kind) {
        return new Shape(kind, null, null, null, null, null, null, Map.of());
    }

    static Shape string() {
        return of(Kind.STRING);
    }

    static Shape integer() {
        return of(Kind.INTEGER);
    }

    static Shape list(Shape element) {
        return new Shape(Kind.LIST, null, null, null, null, element, null, Map.of());
    }

    static Shape map(Shape key, Shape value) {
        return new Shape(Kind.MAP, null, null, null, null, value, key, Map.of());
    }

    static Shape structure() {
        return new Shape(Kind.STRUCTURE, null, null, null, null, null, null, Map.of());
    }

    /** Length bounds (strings, blobs, lists, maps) or value bounds (numbers); null for none. */
    Shape range(Long min, Long max) {
        return new Shape(kind, min, max, pattern, enumValues, element, key, members);
    }

    Shape range(long min, long max) {
        return range(Long.valueOf(min), Long.valueOf(max));
    }

    Shape pattern(String regex) {
        return new Shape(kind, min, max, Pattern.compile(regex), enumValues, element, key, members);
    }

    Shape enumOf(String... values) {
        return new Shape(kind, min, max, pattern, List.of(values), element, key, members);
    }

    Shape member(String name, Shape shape) {
        return with(new Member(name, shape, false));
    }

    Shape required(String name, Shape shape) {
        return with(new Member(name, shape, true));
    }

    private Shape with(Member member) {
        Map<String, Member> more = new LinkedHashMap<>(members);
        more.put(member.name(), member);
        return new Shape(kind, min, max, pattern, enumValues, element, key, java.util.Collections.unmodifiableMap(more));
    }
}
