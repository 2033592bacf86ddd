package dev.shardline.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class ProgressLineTest {
    @Test
    @SuppressWarnings("try") // the progress line is only closed
    void plainLinesWhenNotATerminal() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicInteger n = new AtomicInteger();
        try (ProgressLine progress = ProgressLine.start(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                () -> "records=" + n.incrementAndGet(), false, Duration.ofMillis(20))) {
            while (n.get() < 3) {
                Thread.sleep(5);
            }
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("\r").startsWith("records=1\nrecords=2\nrecords=3\n").endsWith("\n");
    }

    @Test
    void oneRewrittenLineOnATerminal() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicInteger n = new AtomicInteger(10);
        try (ProgressLine progress = ProgressLine.start(new PrintStream(bytes, true, StandardCharsets.UTF_8),
                () -> n.get() > 10 ? "x" : "records=" + n.incrementAndGet(), true, Duration.ofMillis(20))) {
            assertThat(progress.live()).isTrue();
            while (n.get() < 11) {
                Thread.sleep(5);
            }
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        // The shorter last status blanks out what is left of the longer one before it.
        assertThat(out).startsWith("\rrecords=11").contains("\rx         ").endsWith("\n");
        assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
    }
}
