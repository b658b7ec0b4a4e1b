package dev.streamtune.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.model.technique.DeterministicRandom;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClassBalancedReplayBufferTest {

    private static TrainingExample example(int label, int serial) {
        return new TrainingExample(new float[] {serial}, label, 1f);
    }

    @Test
    void staysBoundedPerClassAndDrawsClassesEvenlyFromAnImbalancedStream() {
        ClassBalancedReplayBuffer buffer = new ClassBalancedReplayBuffer(50);
        DeterministicRandom rng = new DeterministicRandom(1);
        for (int i = 0; i < 5_000; i++) {
            buffer.offer(example(0, i), rng);
            if (i % 100 == 0) {
                buffer.offer(example(1, i), rng);
            }
            if (i % 1_000 == 0) {
                buffer.offer(example(2, i), rng);
            }
        }

        assertThat(buffer.sizeOf(0)).isEqualTo(50);
        assertThat(buffer.sizeOf(1)).isEqualTo(50);
        assertThat(buffer.sizeOf(2)).isEqualTo(5);
        assertThat(buffer.size()).isEqualTo(105);
        assertThat(buffer.seenOf(0)).isEqualTo(5_000);

        List<TrainingExample> drawn = buffer.sample(3_000, rng);
        long[] perClass = new long[3];
        drawn.forEach(e -> perClass[e.labelIndex()]++);
        assertThat(perClass).containsExactly(1_000, 1_000, 1_000);
    }

    @Test
    void reservoirIsAUniformSampleOfTheWholeStream() {
        ClassBalancedReplayBuffer buffer = new ClassBalancedReplayBuffer(200);
        DeterministicRandom rng = new DeterministicRandom(2);
        for (int i = 0; i < 20_000; i++) {
            buffer.offer(example(0, i), rng);
        }
        double meanSerial = buffer.sample(200, new DeterministicRandom(3)).stream()
                .mapToDouble(e -> e.features()[0]).average().orElseThrow();
        // a buffer that kept only the latest examples would average about 19,900
        assertThat(meanSerial).isBetween(8_500.0, 11_500.0);
    }

    @Test
    void sameSeedSameContentsAndRestoreContinuesIdentically() {
        ClassBalancedReplayBuffer first = new ClassBalancedReplayBuffer(10);
        ClassBalancedReplayBuffer second = new ClassBalancedReplayBuffer(10);
        DeterministicRandom rngA = new DeterministicRandom(4);
        DeterministicRandom rngB = new DeterministicRandom(4);
        for (int i = 0; i < 500; i++) {
            first.offer(example(i % 3, i), rngA);
            second.offer(example(i % 3, i), rngB);
        }
        assertThat(first.state()).isEqualTo(second.state());

        ClassBalancedReplayBuffer restored = ClassBalancedReplayBuffer.restore(10, first.state());
        DeterministicRandom rngC = new DeterministicRandom(rngA.state());
        for (int i = 500; i < 700; i++) {
            first.offer(example(i % 3, i), rngA);
            restored.offer(example(i % 3, i), rngC);
        }
        assertThat(restored.state()).isEqualTo(first.state());
        assertThat(restored.sample(20, rngC)).isEqualTo(first.sample(20, rngA));
    }

    @Test
    void emptyOrZeroCapacityBufferDrawsNothing() {
        ClassBalancedReplayBuffer none = new ClassBalancedReplayBuffer(0);
        none.offer(example(0, 1), new DeterministicRandom(1));
        assertThat(none.size()).isZero();
        assertThat(none.sample(5, new DeterministicRandom(1))).isEmpty();
    }
}
