package dev.shardline.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a request body against its operation's input {@link Shape} before the operation runs, as the service
 * does: first the JSON types (a value of the wrong type is a SerializationException), then every constraint, all
 * violations reported in one ValidationException in the model's member order and the service's words ("2
 * validation errors detected: Value 'x' at 'streamName' failed to satisfy constraint: Member must ..."). So a
 * malformed request is refused before anything looks up its stream.
 */
final class RequestValidator {
    private RequestValidator() {
    }

    /** Throws SerializationException or ValidationException when the call does not fit its operation's model. */
    static void check(Call call) {
        Shape input = RequestModel.input(call.operation());
        if (input == null) {
            return;
        }
        checkTypes(input, call.body(), "", call.format());
        List<String> violations = new ArrayList<>();
        checkStructure(input, call.body(), "", violations);
        if (!violations.isEmpty()) {
            throw KinesisException.validation(violations);
        }
    }

    // ---- JSON types ----

    private static void checkTypes(Shape shape, JsonNode node, String path, WireFormat format) {
        if (node == null || node.isNull()) {
            return;
        }
        switch (shape.kind) {
            case STRING -> expect(node.isTextual(), "a string", node, path);
            case BOOLEAN -> expect(node.isBoolean(), "a boolean", node, path);
            case INTEGER -> expect(node.isIntegralNumber() && node.canConvertToInt(), "an integer", node, path);
            case TIMESTAMP -> {
                expect(node.isNumber() || node.isTextual(), "a timestamp", node, path);
                try {
                    format.parseTimestamp(node);
                } catch (RuntimeException e) {
                    throw serialization("a timestamp", node, path);
                }
            }
            case BLOB -> {
                expect(node.isBinary() || node.isTextual(), "a blob", node, path);
                try {
                    node.binaryValue();
                } catch (IOException | IllegalArgumentException e) {
                    throw new KinesisException("SerializationException", 400,
                            "Value at '" + path + "' is not valid base64: " + e.getMessage());
                }
            }
            case LIST -> {
                expect(node.isArray(), "a list", node, path);
                int i = 1;
                for (JsonNode element : node) {
                    checkTypes(shape.element, element, path + "." + i++ + ".member", format);
                }
            }
            case MAP -> {
                expect(node.isObject(), "a map", node, path);
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    checkTypes(shape.element, e.getValue(), path + "." + e.getKey(), format);
                }
            }
            case STRUCTURE -> {
                expect(node.isObject(), "a structure", node, path.isEmpty() ? "the request body" : path);
                for (Shape.Member m : shape.members.values()) {
                    checkTypes(m.shape(), node.get(m.name()), child(path, m.name()), format);
                }
            }
            default -> throw new IllegalStateException(shape.kind.name());
        }
    }

    private static void expect(boolean ok, String expected, JsonNode node, String path) {
        if (!ok) {
            throw serialization(expected, node, path);
        }
    }

    private static KinesisException serialization(String expected, JsonNode node, String path) {
        return new KinesisException("SerializationException", 400, "Expected " + expected + " at '" + path
                + "' but found " + describe(node) + ".");
    }

    private static String describe(JsonNode node) {
        if (node.isTextual()) {
            return "a string";
        }
        if (node.isBoolean()) {
            return "a boolean";
        }
        if (node.isNumber()) {
            return "the number " + node.asText();
        }
        if (node.isArray()) {
            return "a list";
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isBinary()) {
            return "a blob";
        }
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    // ---- constraints ----

    private static void checkStructure(Shape shape, JsonNode node, String path, List<String> out) {
        for (Shape.Member m : shape.members.values()) {
            JsonNode value = node.get(m.name());
            String at = child(path, m.name());
            if (value == null || value.isNull()) {
                if (m.required()) {
                    out.add("Value null at '" + at + "' failed to satisfy constraint: Member must not be null");
                }
                continue;
            }
            checkValue(m.shape(), value, at, out);
        }
    }

    private static void checkValue(Shape shape, JsonNode value, String at, List<String> out) {
        switch (shape.kind) {
            case STRING -> {
                String text = value.asText();
                List<String> failed = stringViolations(shape, text);
                for (String f : failed) {
                    out.add("Value '" + text + "' at '" + at + "' failed to satisfy constraint: " + f);
                }
            }
            case INTEGER -> {
                long v = value.longValue();
                if (shape.min != null && v < shape.min) {
                    out.add("Value '" + v + "' at '" + at + "' failed to satisfy constraint: Member must have value "
                            + "greater than or equal to " + shape.min);
                }
                if (shape.max != null && v > shape.max) {
                    out.add("Value '" + v + "' at '" + at + "' failed to satisfy constraint: Member must have value "
                            + "less than or equal to " + shape.max);
                }
            }
            case BLOB -> {
                // Decoding base64 again only when the shape bounds the length (record data is bounded per stream).
                if (shape.min != null || shape.max != null) {
                    lengthViolations(shape, blobLength(value)).forEach(f ->
                            out.add("Value at '" + at + "' failed to satisfy constraint: " + f));
                }
            }
            case LIST -> {
                lengthViolations(shape, value.size()).forEach(f ->
                        out.add("Value '" + listText(value) + "' at '" + at + "' failed to satisfy constraint: " + f));
                int i = 1;
                for (JsonNode element : value) {
                    String elementAt = at + "." + i++ + ".member";
                    if (element == null || element.isNull()) {
                        out.add("Value null at '" + elementAt + "' failed to satisfy constraint: Member must not be "
                                + "null");
                    } else {
                        checkValue(shape.element, element, elementAt, out);
                    }
                }
            }
            case MAP -> {
                lengthViolations(shape, value.size()).forEach(f ->
                        out.add("Value '" + mapText(value) + "' at '" + at + "' failed to satisfy constraint: " + f));
                List<String> keyFailures = new ArrayList<>();
                List<String> valueFailures = new ArrayList<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                    Map.Entry<String, JsonNode> e = it.next();
                    addNew(keyFailures, stringViolations(shape.key, e.getKey()));
                    if (e.getValue() == null || e.getValue().isNull()) {
                        addNew(valueFailures, List.of("Member must not be null"));
                    } else {
                        addNew(valueFailures, stringViolations(shape.element, e.getValue().asText()));
                    }
                }
                if (!keyFailures.isEmpty()) {
                    out.add("Value '" + mapText(value) + "' at '" + at + "' failed to satisfy constraint: Map keys "
                            + "must satisfy constraint: [" + String.join(", ", keyFailures) + "]");
                }
                if (!valueFailures.isEmpty()) {
                    out.add("Value '" + mapText(value) + "' at '" + at + "' failed to satisfy constraint: Map value "
                            + "must satisfy constraint: [" + String.join(", ", valueFailures) + "]");
                }
            }
            case STRUCTURE -> checkStructure(shape, value, at, out);
            default -> {
            }
        }
    }

    private static void addNew(List<String> into, List<String> failures) {
        for (String f : failures) {
            if (!into.contains(f)) {
                into.add(f);
            }
        }
    }

    /** A string's violations in the service's order: enum, pattern, then length. */
    private static List<String> stringViolations(Shape shape, String text) {
        List<String> out = new ArrayList<>(2);
        if (shape.enumValues != null && !shape.enumValues.contains(text)) {
            out.add("Member must satisfy enum value set: " + shape.enumValues);
        }
        if (shape.pattern != null && !shape.pattern.matcher(text).matches()) {
            out.add("Member must satisfy regular expression pattern: " + shape.pattern.pattern());
        }
        out.addAll(lengthViolations(shape, text.codePointCount(0, text.length())));
        return out;
    }

    private static List<String> lengthViolations(Shape shape, long length) {
        List<String> out = new ArrayList<>(1);
        if (shape.min != null && length < shape.min) {
            out.add("Member must have length greater than or equal to " + shape.min);
        }
        if (shape.max != null && length > shape.max) {
            out.add("Member must have length less than or equal to " + shape.max);
        }
        return out;
    }

    private static int blobLength(JsonNode value) {
        try {
            byte[] bytes = value.binaryValue();
            return bytes == null ? 0 : bytes.length;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String listText(JsonNode list) {
        List<String> items = new ArrayList<>();
        list.forEach(n -> items.add(n.isTextual() ? n.asText() : n.isObject() ? "{...}" : n.toString()));
        return items.toString();
    }

    private static String mapText(JsonNode map) {
        StringBuilder sb = new StringBuilder("{");
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            sb.append(e.getKey()).append('=').append(e.getValue().asText());
            if (it.hasNext()) {
                sb.append(", ");
            }
        }
        return sb.append('}').toString();
    }

    private static String child(String path, String member) {
        String name = Call.lowerFirst(member);
        return path.isEmpty() ? name : path + "." + name;
    }
}
