package dev.streamtune.bench.peft;

import dev.streamtune.model.peft.*;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.model.delta.BoundedBytes;
import dev.streamtune.model.delta.DeltaRejectedException;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.delta.NdListReader;
import dev.streamtune.model.delta.TensorSpec;
import dev.streamtune.model.encoder.EncoderWeights;
import dev.streamtune.model.encoder.MiniLmEncoder;
import dev.streamtune.model.technique.DeterministicRandom;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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
    /** Limits for reading a pack: far above MiniLM's (22.7M weights, 10k-example sets), far below a heap. */
    private static final int MAX_INPUTS_BYTES = 256 << 20;
    private static final long MAX_ENCODER_BYTES = 256L << 20;
    private static final long MAX_ENCODER_ELEMENTS = 1L << 26;
    private static final int MAX_ENCODER_TENSORS = 4096;
    private static final int MAX_LABELS = 100_000;
    private static final int MAX_TOKENS = 8192;

    /** Tokenized inputs and the weights they need, written to {@code dir} (created if missing). */
    public static void write(Path dir, PeftBenchmarkConfig config, PeftInputs inputs, Consumer<String> progress) {
        Backbone backbone = BackboneRegistry.standard().byId(MiniLmL6V2Provider.ID);
        EncoderWeights weights = EncoderWeights.load(backbone, MiniLmEncoder.MINILM_HEADS);
        TreeSet<Integer> rows = rowsUsed(config, inputs, weights.architecture().vocabulary());
        try {
            double worst = write(dir, config, backbone.id(), inputs, weights, rows);
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
     * Writes a pack of {@code weights}, of whose word-embedding table only {@code rows} are kept; the
     * golden fixture test writes a tiny encoder through it. Returns the largest relative rounding error.
     */
    static double write(Path dir, PeftBenchmarkConfig config, String backboneId, PeftInputs inputs,
            EncoderWeights weights, TreeSet<Integer> rows) throws IOException {
        Files.createDirectories(dir);
        writeInputs(dir.resolve(INPUTS), config, backboneId, inputs);
        return writeEncoder(dir.resolve(ENCODER), weights, rows);
    }

    /**
     * Reads a pack. The run must use the seed and token limit the pack was made with (they decide
     * which rows it holds and how texts were cut); train and test sizes come from the pack.
     */
    public static PeftPack read(Path dir, PeftBenchmarkConfig config) {
        try {
            Path inputsFile = dir.resolve(INPUTS);
            BoundedBytes in = new BoundedBytes(gunzip(inputsFile), "pack file " + inputsFile);
            Header header = readHeader(in, INPUTS_MAGIC, inputsFile);
            PeftInputs inputs = new PeftInputs(readSet(in, header), readSet(in, header), readSources(in, header));
            in.expectEnd();
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

    private static Header readHeader(BoundedBytes in, int magic, Path file) {
        if (in.readInt("magic") != magic) {
            throw new IllegalArgumentException(file + " is not a Streamtune PEFT pack file");
        }
        int version = in.readInt("version");
        if (version != VERSION) {
            throw new IllegalArgumentException(file + " has pack version " + version + ", this build reads " + VERSION);
        }
        if (magic != INPUTS_MAGIC) {
            return null;
        }
        long seed = in.readLong("seed");
        int maxTokens = in.readCount("maxTokens", MAX_TOKENS, 0);
        return new Header(seed, maxTokens, in.readUtf("backbone id", 1024));
    }

    /** The decompressed inputs, refused when they exceed {@value #MAX_INPUTS_BYTES} bytes (a gzip bomb). */
    private static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            byte[] bytes = in.readNBytes(MAX_INPUTS_BYTES + 1);
            if (bytes.length > MAX_INPUTS_BYTES) {
                throw new DeltaRejectedException("pack file " + file + " decompresses to more than " + MAX_INPUTS_BYTES
                        + " bytes, the limit for tokenized inputs");
            }
            return bytes;
        }
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

    /** Every count is checked against the bytes left before anything of that size exists. */
    private static TokenSet readSet(BoundedBytes in, Header header) {
        int labelCount = in.readCount("label count", MAX_LABELS, 2);
        List<String> labels = new ArrayList<>(labelCount);
        for (int i = 0; i < labelCount; i++) {
            labels.add(in.readUtf("label " + i, 65_535));
        }
        int size = in.readCount("example count", Integer.MAX_VALUE, 2 * Integer.BYTES);
        int[][] ids = new int[size][];
        int[][] mask = new int[size][];
        int[] labelIndex = new int[size];
        for (int i = 0; i < size; i++) {
            labelIndex[i] = in.readInt("example label");
            // the count is checked against the bytes left, so the reads below cannot run short
            int length = in.readCount("example token count", header.maxTokens(), Integer.BYTES + 1);
            ids[i] = new int[length];
            mask[i] = new int[length];
            for (int j = 0; j < length; j++) {
                ids[i][j] = in.readInt("token id");
                mask[i][j] = in.readByte("mask");
                if (ids[i][j] < 0) {
                    throw in.reject("example " + i + " token " + j, "= " + ids[i][j] + " is negative");
                }
            }
        }
        return new TokenSet(ids, mask, labelIndex, labels);
    }

    private static Map<String, TokenSet> readSources(BoundedBytes in, Header header) {
        Map<String, TokenSet> sources = new LinkedHashMap<>();
        int count = in.readCount("source task count", AttemptTechnique.MAX_SOURCE_PROMPTS, 2 + 2 * Integer.BYTES);
        for (int i = 0; i < count; i++) {
            sources.put(in.readUtf("source task " + i + " name", 1024), readSet(in, header));
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

    /**
     * The weights, every shape and row list checked against the bytes left, and the elements over
     * all tensors against {@value #MAX_ENCODER_ELEMENTS} (the sparse word-embedding table is
     * allocated whole, whatever rows the file holds).
     */
    private static EncoderWeights readEncoder(Path file) throws IOException {
        long fileSize = Files.size(file);
        if (fileSize > MAX_ENCODER_BYTES) {
            throw new DeltaRejectedException("pack file " + file + " is " + fileSize + " bytes, more than the limit of "
                    + MAX_ENCODER_BYTES);
        }
        BoundedBytes in = new BoundedBytes(Files.readAllBytes(file), "pack file " + file);
        readHeader(in, ENCODER_MAGIC, file);
        int heads = in.readInt("heads");
        Map<String, NamedTensor> tensors = new LinkedHashMap<>();
        long total = 0;
        int count = in.readCount("tensor count", MAX_ENCODER_TENSORS, 2 + 4 + 1);
        for (int t = 0; t < count; t++) {
            String name = in.readUtf("tensor " + t + " name", NdListReader.MAX_NAME_BYTES);
            String at = "tensor " + t + " '" + name + "'";
            long[] shape = new long[in.readCount(at + " rank", NdListReader.MAX_RANK, Long.BYTES)];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = in.readLong(at + " dimension " + d);
            }
            long elements;
            try {
                elements = new TensorSpec(name, shape).elementCount();
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw in.reject(at + " shape " + Arrays.toString(shape), "is unusable: " + e.getMessage());
            }
            total += elements;
            if (total > MAX_ENCODER_ELEMENTS) {
                throw in.reject(at, "brings the element count to " + total + ", more than the limit of "
                        + MAX_ENCODER_ELEMENTS);
            }
            byte kind = in.readByte(at + " layout");
            float[] values;
            if (kind == ROWS) {
                if (shape.length != 2) {
                    throw in.reject(at + " shape " + Arrays.toString(shape), "must be [rows, columns] for the rows layout");
                }
                int columns = (int) shape[1];
                int[] rowIds = new int[in.readCount(at + " row count", (int) shape[0], Integer.BYTES)];
                for (int r = 0; r < rowIds.length; r++) {
                    rowIds[r] = in.readInt(at + " row " + r);
                    if (rowIds[r] < 0 || rowIds[r] >= shape[0]) {
                        throw in.reject(at + " row " + r, "= " + rowIds[r] + " is outside [0, " + shape[0] + ")");
                    }
                }
                in.checkCount(at + " half-precision values", (long) rowIds.length * columns, Integer.MAX_VALUE,
                        Short.BYTES);
                values = new float[(int) elements];
                for (int row : rowIds) {
                    short[] halves = in.readShorts(at + " row " + row, columns);
                    for (int c = 0; c < columns; c++) {
                        values[row * columns + c] = Float16.toFloat(halves[c]);
                    }
                }
            } else if (kind == DENSE) {
                short[] halves = in.readShorts(at + " data", (int) elements);
                values = new float[halves.length];
                for (int i = 0; i < values.length; i++) {
                    values[i] = Float16.toFloat(halves[i]);
                }
            } else {
                throw new IllegalArgumentException(file + ": tensor '" + name + "' has unknown layout " + kind);
            }
            tensors.put(name, new NamedTensor(name, shape, values));
        }
        in.expectEnd();
        return EncoderWeights.fromTensors(tensors, heads);
    }
}
