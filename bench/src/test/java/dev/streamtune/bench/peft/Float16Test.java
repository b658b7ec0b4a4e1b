package dev.streamtune.bench.peft;

import dev.streamtune.model.peft.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Float16Test {

    @Test
    void representableValuesRoundTripExactly() {
        for (float value : new float[] {0f, -0f, 1f, -2.25f, 0.5f, 65504f, 0x1p-14f, 0x1p-24f, 3 * 0x1p-24f, 1025f}) {
            assertThat(Float16.toFloat(Float16.fromFloat(value))).as("%s", value).isEqualTo(value);
        }
        assertThat(Float16.fromFloat(1f)).isEqualTo((short) 0x3c00);
        assertThat(Float16.fromFloat(-2f)).isEqualTo((short) 0xc000);
        assertThat(Float16.fromFloat(65504f)).isEqualTo((short) 0x7bff);
    }

    @Test
    void roundsToNearestEvenWithinHalfAUnitInTheLastPlace() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            float value = (float) ((random.nextDouble() * 2 - 1) * Math.pow(2, random.nextInt(-14, 15)));
            float back = Float16.toFloat(Float16.fromFloat(value));
            // relative to the value in the normal range, half the smallest subnormal below it
            assertThat(Math.abs(back - value)).as("%s -> %s", value, back)
                    .isLessThanOrEqualTo(Math.max(Math.abs(value) * 0x1p-11f, 0x1p-25f));
        }
        // 1 + 2^-11 is exactly half-way between 1 and the next half (1 + 2^-10): ties go to the even 1
        assertThat(Float16.toFloat(Float16.fromFloat(1f + 0x1p-11f))).isEqualTo(1f);
        assertThat(Float16.toFloat(Float16.fromFloat(1f + 3 * 0x1p-11f))).isEqualTo(1f + 2 * 0x1p-10f);
    }

    @Test
    void overflowUnderflowAndNaN() {
        assertThat(Float16.toFloat(Float16.fromFloat(70_000f))).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Float16.toFloat(Float16.fromFloat(Float.NEGATIVE_INFINITY))).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Float16.toFloat(Float16.fromFloat(1e-9f))).isEqualTo(0f);
        assertThat(Float16.toFloat(Float16.fromFloat(Float.NaN))).isNaN();
        // the largest value below the half-precision maximum's rounding boundary stays finite
        assertThat(Float16.toFloat(Float16.fromFloat(65519f))).isEqualTo(65504f);
    }
}
