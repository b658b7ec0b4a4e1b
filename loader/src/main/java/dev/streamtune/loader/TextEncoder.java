package dev.streamtune.loader;

/** Turns a text into the pooled embedding of a frozen backbone: what a head-only model is fed. */
@FunctionalInterface
public interface TextEncoder {
    float[] encode(String text);
}
