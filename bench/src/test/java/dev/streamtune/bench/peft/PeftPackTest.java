package dev.streamtune.bench.peft;

import dev.streamtune.model.peft.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.streamtune.model.HostReadback;
import dev.streamtune.model.delta.DeltaRejectedException;
import dev.streamtune.model.delta.HostileDeltas;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.encoder.EncoderAdapter;
import dev.streamtune.model.encoder.EncoderWeights;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.encoder.PaddedTokens;
import dev.streamtune.model.technique.DeterministicRandom;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Tag;

@Tag("model")
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

    /**
     * Mutated and truncated pack files (the inputs mutated before compression, so they reach the
     * reader rather than gzip's checksum) are read or refused with a clear RuntimeException, never an
     * Error or an index exception; a tensor claiming 2^31 elements and a decompression bomb are refused.
     */
    @Test
    void hostilePacksAreReadOrRefusedNeverAnythingElse(@TempDir Path hostile) throws IOException {
        byte[] inputs;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(PeftPack.INPUTS)))) {
            inputs = in.readAllBytes();
        }
        byte[] encoder = Files.readAllBytes(dir.resolve(PeftPack.ENCODER));
        Random random = new Random(33);
        int refused = 0;
        writePack(hostile, inputs, encoder);
        for (int i = 0; i < 64; i++) {
            byte[] mutatedInputs = i % 8 == 0 ? inputs : HostileDeltas.mutate(inputs, random).bytes();
            byte[] mutatedEncoder = null;
            if (i % 8 == 0) {
                mutatedEncoder = encoder.clone();
                int at = random.nextInt(Math.min(4096, encoder.length - 8));
                ByteBuffer.wrap(mutatedEncoder, at, 4).putInt(random.nextBoolean() ? Integer.MAX_VALUE : -1);
                if (random.nextBoolean()) {
                    mutatedEncoder = Arrays.copyOf(mutatedEncoder, random.nextInt(encoder.length));
                }
            }
            writePack(hostile, mutatedInputs, mutatedEncoder);
            if (mutatedEncoder == null && i % 8 == 1) {
                Files.write(hostile.resolve(PeftPack.ENCODER), encoder); // the previous case mutated it
            }
            try {
                PeftPack.read(hostile, CONFIG);
            } catch (DeltaRejectedException | IllegalArgumentException | IllegalStateException e) {
                assertThat(e.getMessage()).isNotBlank();
                refused++;
            } catch (Throwable t) {
                throw new AssertionError("case " + i + ": reading a mutated pack threw " + t, t);
            }
        }
        assertThat(refused).isGreaterThan(16);

        // heads, tensor count, then the first tensor: name, rank 1, one dimension of 2^31
        ByteBuffer huge = ByteBuffer.allocate(4 + 4 + 4 + 4 + 2 + 1 + 4 + 8 + 1);
        huge.putInt(0x5354_5045).putInt(1).putInt(12).putInt(1).putShort((short) 1).put((byte) 'w').putInt(1)
                .putLong(1L << 31).put((byte) 0);
        writePack(hostile, inputs, huge.array());
        assertThatThrownBy(() -> PeftPack.read(hostile, CONFIG)).isInstanceOf(DeltaRejectedException.class)
                .hasMessageContaining("tensor 0 'w' shape [2147483648]");

        byte[] bomb = new byte[(256 << 20) + 1];
        ByteBuffer.wrap(bomb).put(Arrays.copyOf(inputs, 24));
        writePack(hostile, bomb, encoder);
        assertThatThrownBy(() -> PeftPack.read(hostile, CONFIG)).isInstanceOf(DeltaRejectedException.class)
                .hasMessageContaining("decompresses to more than 268435456 bytes");
    }

    /** Writes the inputs, and the encoder file unless it is null (left as it is). */
    private static void writePack(Path target, byte[] inputs, byte[] encoder) throws IOException {
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(target.resolve(PeftPack.INPUTS)))) {
            out.write(inputs);
        }
        if (encoder != null) {
            Files.write(target.resolve(PeftPack.ENCODER), encoder);
        }
    }
}
