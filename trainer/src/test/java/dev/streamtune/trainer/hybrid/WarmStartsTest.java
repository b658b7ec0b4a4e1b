package dev.streamtune.trainer.hybrid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WarmStartsTest {

    @Test
    void aRoundKeepsOnlyTheConfigurationsItFittedAndRefitsBetweenRoundsKeepTheRest() {
        WarmStarts warm = new WarmStarts();
        warm.beginRound();
        warm.put("both|0.5|true", new float[] {1});
        warm.put("both|4|true", new float[] {2});
        warm.put("lexical|4|true", new float[] {3});
        warm.endRound();
        assertThat(warm.keys()).containsExactlyInAnyOrder("both|0.5|true", "both|4|true", "lexical|4|true");

        warm.put("both|4|true", new float[] {4}); // a refit between rounds: updates, drops nothing
        assertThat(warm.keys()).hasSize(3);
        assertThat(warm.get("both|4|true")).containsExactly(4);

        warm.beginRound();
        warm.put("both|4|true", new float[] {5});
        warm.put("both|16|true", new float[] {6});
        warm.endRound();
        assertThat(warm.keys()).containsExactlyInAnyOrder("both|4|true", "both|16|true");
        assertThat(warm.get("both|0.5|true")).isNull();

        warm.clear();
        assertThat(warm.keys()).isEmpty();
    }
}
