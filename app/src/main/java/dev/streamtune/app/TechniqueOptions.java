package dev.streamtune.app;

import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.technique.BatchInput;
import dev.streamtune.model.technique.Technique;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.trainer.service.TrainerService;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * Which technique trains a task and with which settings: shared by {@code demo} and
 * {@code task create} (and {@code produce --corpus}, which declares the corpus' task). Checked
 * here against the technique plugins, so a typo fails at the command line, not in the trainer.
 */
final class TechniqueOptions {

    @Option(names = "--technique", defaultValue = "hybrid",
            description = {"hybrid (embedding + hashed word n-grams, refitted on all retained examples, settings chosen on",
                    "the validation split), head (a streaming head on the embedding), or an encoder technique trained from",
                    "text: prompt, attempt, lora, bitfit, unfreeze (about 5-15 examples/s per CPU core at 128 tokens).",
                    "Default: ${DEFAULT-VALUE}"})
    String technique;

    @Option(names = "--set", description = {"Technique/training setting key=value, repeatable: c_grid=0.5,2,8,32,128,",
            "lexical_buckets=262144, max_retained=100000 (hybrid), head=mlp, lr=2e-3, head_lr=1e-2,",
            "max_tokens=64, prompt_length=20, lora_rank=8, lora_alpha=16, unfreeze_layers=2, rehearsal_steps=1,",
            "source_tasks=fortune,wordnet (attempt)."})
    Map<String, String> settings = new LinkedHashMap<>();

    /** True for the techniques that train through the encoder on token ids. */
    boolean encoder() {
        return Techniques.byId(technique).inputKind() == BatchInput.InputKind.TOKEN_IDS;
    }

    /**
     * Why these options cannot declare a task with {@code labels} on {@code backbone}, or null when they can:
     * an unknown technique, an option out of range, an encoder technique without labels, ATTEMPT without sources.
     */
    String problem(List<String> labels, String backbone) {
        Technique found;
        try {
            found = Techniques.byId(technique);
        } catch (IllegalArgumentException e) {
            return "--technique: " + e.getMessage();
        }
        if (found.inputKind() == BatchInput.InputKind.TOKEN_IDS && labels.isEmpty()) {
            return "--technique " + technique + " trains through the encoder and needs the task's labels (--labels)";
        }
        if ("attempt".equals(technique) && !settings.containsKey(TrainerService.SOURCE_TASKS)) {
            return "--technique attempt needs --set " + TrainerService.SOURCE_TASKS
                    + "=TASK,TASK: tasks whose promoted prompt versions it mixes (e.g. fortune,wordnet)";
        }
        try {
            int hidden = BackboneRegistry.standard().byId(backbone).hiddenSize();
            found.tensorSpecs(TechniqueSettings.fromSettings(technique, hidden, settings), Math.max(1, labels.size()));
        } catch (IllegalArgumentException e) {
            return "--set: " + e.getMessage();
        }
        return null;
    }
}
