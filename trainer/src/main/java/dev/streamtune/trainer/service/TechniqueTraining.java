package dev.streamtune.trainer.service;

import dev.streamtune.avro.TaskSpec;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.hybrid.HybridTechnique;
import dev.streamtune.model.peft.SourcePrompts;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.trainer.StreamingTrainer;
import dev.streamtune.trainer.TrainerState;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the trainer service does differently per technique, in one place per technique: which input
 * it reads, how its settings are checked and turned into a trainer's config, how a trainer is made
 * or restored, how often it rehearses and which source tasks it waits for. {@link #of} is the one
 * place that picks the strategy: the head on pooled features ({@link HeadTraining}), the encoder
 * techniques through the frozen encoder ({@link EncoderTraining}), the hybrid refit
 * ({@link HybridTraining}).
 */
interface TechniqueTraining {
    /** TaskSpec setting: rehearsal steps on the replay buffer after each micro-batch (0 turns rehearsal off). */
    String REHEARSAL_STEPS = TrainerService.REHEARSAL_STEPS;
    int MAX_REHEARSAL_STEPS = 64;

    /** Makes the deserializers the input needs (the shell owns the registry client). */
    interface Deserializers {
        <T> AvroDeserializer<T> of(Class<T> type);
    }

    /** The technique's id, as the task declares it. */
    String id();

    /** Where the task's train examples come from, decoded; {@code trainer} is the current trainer (may tokenize). */
    TrainingInput input(TrainerServiceConfig config, Deserializers deserializers, Supplier<StreamingTrainer> trainer);

    /** Rehearsal steps per micro-batch unless the task's {@value #REHEARSAL_STEPS} setting says otherwise. */
    int defaultRehearsalSteps();

    /** A trainer that starts fresh with {@code labels}. */
    StreamingTrainer create(List<String> labels);

    /** A trainer that continues {@code state}. */
    StreamingTrainer restore(TrainerState state);

    /** The source tasks whose promoted versions it needs before it can train (ATTEMPT); empty for the others. */
    default List<String> sourceTasks() {
        return List.of();
    }

    /** The technique spec the source versions must match (ATTEMPT's); only called when {@link #sourceTasks} is set. */
    default TechniqueSpec spec() {
        throw new UnsupportedOperationException(id() + " needs no source prompts");
    }

    /** This strategy with the source prompts its trainers mix; only called when {@link #sourceTasks} is set. */
    default TechniqueTraining withSourcePrompts(SourcePrompts prompts) {
        throw new UnsupportedOperationException(id() + " needs no source prompts");
    }

    /** The source prompts its trainers mix, named {@code task@vN}; empty for techniques without sources. */
    default Optional<SourcePrompts> sourcePrompts() {
        return Optional.empty();
    }

    /**
     * The strategy for the technique {@code spec} declares, its settings checked (ranges, the head,
     * the grid) before anything is loaded; a bad setting throws IllegalStateException naming the task
     * and the setting.
     */
    static TechniqueTraining of(TaskSpec spec, TrainerServiceConfig config, Backbone backbone) {
        Technique technique;
        try {
            technique = Techniques.byId(spec.getTechnique().toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("task '" + config.task() + "': " + e.getMessage(), e);
        }
        if (!spec.getBackbone().toString().equalsIgnoreCase(config.backboneId())) {
            throw new IllegalStateException("task '" + config.task() + "' is declared on backbone '"
                    + spec.getBackbone() + "', but this trainer is configured for backbone '" + config.backboneId()
                    + "' (set backboneId to match)");
        }
        if (spec.getLabelSetClosed() && spec.getLabels().isEmpty()) {
            throw new IllegalStateException("task '" + config.task() + "' has a closed label set with no labels");
        }
        try {
            if (HybridTechnique.ID.equals(technique.id())) {
                return HybridTraining.of(spec, technique, backbone);
            }
            return switch (technique.inputKind()) {
                case POOLED_FEATURES -> HeadTraining.of(spec, config, backbone);
                case TOKEN_IDS -> EncoderTraining.of(spec, technique, config, backbone);
            };
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("task '" + config.task() + "': " + e.getMessage(), e);
        }
    }

    /** The task's settings as strings. */
    static Map<String, String> settings(TaskSpec spec) {
        Map<String, String> settings = new HashMap<>();
        spec.getSettings().forEach((k, v) -> settings.put(k.toString(), v.toString()));
        return settings;
    }

    /** The task's {@value #REHEARSAL_STEPS} setting, else {@code dflt}; checked to lie in [0, 64]. */
    static int rehearsalSteps(TaskSpec spec, String task, int dflt) {
        int steps = TechniqueSettings.intSetting(settings(spec), REHEARSAL_STEPS, dflt);
        if (steps < 0 || steps > MAX_REHEARSAL_STEPS) {
            throw new IllegalStateException("task '" + task + "': setting '" + REHEARSAL_STEPS
                    + "' must be between 0 and " + MAX_REHEARSAL_STEPS + ", got " + steps);
        }
        return steps;
    }

    /** The task's {@value TrainerService#CLASS_WEIGHTING} setting (true|false), else the config's. */
    static boolean classWeighting(Map<String, String> settings, TrainerServiceConfig config) {
        String setting = settings.get(TrainerService.CLASS_WEIGHTING);
        if (setting == null) {
            return config.classWeighting();
        }
        if (!setting.trim().equalsIgnoreCase("true") && !setting.trim().equalsIgnoreCase("false")) {
            throw new IllegalStateException("task '" + config.task() + "': setting '" + TrainerService.CLASS_WEIGHTING
                    + "' must be true or false, got '" + setting + "'");
        }
        return Boolean.parseBoolean(setting.trim());
    }
}
