package dev.shardline.examples.produce;

import com.fasterxml.jackson.databind.JsonNode;
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

        @Override
        public String keyFor(String line) {
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (IOException e) {
                throw new IllegalArgumentException("not a JSON object, so no field '" + name + "' to key it by");
            }
            JsonNode value = node == null || !node.isObject() ? null : node.get(name);
            if (value == null || value.isNull() || value.isContainerNode()) {
                throw new IllegalArgumentException("no field '" + name + "' with a text or number value");
            }
            String key = value.asText();
            if (key.isEmpty()) {
                throw new IllegalArgumentException("field '" + name + "' is empty; a partition key needs 1 to 256"
                        + " characters");
            }
            return key;
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
