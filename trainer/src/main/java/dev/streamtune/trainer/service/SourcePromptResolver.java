package dev.streamtune.trainer.service;

import dev.streamtune.schemas.TopicReader;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.DeltaRejectedException;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.peft.PromptTuningTechnique;
import dev.streamtune.model.peft.SourcePrompts;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.loader.ArtifactStore;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds ATTEMPT's frozen source prompts: for each source task, the version that
 * {@code models.updates} (compacted, keyed by task) currently serves, which must be a
 * {@code prompt} version with the ATTEMPT task's prompt length; its prompt tensor, named
 * {@code <task>@v<version>}, becomes a {@link SourcePrompts} entry, in the order the task lists them.
 *
 * <p>A restarted trainer pins the versions its checkpoint was trained with: a version that is no
 * longer the champion is read back from {@code models.candidates}, so a re-promotion of a source
 * task never changes the frozen prompts under a model half-way through training.
 */
final class SourcePromptResolver {
    private static final Logger LOG = LoggerFactory.getLogger(SourcePromptResolver.class);
    /** Prompt deltas are a few tens of KB; a URI delta larger than this is not a prompt. */
    private static final long MAX_SOURCE_DELTA_BYTES = 64L * 1024 * 1024;

    private final TrainerServiceConfig config;
    private final AvroDeserializer<ModelUpdate> updates;
    private final AvroDeserializer<ModelVersion> versions;
    private final ArtifactStore artifacts;
    private final int hidden;
    private final Set<String> refusalsLogged = new HashSet<>();
    private final PoisonRecords poison;

    SourcePromptResolver(TrainerServiceConfig config, AvroDeserializer<ModelUpdate> updates,
                         AvroDeserializer<ModelVersion> versions, ArtifactStore artifacts, int hidden,
                         PoisonRecords poison) {
        this.config = config;
        this.poison = poison;
        this.hidden = hidden;
        this.updates = updates;
        this.versions = versions;
        this.artifacts = artifacts;
    }

    /** @param waitingFor the first source task without a usable promoted version, or null when {@code prompts} is set */
    record Resolution(SourcePrompts prompts, String waitingFor) {
    }

    /** Source task names from the comma-separated {@code source_tasks} setting, checked. */
    static List<String> sourceTasks(String task, String setting) {
        if (setting == null || setting.isBlank()) {
            throw new IllegalStateException("task '" + task + "' uses technique 'attempt' and needs setting '"
                    + TrainerService.SOURCE_TASKS + "': the comma-separated tasks whose promoted prompt versions it"
                    + " mixes (at least one, e.g. fortune,wordnet)");
        }
        List<String> names = new ArrayList<>();
        for (String part : setting.split(",")) {
            String name = part.trim();
            if (name.isEmpty() || name.equals(task) || names.contains(name)) {
                throw new IllegalStateException("task '" + task + "': setting '" + TrainerService.SOURCE_TASKS
                        + "' must list distinct other tasks, got '" + setting + "'");
            }
            names.add(name);
        }
        return names;
    }

    /**
     * The source prompts, or which source is still missing.
     *
     * @param attemptSpec the ATTEMPT task's spec (its target prompt fixes the prompt length)
     * @param pinned versions a checkpoint was trained with, by task (empty on a fresh start)
     */
    Resolution resolve(Consumer<byte[], byte[]> consumer, List<String> sourceTasks, TechniqueSpec attemptSpec,
                       Map<String, Long> pinned) {
        Map<String, ModelVersion> current = currentVersions(consumer, sourceTasks);
        long promptLength = Techniques.byId(attemptSpec.techniqueId()).tensorSpecs(attemptSpec, 1).get(0).shape()[0];
        List<NamedTensor> prompts = new ArrayList<>();
        for (String source : sourceTasks) {
            ModelVersion version = current.get(source);
            Long wanted = pinned.get(source);
            if (wanted != null && (version == null || version.getVersion() != wanted)) {
                version = candidate(consumer, source, wanted);
                if (version == null) {
                    throw new IllegalStateException("the checkpoint of task '" + config.task() + "' was trained with "
                            + source + "@v" + wanted + ", which is neither promoted nor on '"
                            + config.topics().candidates() + "' any more; remove the checkpoint to start over");
                }
            }
            if (version == null) {
                return new Resolution(null, source);
            }
            Usable usable = usable(source, version, promptLength);
            if (usable.prompt() == null) {
                return new Resolution(null, usable.unusable());
            }
            prompts.add(usable.prompt());
        }
        return new Resolution(new SourcePrompts(prompts), null);
    }

    /** The version each source task's latest models.updates record serves. */
    private Map<String, ModelVersion> currentVersions(Consumer<byte[], byte[]> consumer, List<String> sources) {
        Map<String, ModelVersion> current = new HashMap<>();
        List<TopicPartition> partitions = TopicReader.partitionsOf(consumer, config.topics().updates(), TrainerStartup.METADATA_TIMEOUT);
        if (partitions.isEmpty()) {
            return current;
        }
        for (ConsumerRecord<byte[], byte[]> record : TopicReader.readToEnd(consumer, partitions, TrainerStartup.READ_TIMEOUT)) {
            if (record.key() == null) {
                continue;
            }
            String key = new String(record.key(), StandardCharsets.UTF_8);
            if (!sources.contains(key)) {
                continue;
            }
            if (record.value() == null) {
                current.remove(key); // a tombstone withdraws the task's champion
                continue;
            }
            ModelUpdate update = poison.update(record, updates, key);
            if (update != null) {
                current.put(key, update.getModel());
            }
        }
        return current;
    }

    /** A source version's prompt, named {@code <task>@v<version>}, or (prompt null) why it cannot serve. */
    record Usable(NamedTensor prompt, String unusable) {
    }

    /**
     * Whether {@code version} can serve as source {@code source}'s frozen prompt. A delta the bounded
     * decoder refuses is a reason to wait for another version, logged once per version, not a failure
     * of the trainer: failing would only restart it into the same refusal.
     */
    Usable usable(String source, ModelVersion version, long promptLength) {
        String which = source + " (its promoted version " + version.getVersion();
        if (!PromptTuningTechnique.ID.contentEquals(version.getTechnique())) {
            return new Usable(null, which + " uses technique '" + version.getTechnique() + "'; ATTEMPT needs a '"
                    + PromptTuningTechnique.ID + "' version)");
        }
        NamedTensor prompt;
        try {
            prompt = promptOf(version);
        } catch (DeltaRejectedException | IllegalArgumentException e) {
            if (refusalsLogged.add(source + "@v" + version.getVersion())) {
                LOG.warn("task '{}': source {}@v{} is refused as an ATTEMPT source prompt: {}", config.task(), source,
                        version.getVersion(), e.getMessage());
            }
            return new Usable(null, which + " was refused: " + e.getMessage() + ")");
        }
        if (prompt.shape()[0] != promptLength) {
            return new Usable(null, which + " has prompt_length " + prompt.shape()[0] + ", task '" + config.task()
                    + "' has " + promptLength + ")");
        }
        return new Usable(new NamedTensor(source + "@v" + version.getVersion(), prompt.shape(), prompt.valuesView()), null);
    }

    /** Version {@code number} of {@code task} on models.candidates, or null. */
    private ModelVersion candidate(Consumer<byte[], byte[]> consumer, String task, long number) {
        List<TopicPartition> partitions = TopicReader.partitionsOf(consumer, config.topics().candidates(), TrainerStartup.METADATA_TIMEOUT);
        if (partitions.isEmpty()) {
            return null;
        }
        byte[] key = task.getBytes(StandardCharsets.UTF_8);
        TopicPartition partition = partitions.get(Utils.toPositive(Utils.murmur2(key)) % partitions.size());
        ModelVersion found = null;
        for (ConsumerRecord<byte[], byte[]> record : TopicReader.readToEnd(consumer, List.of(partition), TrainerStartup.READ_TIMEOUT)) {
            if (record.key() != null && java.util.Arrays.equals(record.key(), key) && record.value() != null) {
                ModelVersion version = poison.version(record, versions, task);
                if (version != null && version.getVersion() == number) {
                    found = version;
                }
            }
        }
        return found;
    }

    /** The prompt tensor of a prompt-tuning version, its delta verified against its digest. */
    private NamedTensor promptOf(ModelVersion version) {
        dev.streamtune.avro.Delta event = version.getDelta();
        byte[] bytes;
        if (event.getInline() != null) {
            ByteBuffer inline = event.getInline().duplicate();
            bytes = new byte[inline.remaining()];
            inline.get(bytes);
        } else if (event.getUri() != null) {
            try {
                bytes = artifacts.fetch(new URI(event.getUri().toString()), MAX_SOURCE_DELTA_BYTES);
            } catch (IOException | URISyntaxException e) {
                throw new IllegalStateException("source " + version.getTask() + "@v" + version.getVersion()
                        + ": cannot fetch its delta from '" + event.getUri() + "': " + e.getMessage(), e);
            }
        } else {
            throw new IllegalStateException("source " + version.getTask() + "@v" + version.getVersion()
                    + " carries neither an inline delta nor a uri");
        }
        Delta delta = new Delta(event.getFormat().toString(), bytes, event.getSha256().toString());
        Map<String, String> hyperparameters = new LinkedHashMap<>();
        version.getHyperparameters().forEach((k, v) -> hyperparameters.put(k.toString(), v.toString()));
        // the prompt tensor comes first in a prompt delta; the head's shape follows from the version's labels
        TechniqueSpec spec = TechniqueSettings.fromSettings(PromptTuningTechnique.ID, hidden, hyperparameters);
        List<TensorSpec> specs = Techniques.byId(PromptTuningTechnique.ID).tensorSpecs(spec, version.getLabels().size());
        return DeltaCodec.decode(delta, specs).get(0);
    }
}
