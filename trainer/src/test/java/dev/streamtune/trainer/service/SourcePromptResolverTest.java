package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.HostileDeltas;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.peft.PromptTuningTechnique;
import dev.streamtune.model.technique.TechniqueSettings;
import dev.streamtune.model.technique.Techniques;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Which versions can serve as ATTEMPT source prompts. A prompt version whose delta the bounded decoder
 * refuses (random, mutated or crafted bytes under their correct sha256, as anyone who can write
 * {@code models.updates} could publish) is a reason to wait, named in the status, never an exception
 * that would stop the trainer and restart it into the same refusal.
 */
@Tag("model")
class SourcePromptResolverTest {
    private static final int HIDDEN = 384;
    private static final Map<String, String> SETTINGS = Map.of("head", "linear", "prompt_length", "4");
    private final SourcePromptResolver resolver = new SourcePromptResolver(TrainerServiceConfig.defaults("localhost:9092",
            AvroSerdeConfig.of("http://localhost:8081"), "target", Path.of("data/trainer/target")), null, null, null,
            HIDDEN, new PoisonRecords("target"));

    private static List<NamedTensor> promptTensors(Random random) {
        List<TensorSpec> specs = Techniques.byId(PromptTuningTechnique.ID)
                .tensorSpecs(TechniqueSettings.fromSettings(PromptTuningTechnique.ID, HIDDEN, SETTINGS), 2);
        List<NamedTensor> tensors = new ArrayList<>();
        for (TensorSpec spec : specs) {
            float[] values = new float[(int) spec.elementCount()];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            tensors.add(new NamedTensor(spec.name(), spec.shape(), values));
        }
        return tensors;
    }

    private static ModelVersion version(String technique, long number, byte[] bytes) {
        Delta delta = Delta.of(DeltaCodec.NDLIST_V1, bytes);
        return ModelVersion.newBuilder().setTask("fortune").setVersion(number).setTechnique(technique)
                .setHyperparameters(SETTINGS).setBase(new BaseModel("all-MiniLM-L6-v2", "ab".repeat(32)))
                .setLabels(List.of("a", "b"))
                .setDelta(dev.streamtune.avro.Delta.newBuilder().setFormat(delta.format()).setSha256(delta.sha256())
                        .setSizeBytes(delta.size()).setInline(ByteBuffer.wrap(bytes)).build())
                .setCreatedAt(Instant.parse("2026-11-26T10:00:00Z")).build();
    }

    @Test
    void aPromptVersionServesUnderItsProvenanceName() {
        List<NamedTensor> tensors = promptTensors(new Random(1));
        SourcePromptResolver.Usable usable = resolver.usable("fortune",
                version(PromptTuningTechnique.ID, 3, DeltaCodec.encode(tensors).bytes()), 4);
        assertThat(usable.unusable()).isNull();
        assertThat(usable.prompt().name()).isEqualTo("fortune@v3");
        assertThat(usable.prompt().shape()).containsExactly(4, HIDDEN);
        assertThat(usable.prompt().valuesView()).isEqualTo(tensors.get(0).valuesView());

        assertThat(resolver.usable("fortune", version(PromptTuningTechnique.ID, 3,
                DeltaCodec.encode(tensors).bytes()), 8).unusable()).contains("has prompt_length 4, task 'target' has 8");
        assertThat(resolver.usable("fortune", version("lora", 3, DeltaCodec.encode(tensors).bytes()), 4).unusable())
                .contains("uses technique 'lora'");
    }

    @Test
    void hostilePromptDeltasAreWaitedOnNeverThrown() {
        byte[] crafted = HostileDeltas.claimsTwoToThe31Elements(PromptTuningTechnique.PROMPT);
        SourcePromptResolver.Usable refused = resolver.usable("fortune", version(PromptTuningTechnique.ID, 4, crafted), 4);
        assertThat(refused.prompt()).isNull();
        assertThat(refused.unusable()).startsWith("fortune (its promoted version 4 was refused: ")
                .contains("'prompt.embeddings' has shape (2147483648), expected (4, 384)");

        byte[] valid = DeltaCodec.encode(promptTensors(new Random(2))).bytes();
        Random random = new Random(3);
        List<HostileDeltas.Case> cases = new ArrayList<>(HostileDeltas.crafted(PromptTuningTechnique.PROMPT, 4, HIDDEN));
        for (int i = 0; i < 600; i++) {
            cases.add(i % 2 == 0 ? HostileDeltas.mutate(valid, random) : HostileDeltas.mutateHeader(valid, random));
        }
        int waited = 0;
        for (HostileDeltas.Case input : cases) {
            SourcePromptResolver.Usable usable = resolver.usable("fortune",
                    version(PromptTuningTechnique.ID, 5, input.bytes()), 4);
            if (usable.prompt() == null) {
                assertThat(usable.unusable()).as("%s", input).contains("was refused: ");
                waited++;
            } else {
                assertThat(usable.prompt().shape()).as("%s", input).containsExactly(4, HIDDEN);
            }
        }
        assertThat(waited).isGreaterThan(cases.size() / 4);
    }
}
