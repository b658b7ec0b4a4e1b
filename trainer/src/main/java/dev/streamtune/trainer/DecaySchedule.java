package dev.streamtune.trainer;

/** How the learning rate falls after warm-up. */
public enum DecaySchedule {
    /** Straight line from the peak to {@code minLearningRateRatio * peak}. */
    LINEAR,
    /** Half a cosine from the peak to {@code minLearningRateRatio * peak}. */
    COSINE,
    /** Stays at the peak (a stream with no end may want this). */
    CONSTANT
}
