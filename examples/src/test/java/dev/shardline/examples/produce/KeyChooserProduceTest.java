package dev.shardline.examples.produce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --key-field} streams through each line: the same keys and refusals as reading the line into a tree. */
class KeyChooserProduceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void takesTheSameKeyATreeWould() throws Exception {
        KeyChooser chooser = KeyChooser.field("k");
        List<String> lines = List.of(
                "{\"k\":\"truck-7\",\"speed\":61.5}",
                "{\"a\":{\"k\":\"inner\",\"x\":[1,{\"k\":2}]},\"k\":\"outer\"}",
                "{\"k\":42}",
                "{\"k\":-0}",
                "{\"k\":123456789012345678901234567890}",
                "{\"k\":1.50}",
                "{\"k\":1e3}",
                "{\"k\":true}",
                "{\"k\":\"first\",\"k\":\"last\"}",
                "{\"k\":\"caf\\u00e9 \\\"q\\\"\"}");
        for (String line : lines) {
            assertThat(chooser.keyFor(line)).as(line).isEqualTo(JSON.readTree(line).get("k").asText());
        }
    }

    @Test
    void refusesWhatATreeRefused() {
        KeyChooser chooser = KeyChooser.field("k");
        for (String notJson : List.of("hello", "{\"k\":\"a\",", "{\"k\":\"a\" \"b\":1}")) {
            assertThatThrownBy(() -> chooser.keyFor(notJson)).as(notJson)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a JSON object");
        }
        for (String noKey : List.of("", "[1,2]", "\"k\"", "{\"x\":1}", "{\"k\":null}", "{\"k\":{\"a\":1}}",
                "{\"k\":[1]}", "{\"k\":\"a\",\"k\":null}")) {
            assertThatThrownBy(() -> chooser.keyFor(noKey)).as(noKey)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no field 'k'");
        }
        assertThatThrownBy(() -> chooser.keyFor("{\"k\":\"\"}")).hasMessageContaining("is empty");
    }
}
