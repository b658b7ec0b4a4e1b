package dev.streamtune.trainer.service;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.peft.AttemptTechnique;
import dev.streamtune.model.peft.SourcePrompts;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.trainer.EncoderTrainer;
import dev.streamtune.trainer.EncoderTrainerConfig;
import dev.streamtune.trainer.StreamingTrainer;
import dev.streamtune.trainer.TrainerState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The encoder techniques (prompt, attempt, lora, bitfit, unfreeze): {@link EncoderTrainer} through
 * the frozen encoder on the tokenized text of {@code examples.train}. Every setting but the head's
 * is passed to the technique as an option ({@code max_tokens}, {@code prompt_length},
 * {@code lora_rank}, ...); Adam runs at {@code lr} (the PEFT benchmark's rate of the technique by
 * default) for the technique's tensors and {@value TrainerService#HEAD_LR} for the head. ATTEMPT
 * names its {@value TrainerService#SOURCE_TASKS}, whose promoted prompts it mixes.
 *
 * @param sourceTasks ATTEMPT's source tasks; empty for the others
 * @param prompts the source prompts, once resolved (null before)
 */
record EncoderTraining(String id, EncoderTrainerConfig encoderConfig, Backbone backbone, String task,
        List<String> sourceTasks, SourcePrompts prompts) implements TechniqueTraining {
    private static final Logger LOG = LoggerFactory.getLogger(EncoderTraining.class);

    static EncoderTraining of(TaskSpec spec, Technique technique, TrainerServiceConfig config, Backbone backbone) {
        if (spec.getLabels().isEmpty()) {
            // the encoder is loaded and the model built once at start; declaring the labels keeps that off the
            // path of the first example (new labels may still grow an open set later)
            throw new IllegalStateException("task '" + config.task() + "' uses technique '" + technique.id()
                    + "', which needs the task's labels declared in its TaskSpec (streamtune task create --labels ...)");
        }
        Map<String, String> settings = TechniqueTraining.settings(spec);
        List<String> sources = AttemptTechnique.ID.equals(technique.id())
                ? SourcePromptResolver.sourceTasks(config.task(), settings.get(TrainerService.SOURCE_TASKS)) : List.of();
        TechniqueSpec techniqueSpec = TechniqueSettings.fromSettings(technique.id(), backbone.hiddenSize(), settings);
        // checks the technique's own options (ranges, prompt length) before anything is loaded
        technique.tensorSpecs(techniqueSpec, Math.max(1, spec.getLabels().size()));
        float learningRate = TechniqueSettings.floatSetting(settings, "lr", technique.defaultLearningRate());
        float headLearningRate = TechniqueSettings.floatSetting(settings, TrainerService.HEAD_LR,
                TrainerService.DEFAULT_HEAD_LR);
        EncoderTrainerConfig encoderConfig = new EncoderTrainerConfig(techniqueSpec, learningRate, headLearningRate,
                config.replayFraction(), config.replayCapacityPerClass(),
                TechniqueTraining.classWeighting(settings, config), config.seed(), config.device());
        return new EncoderTraining(technique.id(), encoderConfig, backbone, config.task(), sources, null);
    }

    @Override
    public TrainingInput input(TrainerServiceConfig config, Deserializers deserializers,
            Supplier<StreamingTrainer> trainer) {
        return new TrainingInput.Texts(config.topics().train(), deserializers.of(LabelledExample.class),
                text -> ((EncoderTrainer) trainer.get()).tokenize(text));
    }

    /**
     * Encoder techniques run the backbone at every step (about 6-10 examples/s per core on CPU at
     * 128 tokens), so they rehearse only when the task asks for it.
     */
    @Override
    public int defaultRehearsalSteps() {
        return TrainerService.DEFAULT_ENCODER_REHEARSAL_STEPS;
    }

    @Override
    public StreamingTrainer create(List<String> labels) {
        long start = System.nanoTime();
        return logReady(EncoderTrainer.create(encoderConfig, backbone, labels, resources()), start);
    }

    @Override
    public StreamingTrainer restore(TrainerState state) {
        long start = System.nanoTime();
        return logReady(EncoderTrainer.restore(encoderConfig, backbone, state, resources()), start);
    }

    @Override
    public TechniqueSpec spec() {
        return encoderConfig.spec();
    }

    @Override
    public TechniqueTraining withSourcePrompts(SourcePrompts sourcePrompts) {
        return new EncoderTraining(id, encoderConfig, backbone, task, sourceTasks, sourcePrompts);
    }

    @Override
    public Optional<SourcePrompts> sourcePrompts() {
        return Optional.ofNullable(prompts);
    }

    private Map<Class<?>, Object> resources() {
        return prompts == null ? Map.of() : Map.of(SourcePrompts.class, prompts);
    }

    private EncoderTrainer logReady(EncoderTrainer trainer, long startNanos) {
        LOG.info(String.format("Task '%s': %s through the frozen %s encoder (loaded in %.1f s on %s), %,d trainable"
                + " parameters (%.3f%% of the encoder's), max_tokens %d", task, id, backbone.id(),
                (System.nanoTime() - startNanos) / 1e9, TrainingCore.deviceName(trainer.device()),
                trainer.trainableParameterCount(), 100 * trainer.trainableFraction().orElse(0), trainer.maxTokens()));
        return trainer;
    }
}
