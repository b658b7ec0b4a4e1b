package dev.streamtune.evaluator.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.avro.Split;
import org.junit.jupiter.api.Test;

class HeldOutSetsTest {

    @Test
    void eachTasksSplitKeepsItsNewestItemsUpToTheBound() {
        HeldOutSets<String> sets = new HeldOutSets<>(3);
        for (int i = 0; i < 5; i++) {
            sets.put("spam", Split.VALIDATION, "v" + i, "text " + i);
        }
        sets.put("spam", Split.TEST, "t0", "test 0");
        sets.put("other", Split.VALIDATION, "o0", "other 0");

        assertThat(sets.items("spam", Split.VALIDATION)).containsExactly("text 2", "text 3", "text 4");
        assertThat(sets.items("spam", Split.TEST)).containsExactly("test 0");
        assertThat(sets.items("other", Split.VALIDATION)).containsExactly("other 0");
    }

    @Test
    void aCorrectionKeepsItsPlaceAndDoesNotEvict() {
        HeldOutSets<String> sets = new HeldOutSets<>(2);
        sets.put("spam", Split.VALIDATION, "a", "first a");
        sets.put("spam", Split.VALIDATION, "b", "b");
        sets.put("spam", Split.VALIDATION, "a", "corrected a");

        assertThat(sets.items("spam", Split.VALIDATION)).containsExactly("corrected a", "b");
    }

    @Test
    void aBoundBelowOneIsRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new HeldOutSets<String>(0)).hasMessage("maxHeldOut must be >= 1, got 0");
    }
}
