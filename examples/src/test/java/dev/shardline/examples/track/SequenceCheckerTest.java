package dev.shardline.examples.track;

import static dev.shardline.examples.track.SequenceChecker.Outcome.DUPLICATE;
import static dev.shardline.examples.track.SequenceChecker.Outcome.GAP;
import static dev.shardline.examples.track.SequenceChecker.Outcome.IN_ORDER;
import static dev.shardline.examples.track.SequenceChecker.Outcome.OUT_OF_ORDER;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class SequenceCheckerTest {
    @Test
    void classifiesEachArrival() {
        SequenceChecker checker = new SequenceChecker();
        assertThat(checker.observe("a", 5)).isEqualTo(IN_ORDER); // baseline: a checkpoint restart starts anywhere
        assertThat(checker.observe("a", 6)).isEqualTo(IN_ORDER);
        assertThat(checker.observe("a", 9)).isEqualTo(GAP);
        assertThat(checker.missing()).isEqualTo(2);
        assertThat(checker.observe("a", 7)).isEqualTo(OUT_OF_ORDER);
        assertThat(checker.missing()).isEqualTo(1);
        assertThat(checker.observe("a", 7)).isEqualTo(DUPLICATE);
        assertThat(checker.observe("a", 9)).isEqualTo(DUPLICATE);
        assertThat(checker.observe("a", 10)).isEqualTo(IN_ORDER);
        assertThat(checker.observe("b", 1)).isEqualTo(IN_ORDER);
        assertThat(checker.observe("b", 1)).isEqualTo(DUPLICATE);

        assertThat(checker.inOrder()).isEqualTo(4);
        assertThat(checker.gaps()).isEqualTo(1);
        assertThat(checker.outOfOrder()).isEqualTo(1);
        assertThat(checker.duplicates()).isEqualTo(3);
        assertThat(checker.newest("a")).isEqualTo(10);
        assertThat(checker.newest("c")).isEqualTo(-1);
        assertThat(checker.keys()).isEqualTo(2);
    }

    @Test
    void olderThanTheBaselineIsOutOfOrderButNotMissing() {
        SequenceChecker checker = new SequenceChecker();
        checker.observe("a", 5);
        assertThat(checker.observe("a", 4)).isEqualTo(OUT_OF_ORDER);
        assertThat(checker.missing()).isZero();
    }
}
