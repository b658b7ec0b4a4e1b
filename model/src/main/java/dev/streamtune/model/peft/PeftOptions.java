package dev.streamtune.model.peft;

import dev.streamtune.model.technique.TechniqueSpec;

/**
 * Reads a technique's settings from {@link TechniqueSpec#options()} (strings, as they travel in a
 * model version's provenance) with a default and a range, failing with the option's name and limits.
 */
public final class PeftOptions {
    /** Longest input, special tokens included, unless {@code max_tokens} says otherwise. */
    public static final int DEFAULT_MAX_TOKENS = 128;
    public static final String MAX_TOKENS = "max_tokens";

    private PeftOptions() {
    }

    static int intOption(TechniqueSpec spec, String name, int defaultValue, int min, int max) {
        String text = spec.options().get(name);
        if (text == null) {
            return defaultValue;
        }
        int value;
        try {
            value = Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("technique '" + spec.techniqueId() + "' option '" + name
                    + "' must be an integer in [" + min + ", " + max + "], got '" + text + "'");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException("technique '" + spec.techniqueId() + "' option '" + name
                    + "' must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    static float floatOption(TechniqueSpec spec, String name, float defaultValue, float min, float max) {
        String text = spec.options().get(name);
        if (text == null) {
            return defaultValue;
        }
        float value;
        try {
            value = Float.parseFloat(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("technique '" + spec.techniqueId() + "' option '" + name
                    + "' must be a number in [" + min + ", " + max + "], got '" + text + "'");
        }
        if (!(value >= min && value <= max)) {
            throw new IllegalArgumentException("technique '" + spec.techniqueId() + "' option '" + name
                    + "' must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }
}
