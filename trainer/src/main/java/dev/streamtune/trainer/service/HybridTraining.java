package dev.streamtune.trainer.service;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.TaskSpec;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.hybrid.HybridTechnique;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.trainer.StreamingTrainer;
import dev.streamtune.trainer.TrainerState;
import dev.streamtune.trainer.hybrid.HybridTrainer;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The hybrid technique: {@link HybridTrainer} refits on every retained example (pooled features and
 * lexical terms of {@code features.<backbone>}) at each publish point; the task's
 * {@code lexical_buckets}, {@code c_grid} and {@value HybridTrainer#MAX_RETAINED} settings shape it.
 * It does not rehearse by default: a refit sees every example anyway.
 */
record HybridTraining(HybridTrainer.Config hybridConfig, int width) implements TechniqueTraining {

    static HybridTraining of(TaskSpec spec, Technique technique, Backbone backbone) {
        Map<String, String> settings = TechniqueTraining.settings(spec);
        TechniqueSpec techniqueSpec = TechniqueSettings.fromSettings(HybridTechnique.ID, backbone.hiddenSize(), settings);
        technique.tensorSpecs(techniqueSpec, Math.max(1, spec.getLabels().size()));
        HybridTechnique.cGrid(techniqueSpec);
        return new HybridTraining(new HybridTrainer.Config(techniqueSpec, TechniqueSettings.intSetting(settings,
                HybridTrainer.MAX_RETAINED, HybridTrainer.DEFAULT_MAX_RETAINED)), backbone.hiddenSize());
    }

    @Override
    public String id() {
        return HybridTechnique.ID;
    }

    @Override
    public TrainingInput input(TrainerServiceConfig config, Deserializers deserializers,
            Supplier<StreamingTrainer> trainer) {
        return new TrainingInput.Features(config.topics().features(config.backboneId()),
                deserializers.of(FeatureVector.class), width);
    }

    @Override
    public int defaultRehearsalSteps() {
        return 0;
    }

    @Override
    public StreamingTrainer create(List<String> labels) {
        return HybridTrainer.create(hybridConfig, labels);
    }

    @Override
    public StreamingTrainer restore(TrainerState state) {
        return HybridTrainer.restore(hybridConfig, state);
    }
}
