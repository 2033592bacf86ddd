package dev.shardline.examples.produce;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.UUID;

/** Picks the partition key of one input line: a field of a JSON line, a random key, or a fixed key. */
public abstract sealed class KeyChooser {
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The key for {@code line}.
     *
     * @throws IllegalArgumentException when the line has no usable key (not JSON, no such field, an empty value)
     */
    public abstract String keyFor(String line);

    public static KeyChooser field(String name) {
        return new Field(name);
    }

    public static KeyChooser random() {
        return new Random();
    }

    public static KeyChooser fixed(String key) {
        return new Fixed(key);
    }

    static final class Field extends KeyChooser {
        private final String name;

        Field(String name) {
            this.name = name;
        }

        /**
         * Streams through the line (Jackson's parser, no tree): building a tree per line only to read one field was
         * a large part of the command line's CPU per record. The whole object is still read, so a line that is not
         * valid JSON is refused as before, and the last of duplicate fields wins, as with a tree.
         */
        @Override
        public String keyFor(String line) {
            String key = null;
            boolean object;
            try (JsonParser p = JSON.getFactory().createParser(line)) {
                object = p.nextToken() == JsonToken.START_OBJECT;
                if (object) {
                    JsonToken t;
                    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                        boolean wanted = name.equals(p.currentName());
                        JsonToken value = p.nextToken();
                        if (wanted) {
                            key = scalarText(p, value);
                        }
                        p.skipChildren();
                    }
                    if (t != JsonToken.END_OBJECT) {
                        throw new IOException("unterminated object");
                    }
                }
            } catch (IOException e) {
                throw new IllegalArgumentException("not a JSON object, so no field '" + name + "' to key it by");
            }
            if (!object || key == null) {
                throw new IllegalArgumentException("no field '" + name + "' with a text or number value");
            }
            if (key.isEmpty()) {
                throw new IllegalArgumentException("field '" + name + "' is empty; a partition key needs 1 to 256"
                        + " characters");
            }
            return key;
        }

        /** The value's text as a tree node's {@code asText()} gives it; null for null, objects and arrays. */
        private static String scalarText(JsonParser p, JsonToken value) throws IOException {
            return switch (value) {
                case VALUE_STRING -> p.getText();
                case VALUE_NUMBER_INT -> p.getNumberValue().toString();
                case VALUE_NUMBER_FLOAT -> Double.toString(p.getDoubleValue());
                case VALUE_TRUE -> "true";
                case VALUE_FALSE -> "false";
                default -> null;
            };
        }
    }

    static final class Random extends KeyChooser {
        @Override
        public String keyFor(String line) {
            return UUID.randomUUID().toString();
        }
    }

    static final class Fixed extends KeyChooser {
        private final String key;

        Fixed(String key) {
            this.key = key;
        }

        @Override
        public String keyFor(String line) {
            return key;
        }
    }
}
