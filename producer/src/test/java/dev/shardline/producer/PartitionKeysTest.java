package dev.shardline.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class PartitionKeysTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void takesTheKeyFromATopLevelField() {
        Function<byte[], String> key = PartitionKeys.fromJsonField("truck");
        assertThat(key.apply(b("{\"pos\":{\"truck\":\"inner\"},\"truck\":\"T-17\",\"x\":1}"))).isEqualTo("T-17");
        assertThat(key.apply(b("{\"truck\": 42}"))).isEqualTo("42");
        assertThatThrownBy(() -> key.apply(b("{\"other\":1}"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("truck");
        assertThatThrownBy(() -> key.apply(b("[1,2]"))).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> key.apply(b("{\"truck\":null}"))).hasMessageContaining("truck");
        assertThatThrownBy(() -> key.apply(b("{\"truck\":"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void randomKeysDiffer() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String k = PartitionKeys.random();
            assertThat(k.length()).isBetween(2, 32);
            keys.add(k);
        }
        assertThat(keys).hasSize(1000);
    }
}
