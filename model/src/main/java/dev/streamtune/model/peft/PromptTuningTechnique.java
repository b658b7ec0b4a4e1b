package dev.streamtune.model.peft;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.technique.DeterministicRandom;
import dev.streamtune.model.technique.TechniqueContext;
import dev.streamtune.model.technique.TechniqueSpec;
import java.util.List;

/**
 * Soft prompt tuning (Lester et al., 2021): P trainable vectors prepended to every input's
 * word-piece vectors, the attention mask extended to cover them; the encoder is untouched.
 * Option {@code prompt_length} (default 20). The prompt starts as the vectors of P word pieces
 * drawn at random from the vocabulary, which the paper found better than random values.
 */
public final class PromptTuningTechnique extends EncoderTechnique {
    public static final String ID = "prompt";

    /** Measured by the PEFT benchmark (bench module) on the bundled corpora. */
    public static final float DEFAULT_LEARNING_RATE = 3e-2f;
    public static final String PROMPT = "prompt.embeddings";
    static final String PROMPT_LENGTH = "prompt_length";
    public static final int DEFAULT_PROMPT_LENGTH = 20;
    static final int MAX_PROMPT_LENGTH = 256;
    /**
     * First ordinary word piece in the BERT uncased vocabulary ("the"); below it are [PAD], the
     * [unused] slots, special tokens and single characters, which make poor starting points.
     */
    static final int FIRST_WORD_PIECE = 1996;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public float defaultLearningRate() {
        return DEFAULT_LEARNING_RATE;
    }

    static int promptLength(TechniqueSpec spec) {
        return PeftOptions.intOption(spec, PROMPT_LENGTH, DEFAULT_PROMPT_LENGTH, 1, MAX_PROMPT_LENGTH);
    }

    @Override
    protected int prefixLength(TechniqueSpec spec) {
        return promptLength(spec);
    }

    @Override
    protected List<TensorSpec> adaptationSpecs(TechniqueSpec spec, EncoderShape shape) {
        return List.of(new TensorSpec(PROMPT, new long[] {promptLength(spec), shape.hidden()}));
    }

    @Override
    protected List<NamedTensor> initialTensors(TechniqueContext context, MiniLmEncoder encoder, DeterministicRandom rng) {
        int length = promptLength(context.spec());
        return List.of(new NamedTensor(PROMPT, new long[] {length, encoder.architecture().hidden()},
                vocabularyVectors(encoder, length, rng)));
    }

    /** The vectors of {@code count} word pieces drawn uniformly from the ordinary vocabulary. */
    static float[] vocabularyVectors(MiniLmEncoder encoder, int count, DeterministicRandom rng) {
        return encoder.wordVectors(vocabularyIds(encoder.architecture().vocabulary(), count, rng));
    }

    /** The word pieces {@link #vocabularyVectors} draws: a pack for another machine must hold their rows. */
    public static int[] vocabularyIds(int vocabulary, int count, DeterministicRandom rng) {
        int first = vocabulary > FIRST_WORD_PIECE ? FIRST_WORD_PIECE : 0;
        int[] ids = new int[count];
        for (int i = 0; i < count; i++) {
            ids[i] = first + rng.nextInt(vocabulary - first);
        }
        return ids;
    }

    @Override
    protected Adaptation adaptation(TechniqueContext context, MiniLmEncoder encoder, List<NDArray> parameters,
                                    NDManager manager) {
        NDArray prompt = parameters.get(0);
        return new Adaptation() {
            @Override
            public List<NDArray> parameters() {
                return parameters;
            }

            @Override
            public NDArray prefix(NDArray wordVectors, NDArray mask) {
                long rows = wordVectors.getShape().get(0);
                Shape shape = prompt.getShape();
                return prompt.expandDims(0).broadcast(new Shape(rows, shape.get(0), shape.get(1)));
            }
        };
    }
}
