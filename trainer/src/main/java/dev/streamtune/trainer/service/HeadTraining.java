package dev.streamtune.trainer.service;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.head.HeadKind;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.technique.HeadOnlyTechnique;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.trainer.HeadConfig;
import dev.streamtune.trainer.HeadTrainer;
import dev.streamtune.trainer.OptimizerConfig;
import dev.streamtune.trainer.StreamingTrainer;
import dev.streamtune.trainer.TrainerConfig;
import dev.streamtune.trainer.TrainerState;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Head-only: a head trained with {@link HeadTrainer} on the pooled features of
 * {@code features.<backbone>}; the task's {@code head}, {@code hidden}, {@code dropout}, {@code lr}
 * and {@code class_weighting} settings override the config's.
 */
record HeadTraining(TrainerConfig trainerConfig) implements TechniqueTraining {

    static HeadTraining of(TaskSpec spec, TrainerServiceConfig config, Backbone backbone) {
        return new HeadTraining(trainerConfig(spec, config, backbone.hiddenSize()));
    }

    /** The head's config for {@code spec} on features {@code width} wide. */
    static TrainerConfig trainerConfig(TaskSpec spec, TrainerServiceConfig config, int width) {
        Map<String, String> settings = TechniqueTraining.settings(spec);
        HeadConfig head = config.head();
        if (settings.containsKey(TechniqueSettings.HEAD)) {
            HeadSpec headSpec = TechniqueSettings.fromSettings(HeadOnlyTechnique.ID, width, settings).head();
            head = headSpec.kind() == HeadKind.LINEAR ? HeadConfig.linear()
                    : HeadConfig.mlp(headSpec.hiddenSize(), headSpec.dropout());
        }
        OptimizerConfig optimizer = config.optimizer();
        if (settings.containsKey("lr")) {
            optimizer = optimizer.withLearningRate(TechniqueSettings.floatSetting(settings, "lr", optimizer.learningRate()));
        }
        return new TrainerConfig(HeadOnlyTechnique.ID, width, head, optimizer, config.replayFraction(),
                config.replayCapacityPerClass(), TechniqueTraining.classWeighting(settings, config), config.seed(),
                config.device());
    }

    @Override
    public String id() {
        return HeadOnlyTechnique.ID;
    }

    @Override
    public TrainingInput input(TrainerServiceConfig config, Deserializers deserializers,
            Supplier<StreamingTrainer> trainer) {
        return new TrainingInput.Features(config.topics().features(config.backboneId()),
                deserializers.of(FeatureVector.class), trainerConfig.inputDim());
    }

    /**
     * Each example is seen once as new data; two rehearsal steps per micro-batch give the head
     * the extra passes a batch learner takes, at a cost that is small next to the featurizer's.
     */
    @Override
    public int defaultRehearsalSteps() {
        return TrainerService.DEFAULT_REHEARSAL_STEPS;
    }

    @Override
    public StreamingTrainer create(List<String> labels) {
        return HeadTrainer.create(trainerConfig, labels);
    }

    @Override
    public StreamingTrainer restore(TrainerState state) {
        return HeadTrainer.restore(trainerConfig, state);
    }
}
