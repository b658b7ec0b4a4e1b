package dev.streamtune.model.peft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.encoder.EncoderAdapter;
import dev.streamtune.model.encoder.EncoderWeights;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.encoder.PaddedTokens;
import dev.streamtune.model.technique.DeterministicRandom;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeftPackTest {
    private static final PeftBenchmarkConfig CONFIG = PeftBenchmarkConfig.defaults()
            .withTechniques(List.of("head", PromptTuningTechnique.ID, AttemptTechnique.ID))
            .withSizes(12, 8, 8)
            .withTraining(1, 4, 32);

    @TempDir
    static Path dir;
    private static PeftInputs inputs;
    private static PeftPack pack;

    @BeforeAll
    static void writeAndRead() {
        inputs = PeftCorpusInputs.load(CONFIG);
        List<String> progress = new ArrayList<>();
        PeftPack.write(dir, CONFIG, inputs, progress::add);
        assertThat(progress).singleElement().asString().contains("12 train, 8 test, 2 source tasks");
        pack = PeftPack.read(dir, CONFIG.withSizes(100, 100, 8));
    }

    @Test
    void inputsComeBackAsWritten() {
        assertThat(pack.config().trainExamples()).isEqualTo(12);
        assertThat(pack.config().testExamples()).isEqualTo(8);
        assertSame(inputs.train(), pack.inputs().train());
        assertSame(inputs.test(), pack.inputs().test());
        assertThat(pack.inputs().sources().keySet()).containsExactly("fortunes", "wordnet-senses");
        assertSame(inputs.sources().get("fortunes"), pack.inputs().sources().get("fortunes"));
    }

    private static void assertSame(TokenSet expected, TokenSet actual) {
        assertThat(actual.labelNames()).isEqualTo(expected.labelNames());
        assertThat(actual.labels()).isEqualTo(expected.labels());
        assertThat(actual.ids()).isDeepEqualTo(expected.ids());
        assertThat(actual.mask()).isDeepEqualTo(expected.mask());
    }

    @Test
    void weightsAreHalfPrecisionCopiesAndUnusedWordPiecesAreZero() {
        MiniLmEncoder original = PeftFixture.encoder();
        EncoderWeights packed = pack.weights();
        assertThat(packed.architecture()).isEqualTo(original.architecture());
        String query = EncoderWeights.layerName(3, "attention.self.query.weight");
        float[] expected = HostReadback.floats(original.frozenParameter(query));
        float[] actual = packed.require(query).valuesView();
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).isLessThanOrEqualTo(Math.abs(expected[i]) * 0x1p-11f + 1e-7f);
        }
        TreeSet<Integer> rows = PeftPack.rowsUsed(CONFIG, inputs, original.architecture().vocabulary());
        int[] promptDraws = PromptTuningTechnique.vocabularyIds(original.architecture().vocabulary(),
                PromptTuningTechnique.DEFAULT_PROMPT_LENGTH, new DeterministicRandom(CONFIG.seed()));
        assertThat(rows).contains(promptDraws[0], promptDraws[19], inputs.train().ids()[0][1]);
        int unused = 1;
        while (rows.contains(unused)) {
            unused++;
        }
        float[] words = packed.require(EncoderWeights.WORD_EMBEDDINGS).valuesView();
        int hidden = original.architecture().hidden();
        float[] originalRow = original.wordVectors(new int[] {promptDraws[0]});
        for (int c = 0; c < hidden; c++) {
            assertThat(words[unused * hidden + c]).isZero();
            assertThat(words[promptDraws[0] * hidden + c]).isCloseTo(originalRow[c],
                    org.assertj.core.api.Assertions.within(Math.abs(originalRow[c]) * 0x1p-11f + 1e-7f));
        }
    }

    @Test
    void anEncoderFromThePackEmbedsThePackedTextsLikeTheOriginal() {
        MiniLmEncoder original = PeftFixture.encoder();
        try (NDManager manager = NDManager.newBaseManager()) {
            MiniLmEncoder fromPack = MiniLmEncoder.fromWeights(pack.weights(), pack.backboneId(), manager);
            TokenSet test = pack.inputs().test();
            PaddedTokens tokens = PaddedTokens.of(test.ids(), test.mask(), CONFIG.maxTokens());
            float[] a = pooled(original, tokens, manager);
            float[] b = pooled(fromPack, tokens, manager);
            int hidden = original.architecture().hidden();
            for (int row = 0; row < test.size(); row++) {
                double dot = 0;
                for (int c = 0; c < hidden; c++) {
                    dot += a[row * hidden + c] * b[row * hidden + c];
                }
                assertThat(dot).as("cosine of row %d", row).isGreaterThan(0.9999);
            }
        }
    }

    private static float[] pooled(MiniLmEncoder encoder, PaddedTokens tokens, NDManager manager) {
        try (NDManager step = manager.newSubManager()) {
            NDArray mask = tokens.maskArray(step);
            return HostReadback.floats(MiniLmEncoder.l2Normalize(MiniLmEncoder.meanPool(
                    encoder.forward(encoder.wordEmbeddings(tokens.idsArray(step)), mask, EncoderAdapter.NONE), mask)));
        }
    }

    @Test
    void aRunMustUseThePacksSeedAndTokenLimit() {
        assertThatThrownBy(() -> PeftPack.read(dir, CONFIG.withSeed(43)))
                .hasMessageContaining("seed must be 42 (the pack's), got 43");
        assertThatThrownBy(() -> PeftPack.read(dir, CONFIG.withTraining(1, 4, 64)))
                .hasMessageContaining("maxTokens must be 32 (the pack's), got 64");
        assertThatThrownBy(() -> PeftPack.read(dir.resolve("missing"), CONFIG))
                .hasMessageContaining("cannot read pack");
    }

    @Test
    void namedTensorsKeepTheirNames() {
        NamedTensor words = pack.weights().require(EncoderWeights.WORD_EMBEDDINGS);
        assertThat(words.shape()).containsExactly(30522, 384);
    }
}
