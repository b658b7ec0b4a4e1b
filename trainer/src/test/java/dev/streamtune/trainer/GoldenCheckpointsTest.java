package dev.streamtune.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.head.HeadKind;
import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.hybrid.HybridTechnique;
import dev.streamtune.model.hybrid.LexicalHasher;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.testkit.GoldenFiles;
import dev.streamtune.trainer.hybrid.HybridTrainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A small checkpoint of each technique family that checkpoints (head, encoder technique, hybrid),
 * written once by the real trainers and committed under {@code golden/}. Today's codec must read
 * each into the state described here, write it back byte for byte, and today's trainer must continue
 * from it. Rewrite deliberately with {@code -Dstreamtune.golden.write=true}, then update the digests.
 */
class GoldenCheckpointsTest {
    private static final Map<String, Long> OFFSETS = Map.of("features.all-minilm-l6-v2-0", 12L,
            "features.all-minilm-l6-v2-1", 9L);
    private static final Map<String, String> ANNOTATIONS = Map.of("golden.note", "annotations are opaque strings");
    private static final List<String> LABELS = List.of("ham", "spam");

    private static final TrainerConfig HEAD = new TrainerConfig("head", 8, HeadConfig.mlp(4, 0.1f),
            OptimizerConfig.defaults(), 0.3f, 3, true, 5L, "cpu");
    private static final EncoderTrainerConfig PROMPT = new EncoderTrainerConfig(new TechniqueSpec("prompt",
            HeadSpec.linear(384), Map.of("max_tokens", "8", "prompt_length", "2")), 2e-2f, 2e-2f, 0.3f, 2, true,
            11L, "cpu");
    private static final HybridTrainer.Config HYBRID = new HybridTrainer.Config(new TechniqueSpec(HybridTechnique.ID,
            HeadSpec.linear(4), Map.of(HybridTechnique.BUCKETS, "16", HybridTechnique.C_GRID, "1")), 1_000);

    private static final String HEAD_FILE = "checkpoint-head-mlp-v2.bin";
    private static final String HEAD_SHA256 = "45fb71b712dc86b88c4584798a9362e5ef468822be47876d0256abcf99db2cf5";
    private static final String PROMPT_FILE = "checkpoint-prompt-v2.bin";
    private static final String PROMPT_SHA256 = "076ec1dcaa475a151773cb95e6b156330a86649b2ae1ff6fe958056102b00428";
    private static final String HYBRID_FILE = "checkpoint-hybrid-v2.bin";
    private static final String HYBRID_SHA256 = "01abf1497b9e776210633f9d29dbaf9a30d72e6139426d1aedde4501c7976334";

    @Test
    void headCheckpointReadsAsWritten() throws Exception {
        TrainerState state = decode(HEAD_FILE, HEAD_SHA256, GoldenCheckpointsTest::writeHead);
        assertThat(state.techniqueId()).isEqualTo("head");
        assertThat(state.head()).isEqualTo(new HeadSpec(HeadKind.MLP, 8, 4, 0.1f));
        assertThat(state.labels()).isEqualTo(LABELS);
        assertThat(state.step()).isEqualTo(3);
        assertThat(state.examplesSeen()).isEqualTo(18);
        // mlp 8 -> 4 -> 2
        assertThat(state.parameters()).extracting(NamedTensor::name)
                .containsExactly("hidden.weight", "hidden.bias", "output.weight", "output.bias");
        assertThat(state.parameters()).extracting(NamedTensor::shape)
                .containsExactly(new long[] {4, 8}, new long[] {4}, new long[] {2, 4}, new long[] {2});
        assertThat(state.optimizer().steps()).isEqualTo(3);
        // AdamW keeps one first moment ("m.") per layer: the weight with its bias as the last column
        assertThat(state.optimizer().firstMoments()).extracting(NamedTensor::name, NamedTensor::shape)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("m.hidden.weight_bias", new long[] {4, 9}),
                        org.assertj.core.groups.Tuple.tuple("m.output.weight_bias", new long[] {2, 5}));
        assertThat(state.optimizer().secondMoments()).hasSameSizeAs(state.optimizer().firstMoments());
        assertThat(state.classCounts()).as("18 examples, labels drawn at random").containsExactly(11, 7);
        assertThat(state.replay().reservoirs()).hasSize(2)
                .allSatisfy(r -> assertThat(r.examples()).hasSize(3).allSatisfy(e -> assertThat(e.features()).hasSize(8)));
        assertThat(state.nextOffsets()).isEqualTo(OFFSETS);
        assertThat(state.annotations()).isEqualTo(ANNOTATIONS);
    }

    @Test
    @Tag("model")
    void todaysHeadTrainerContinuesFromTheGoldenCheckpoint() throws Exception {
        TrainerState state = decode(HEAD_FILE, HEAD_SHA256, GoldenCheckpointsTest::writeHead);
        try (HeadTrainer trainer = HeadTrainer.restore(HEAD, state)) {
            assertThat(trainer.snapshot(OFFSETS).withAnnotations(ANNOTATIONS)).isEqualTo(state);
            trainer.step(new SyntheticData(8, 2f, 21).batch(6, 0, 1));
            assertThat(trainer.step()).isEqualTo(4);
        }
    }

    @Test
    void promptCheckpointReadsAsWritten() throws Exception {
        TrainerState state = decode(PROMPT_FILE, PROMPT_SHA256, GoldenCheckpointsTest::writePrompt);
        assertThat(state.techniqueId()).isEqualTo("prompt");
        assertThat(state.head()).isEqualTo(HeadSpec.linear(384));
        assertThat(state.labels()).isEqualTo(LABELS);
        assertThat(state.step()).isEqualTo(1);
        assertThat(state.examplesSeen()).isEqualTo(4);
        assertThat(state.parameters().stream().mapToLong(t -> t.valuesView().length).sum())
                .as("a 2 x 384 prompt and a 384 -> 2 head").isEqualTo(2 * 384 + 384 * 2 + 2);
        assertThat(state.optimizer().steps()).isEqualTo(1);
        assertThat(state.replay().reservoirs()).isNotEmpty().allSatisfy(r -> assertThat(r.examples())
                .allSatisfy(e -> assertThat(e.features()).as("token ids").hasSizeBetween(2, 8)));
        assertThat(state.nextOffsets()).isEqualTo(OFFSETS);
        assertThat(state.annotations()).isEqualTo(ANNOTATIONS);
    }

    @Test
    @Tag("model")
    void todaysEncoderTrainerContinuesFromTheGoldenCheckpoint() throws Exception {
        TrainerState state = decode(PROMPT_FILE, PROMPT_SHA256, GoldenCheckpointsTest::writePrompt);
        try (EncoderTrainer trainer = EncoderTrainer.restore(PROMPT, backbone(), state, Map.of())) {
            assertThat(trainer.snapshot(OFFSETS).withAnnotations(ANNOTATIONS)).isEqualTo(state);
            trainer.step(tokens(trainer, 4));
            assertThat(trainer.step()).isEqualTo(2);
        }
    }

    @Test
    void hybridCheckpointReadsAsWrittenAndTodaysTrainerContinuesFromIt() throws Exception {
        TrainerState state = decode(HYBRID_FILE, HYBRID_SHA256, GoldenCheckpointsTest::writeHybrid);
        assertThat(state.techniqueId()).isEqualTo(HybridTechnique.ID);
        assertThat(state.head()).isEqualTo(HeadSpec.linear(4));
        assertThat(state.labels()).isEqualTo(LABELS);
        assertThat(state.step()).as("fits").isEqualTo(1);
        assertThat(state.examplesSeen()).isEqualTo(24);
        assertThat(state.parameters()).last().extracting(NamedTensor::name).isEqualTo("hybrid.fit");
        assertThat(state.classCounts()).containsExactly(12, 12);
        assertThat(state.replay().reservoirs()).as("the hybrid re-reads its examples instead").isEmpty();
        assertThat(state.nextOffsets()).isEqualTo(OFFSETS);
        assertThat(state.annotations()).isEqualTo(ANNOTATIONS);

        try (HybridTrainer trainer = HybridTrainer.restore(HYBRID, state)) {
            assertThat(trainer.snapshot(OFFSETS).withAnnotations(ANNOTATIONS)).isEqualTo(state);
            assertThat(trainer.classifier()).isPresent();
        }
    }

    /** The fixture's bytes, pinned by digest, decoded; today's encoder must write them back unchanged. */
    private static TrainerState decode(String name, String sha256, Supplier<byte[]> writer) throws Exception {
        byte[] bytes = GoldenFiles.load(name, writer);
        if (GoldenFiles.writing()) {
            System.err.println(name + " sha256 " + Delta.sha256Hex(bytes));
        } else {
            assertThat(Delta.sha256Hex(bytes)).as("%s digest (rewritten without updating the test?)", name)
                    .isEqualTo(sha256);
        }
        TrainerState state = CheckpointCodec.decode(bytes);
        assertThat(CheckpointCodec.encode(state)).as("today's encoder writes %s byte for byte", name).isEqualTo(bytes);
        return state;
    }

    private static byte[] writeHead() {
        SyntheticData data = new SyntheticData(8, 2f, 9);
        try (HeadTrainer trainer = HeadTrainer.create(HEAD, LABELS)) {
            for (int i = 0; i < 3; i++) {
                trainer.step(data.batch(6, 0, 1));
            }
            return CheckpointCodec.encode(trainer.snapshot(OFFSETS).withAnnotations(ANNOTATIONS));
        }
    }

    private static Backbone backbone() {
        return BackboneRegistry.standard().byId("all-MiniLM-L6-v2");
    }

    private static List<TrainingExample> tokens(EncoderTrainer trainer, int from) {
        String[] texts = {"win a free prize", "meeting moved to friday", "cheap pills", "lunch at noon"};
        List<TrainingExample> rows = new ArrayList<>();
        for (int i = from; i < from + 4; i++) {
            rows.add(TrainingExample.tokens(trainer.tokenize(texts[i % texts.length]), i % 2, 1f));
        }
        return rows;
    }

    private static byte[] writePrompt() {
        try (EncoderTrainer trainer = EncoderTrainer.create(PROMPT, backbone(), LABELS, Map.of())) {
            trainer.step(tokens(trainer, 0));
            return CheckpointCodec.encode(trainer.snapshot(OFFSETS).withAnnotations(ANNOTATIONS));
        }
    }

    private static byte[] writeHybrid() {
        Random random = new Random(7);
        String[][] words = {{"meeting", "lunch", "report"}, {"winner", "free", "prize"}};
        try (HybridTrainer trainer = HybridTrainer.create(HYBRID, LABELS)) {
            List<TrainingExample> batch = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int label = i % 2;
                float[] v = new float[4];
                for (int d = 0; d < v.length; d++) {
                    v[d] = (float) random.nextGaussian();
                }
                v[0] += label == 1 ? 2f : -2f;
                batch.add(new TrainingExample(v, label, 1f,
                        LexicalHasher.terms("the " + words[label][random.nextInt(3)])));
            }
            trainer.step(batch);
            for (int i = 0; i < 8; i++) {
                int label = i % 2;
                trainer.validation("v" + i, LABELS.get(label), new TrainingExample(new float[] {label == 1 ? 2f : -2f,
                    0f, 0f, 0f}, label, 1f, LexicalHasher.terms("the " + words[label][i % 3])));
            }
            trainer.consolidate();
            return CheckpointCodec.encode(trainer.snapshot(OFFSETS).withAnnotations(ANNOTATIONS));
        }
    }
}
