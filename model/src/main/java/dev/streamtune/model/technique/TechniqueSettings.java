package dev.streamtune.model.technique;

import dev.streamtune.model.head.HeadKind;
import dev.streamtune.model.head.HeadSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one mapping between a flat string map (a task's {@code settings}, a model version's
 * {@code hyperparameters}) and a {@link TechniqueSpec}. The trainer writes versions with
 * {@link #toSettings}; the evaluator and subscribers read them back with {@link #fromSettings},
 * so both sides agree by construction.
 *
 * <p>Keys: {@code head} (linear or mlp, default linear), {@code hidden} (MLP width, default 256),
 * {@code dropout} (MLP dropout, default 0.1); every other key is passed to the technique as an
 * option (prompt length, LoRA rank, ...) and may also carry training settings the technique ignores.
 */
public final class TechniqueSettings {
    public static final String HEAD = "head";
    public static final String HIDDEN = "hidden";
    public static final String DROPOUT = "dropout";
    public static final int DEFAULT_HIDDEN = 256;
    public static final float DEFAULT_DROPOUT = 0.1f;

    private TechniqueSettings() {}

    public static TechniqueSpec fromSettings(String techniqueId, int inputDim, Map<String, String> settings) {
        HeadKind kind = settings.containsKey(HEAD) ? HeadKind.parse(settings.get(HEAD)) : HeadKind.LINEAR;
        HeadSpec head = kind == HeadKind.LINEAR
                ? HeadSpec.linear(inputDim)
                : HeadSpec.mlp(inputDim, intSetting(settings, HIDDEN, DEFAULT_HIDDEN),
                        floatSetting(settings, DROPOUT, DEFAULT_DROPOUT));
        Map<String, String> options = new LinkedHashMap<>(settings);
        options.remove(HEAD);
        options.remove(HIDDEN);
        options.remove(DROPOUT);
        return new TechniqueSpec(techniqueId, head, options);
    }

    public static Map<String, String> toSettings(TechniqueSpec spec) {
        Map<String, String> settings = new LinkedHashMap<>(spec.options());
        settings.put(HEAD, spec.head().kind().name().toLowerCase(java.util.Locale.ROOT));
        if (spec.head().kind() == HeadKind.MLP) {
            settings.put(HIDDEN, Integer.toString(spec.head().hiddenSize()));
            settings.put(DROPOUT, Float.toString(spec.head().dropout()));
        }
        return settings;
    }

    public static int intSetting(Map<String, String> settings, String key, int dflt) {
        String v = settings.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting '" + key + "' must be a whole number, got '" + v + "'");
        }
    }

    public static float floatSetting(Map<String, String> settings, String key, float dflt) {
        String v = settings.get(key);
        if (v == null) {
            return dflt;
        }
        try {
            return Float.parseFloat(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("setting '" + key + "' must be a number, got '" + v + "'");
        }
    }
}
