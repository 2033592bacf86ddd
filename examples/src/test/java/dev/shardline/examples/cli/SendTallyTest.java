package dev.shardline.examples.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SendTallyTest {
    @Test
    void countsOutcomesAndKeepsTheFirstFailureOnOneLine() throws Exception {
        SendTally tally = new SendTally();
        tally.onSent();
        tally.onSent();
        tally.onSent();
        tally.onAcknowledged();
        assertThat(tally.onFailed(new CompletionException(new IllegalStateException("stream gone\nreally")))).isEqualTo(1);
        assertThat(tally.awaitOutcomes(Duration.ofMillis(50))).as("one outcome is still missing").isFalse();
        assertThat(tally.onFailed(new IllegalArgumentException("second"))).isEqualTo(2);
        assertThat(tally.awaitOutcomes(Duration.ofSeconds(1))).isTrue();
        assertThat(tally.sent()).isEqualTo(3);
        assertThat(tally.acknowledged()).isEqualTo(1);
        assertThat(tally.failed()).isEqualTo(2);
        assertThat(tally.firstFailure()).isEqualTo("stream gone really");
    }

    @Test
    void waitsForOutcomesThatArriveLater() throws Exception {
        SendTally tally = new SendTally();
        tally.onSent();
        Thread late = new Thread(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            tally.onAcknowledged();
        });
        late.start();
        assertThat(tally.awaitOutcomes(Duration.ofSeconds(5))).isTrue();
        assertThat(tally.acknowledged()).isEqualTo(1);
        late.join();
    }
}
