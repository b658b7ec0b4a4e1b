package dev.streamtune.model.peft;

import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.encoder.EncoderWeights;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.technique.DeterministicRandom;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Everything {@link PeftBenchmark} needs, for a machine that has neither the tokenizer, the
 * corpora nor the 87 MB ONNX file: a GPU node takes at most 64 MiB of the working tree, a JRE
 * included. Two files in a directory:
 * <ul>
 *   <li>{@value #INPUTS}: the tokenized train, test and source sets, plus the seed and token limits
 *       they were made with;</li>
 *   <li>{@value #ENCODER}: the real MiniLM weights in IEEE half precision (read back as float32),
 *       of the word-embedding table only the rows the inputs use plus those prompt initialisation
 *       draws for this seed; the other rows are read back as zeros, which nothing looks up.</li>
 * </ul>
 * So a run from a pack trains the same model from the same data as a run from the corpus, up to the
 * half-precision rounding of the frozen weights (relative error at most 2^-11).
 */
public record PeftPack(PeftBenchmarkConfig config, EncoderWeights weights, String backboneId, PeftInputs inputs) {
    static final String INPUTS = "inputs.bin.gz";
    static final String ENCODER = "encoder.f16";
    private static final int INPUTS_MAGIC = 0x5354_5049; // "STPI"
    private static final int ENCODER_MAGIC = 0x5354_5045; // "STPE"
    private static final int VERSION = 1;
    private static final byte DENSE = 0;
    private static final byte ROWS = 1;

    /** Tokenized inputs and the weights they need, written to {@code dir} (created if missing). */
    public static void write(Path dir, PeftBenchmarkConfig config, PeftInputs inputs, Consumer<String> progress) {
        Backbone backbone = BackboneRegistry.standard().byId(MiniLmL6V2Provider.ID);
        EncoderWeights weights = EncoderWeights.load(backbone, MiniLmEncoder.MINILM_HEADS);
        TreeSet<Integer> rows = rowsUsed(config, inputs, weights.architecture().vocabulary());
        try {
            Files.createDirectories(dir);
            writeInputs(dir.resolve(INPUTS), config, backbone.id(), inputs);
            double worst = writeEncoder(dir.resolve(ENCODER), weights, rows);
            progress.accept(String.format(Locale.ROOT,
                    "pack %s: %d train, %d test, %d source tasks; %d of %d word-piece rows; %.1f MB weights, "
                            + "largest half-precision rounding %.2e relative",
                    dir, inputs.train().size(), inputs.test().size(), inputs.sources().size(), rows.size(),
                    weights.architecture().vocabulary(), Files.size(dir.resolve(ENCODER)) / 1e6, worst));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write pack " + dir, e);
        }
    }

    /**
     * Reads a pack. The run must use the seed and token limit the pack was made with (they decide
     * which rows it holds and how texts were cut); train and test sizes come from the pack.
     */
    public static PeftPack read(Path dir, PeftBenchmarkConfig config) {
        try {
            Header header;
            PeftInputs inputs;
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                    new GZIPInputStream(Files.newInputStream(dir.resolve(INPUTS)))))) {
                header = readHeader(in, INPUTS_MAGIC, dir.resolve(INPUTS));
                inputs = new PeftInputs(readSet(in), readSet(in), readSources(in));
            }
            if (header.seed() != config.seed()) {
                throw new IllegalArgumentException("seed must be " + header.seed() + " (the pack's), got " + config.seed());
            }
            if (header.maxTokens() != config.maxTokens()) {
                throw new IllegalArgumentException("maxTokens must be " + header.maxTokens() + " (the pack's), got "
                        + config.maxTokens());
            }
            if (config.techniques().contains(AttemptTechnique.ID) && inputs.sources().isEmpty()) {
                throw new IllegalArgumentException("techniques include attempt but the pack " + dir
                        + " holds no source tasks; write it with attempt among --techniques");
            }
            EncoderWeights weights = readEncoder(dir.resolve(ENCODER));
            PeftBenchmarkConfig sized = config.withSizes(inputs.train().size(), inputs.test().size(),
                    config.sourceExamples());
            return new PeftPack(sized, weights, header.backboneId(), inputs);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read pack " + dir, e);
        }
    }

    /** Word pieces the inputs use, [PAD], and those every prompt the benchmark initialises draws. */
    static TreeSet<Integer> rowsUsed(PeftBenchmarkConfig config, PeftInputs inputs, int vocabulary) {
        TreeSet<Integer> rows = new TreeSet<>();
        rows.add(0);
        List<TokenSet> sets = new ArrayList<>(List.of(inputs.train(), inputs.test()));
        sets.addAll(inputs.sources().values());
        for (TokenSet set : sets) {
            for (int[] row : set.ids()) {
                for (int id : row) {
                    rows.add(id);
                }
            }
        }
        int promptLength = PromptTuningTechnique.DEFAULT_PROMPT_LENGTH;
        // prompt and ATTEMPT draw their prompt first from a generator seeded with the run's seed
        for (int id : PromptTuningTechnique.vocabularyIds(vocabulary, promptLength, new DeterministicRandom(config.seed()))) {
            rows.add(id);
        }
        for (int source = 0; source < inputs.sources().size(); source++) {
            for (int id : PromptTuningTechnique.vocabularyIds(vocabulary, promptLength,
                    PeftBenchmark.sourceSeed(config, source))) {
                rows.add(id);
            }
        }
        return rows;
    }

    private record Header(long seed, int maxTokens, String backboneId) {
    }

    private static void writeInputs(Path file, PeftBenchmarkConfig config, String backboneId, PeftInputs inputs)
            throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                new GZIPOutputStream(Files.newOutputStream(file))))) {
            out.writeInt(INPUTS_MAGIC);
            out.writeInt(VERSION);
            out.writeLong(config.seed());
            out.writeInt(config.maxTokens());
            out.writeUTF(backboneId);
            writeSet(out, inputs.train());
            writeSet(out, inputs.test());
            out.writeInt(inputs.sources().size());
            for (Map.Entry<String, TokenSet> source : inputs.sources().entrySet()) {
                out.writeUTF(source.getKey());
                writeSet(out, source.getValue());
            }
        }
    }

    private static Header readHeader(DataInputStream in, int magic, Path file) throws IOException {
        if (in.readInt() != magic) {
            throw new IllegalArgumentException(file + " is not a Streamtune PEFT pack file");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IllegalArgumentException(file + " has pack version " + version + ", this build reads " + VERSION);
        }
        if (magic != INPUTS_MAGIC) {
            return null;
        }
        return new Header(in.readLong(), in.readInt(), in.readUTF());
    }

    private static void writeSet(DataOutputStream out, TokenSet set) throws IOException {
        out.writeInt(set.labelNames().size());
        for (String label : set.labelNames()) {
            out.writeUTF(label);
        }
        out.writeInt(set.size());
        for (int i = 0; i < set.size(); i++) {
            out.writeInt(set.labels()[i]);
            out.writeInt(set.ids()[i].length);
            for (int j = 0; j < set.ids()[i].length; j++) {
                out.writeInt(set.ids()[i][j]);
                out.writeByte(set.mask()[i][j]);
            }
        }
    }

    private static TokenSet readSet(DataInputStream in) throws IOException {
        List<String> labels = new ArrayList<>();
        for (int i = in.readInt(); i > 0; i--) {
            labels.add(in.readUTF());
        }
        int size = in.readInt();
        int[][] ids = new int[size][];
        int[][] mask = new int[size][];
        int[] labelIndex = new int[size];
        for (int i = 0; i < size; i++) {
            labelIndex[i] = in.readInt();
            int length = in.readInt();
            ids[i] = new int[length];
            mask[i] = new int[length];
            for (int j = 0; j < length; j++) {
                ids[i][j] = in.readInt();
                mask[i][j] = in.readByte();
            }
        }
        return new TokenSet(ids, mask, labelIndex, labels);
    }

    private static Map<String, TokenSet> readSources(DataInputStream in) throws IOException {
        Map<String, TokenSet> sources = new LinkedHashMap<>();
        for (int i = in.readInt(); i > 0; i--) {
            sources.put(in.readUTF(), readSet(in));
        }
        return sources;
    }

    /** Returns the largest relative rounding error over values of magnitude at least 1e-4. */
    private static double writeEncoder(Path file, EncoderWeights weights, TreeSet<Integer> rows) throws IOException {
        double worst = 0;
        List<String> names = MiniLmEncoder.expectedNames(weights.architecture());
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(ENCODER_MAGIC);
            out.writeInt(VERSION);
            out.writeInt(weights.architecture().heads());
            out.writeInt(names.size());
            for (String name : names) {
                NamedTensor tensor = weights.require(name);
                float[] values = tensor.valuesView();
                out.writeUTF(name);
                out.writeInt(tensor.shape().length);
                for (long dim : tensor.shape()) {
                    out.writeLong(dim);
                }
                boolean sparse = name.equals(EncoderWeights.WORD_EMBEDDINGS);
                out.writeByte(sparse ? ROWS : DENSE);
                if (sparse) {
                    int columns = (int) tensor.shape()[1];
                    out.writeInt(rows.size());
                    for (int row : rows) {
                        out.writeInt(row);
                    }
                    for (int row : rows) {
                        for (int c = 0; c < columns; c++) {
                            worst = Math.max(worst, writeHalf(out, values[row * columns + c]));
                        }
                    }
                } else {
                    for (float value : values) {
                        worst = Math.max(worst, writeHalf(out, value));
                    }
                }
            }
        }
        return worst;
    }

    private static double writeHalf(DataOutputStream out, float value) throws IOException {
        short half = Float16.fromFloat(value);
        out.writeShort(half);
        return Math.abs(value) >= 1e-4f ? Math.abs(Float16.toFloat(half) - value) / Math.abs(value) : 0;
    }

    private static EncoderWeights readEncoder(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            readHeader(in, ENCODER_MAGIC, file);
            int heads = in.readInt();
            Map<String, NamedTensor> tensors = new LinkedHashMap<>();
            for (int t = in.readInt(); t > 0; t--) {
                String name = in.readUTF();
                long[] shape = new long[in.readInt()];
                long count = 1;
                for (int d = 0; d < shape.length; d++) {
                    shape[d] = in.readLong();
                    count *= shape[d];
                }
                float[] values = new float[Math.toIntExact(count)];
                byte kind = in.readByte();
                if (kind == ROWS) {
                    int columns = (int) shape[1];
                    int[] rowIds = new int[in.readInt()];
                    for (int r = 0; r < rowIds.length; r++) {
                        rowIds[r] = in.readInt();
                    }
                    for (int row : rowIds) {
                        for (int c = 0; c < columns; c++) {
                            values[row * columns + c] = Float16.toFloat(in.readShort());
                        }
                    }
                } else if (kind == DENSE) {
                    for (int i = 0; i < values.length; i++) {
                        values[i] = Float16.toFloat(in.readShort());
                    }
                } else {
                    throw new IllegalArgumentException(file + ": tensor '" + name + "' has unknown layout " + kind);
                }
                tensors.put(name, new NamedTensor(name, shape, values));
            }
            return EncoderWeights.fromTensors(tensors, heads);
        }
    }
}
