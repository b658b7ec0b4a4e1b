package dev.streamtune.trainer.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.streamtune.datasets.CorpusExample;
import dev.streamtune.datasets.SpamAssassin;
import dev.streamtune.model.EmbedderConfig;
import dev.streamtune.model.SentenceEmbedder;
import dev.streamtune.trainer.HeadConfig;
import dev.streamtune.trainer.HeadTrainer;
import dev.streamtune.trainer.TrainingExample;
import dev.streamtune.trainer.TrainerConfig;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Head quality on real data: 1,000 stratified SpamAssassin emails embedded by the real MiniLM
 * (128 tokens), split 80/20 by a stable hash of the id, streamed through {@link HeadTrainer} in
 * micro-batches for a few epochs, and compared on validation macro-F1 with scikit-learn's
 * LogisticRegression on the very same vectors. Named *IT because embedding takes tens of seconds
 * on a shared 2-core machine, which the fast suite cannot afford.
 */
class CorpusQualityIT {
    private static final int EMAILS = 1_000;
    private static final long SAMPLE_SEED = 20_251_126L;
    /** 20 passes over 816 examples are 520 steps (half a second); 5 passes scored 0.917, 20 and 40 both 0.934. */
    private static final int EPOCHS = Integer.getInteger("corpus.epochs", 20);
    private static final int BATCH = 32;
    /**
     * Measured 0.934 for the head and 0.950 for scikit-learn on this split (184 validation emails,
     * so one email moves macro-F1 by about 0.005). Always answering "ham" scores about 0.41 and a
     * head stopped after 5 passes 0.917, so 0.90 fails a head that did not learn while leaving
     * room for the few emails a different thread count or CPU can flip.
     */
    private static final double ABSOLUTE_FLOOR = 0.90;
    private static final Path WORK = Path.of("target", "corpus-quality");

    @Test
    void headMatchesLogisticRegressionOnRealSpamAssassinEmbeddings() throws Exception {
        List<CorpusExample> emails = SpamAssassin.sample(EMAILS, SAMPLE_SEED).examples();
        List<String> labels = List.of(SpamAssassin.HAM, SpamAssassin.SPAM);
        float[][] vectors = embedCached(emails);

        List<TrainingExample> train = new ArrayList<>();
        List<TrainingExample> validation = new ArrayList<>();
        for (int i = 0; i < emails.size(); i++) {
            TrainingExample example = TrainingExample.of(vectors[i], labels.indexOf(emails.get(i).label()));
            (isValidation(emails.get(i).id()) ? validation : train).add(example);
        }
        System.out.printf("corpus: %d emails, %d train, %d validation%n", emails.size(), train.size(), validation.size());

        TrainerConfig config = TrainerConfig.headOnly(vectors[0].length, HeadConfig.linear())
                .withOptimizer(TrainerServiceConfig.defaultOptimizer()).withDevice("cpu");
        double ours;
        long started = System.nanoTime();
        try (HeadTrainer trainer = HeadTrainer.create(config, labels)) {
            Random shuffle = new Random(1);
            for (int epoch = 0; epoch < EPOCHS; epoch++) {
                List<TrainingExample> order = new ArrayList<>(train);
                Collections.shuffle(order, shuffle);
                for (int from = 0; from < order.size(); from += BATCH) {
                    trainer.step(order.subList(from, Math.min(order.size(), from + BATCH)));
                }
            }
            int[] predicted = trainer.predict(validation.stream().map(TrainingExample::features).toArray(float[][]::new));
            List<String> truth = validation.stream().map(e -> labels.get(e.labelIndex())).toList();
            List<String> guessed = new ArrayList<>();
            for (int p : predicted) {
                guessed.add(labels.get(p));
            }
            ours = ServiceFixture.macroF1(truth, guessed);
            System.out.printf("head (linear, %d epochs, batch %d, %d steps, %.1f s): validation macro-F1 %.4f%n", EPOCHS,
                    BATCH, trainer.step(), (System.nanoTime() - started) / 1e9, ours);
        }
        assertThat(ours).as("absolute floor").isGreaterThanOrEqualTo(ABSOLUTE_FLOOR);

        Path features = WORK.resolve("features.bin");
        writeFeatures(features, emails, vectors, labels);
        Path python = Path.of("/usr/bin/python3");
        if (!Files.isExecutable(python) || !sklearnPresent(python)) {
            // assumption: without Debian's python3-sklearn the comparison cannot run; the floor above still holds
            System.out.println("scikit-learn absent under /usr/bin/python3: comparison skipped, absolute floor asserted");
            return;
        }
        Process process = new ProcessBuilder(python.toString(), Path.of("src", "test", "python", "logreg_baseline.py")
                .toAbsolutePath().toString(), features.toAbsolutePath().toString()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("logreg_baseline.py output: %s", output).isZero();
        JsonNode result = new ObjectMapper().readTree(output.lines().reduce((a, b) -> b).orElseThrow());
        assertThat(result.get("train_rows").asInt()).isEqualTo(train.size());
        assertThat(result.get("validation_rows").asInt()).isEqualTo(validation.size());
        double sklearn = result.get("macro_f1").asDouble();
        System.out.printf("scikit-learn LogisticRegression: validation macro-F1 %.4f; head - sklearn = %+.4f%n", sklearn,
                ours - sklearn);
        assertThat(ours).isGreaterThanOrEqualTo(sklearn - 0.03);
    }

    /** 20% validation by the first byte of sha256(id): stable across runs, machines and sample order. */
    static boolean isValidation(String id) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
        return (digest[0] & 0xff) % 5 == 0;
    }

    private static boolean sklearnPresent(Path python) throws IOException, InterruptedException {
        Process probe = new ProcessBuilder(python.toString(), "-c", "import sklearn").redirectErrorStream(true).start();
        probe.getInputStream().readAllBytes();
        return probe.waitFor(60, TimeUnit.SECONDS) && probe.exitValue() == 0;
    }

    /** Embeds once and keeps the vectors in target/ (keyed by the sample), so reruns skip the 20-40 s. */
    private static float[][] embedCached(List<CorpusExample> emails) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        emails.forEach(e -> digest.update(e.id().getBytes(StandardCharsets.UTF_8)));
        Path cache = WORK.resolve("minilm-128-" + java.util.HexFormat.of().formatHex(digest.digest(), 0, 8) + ".f32");
        if (Files.exists(cache)) {
            try (DataInputStream in = new DataInputStream(Files.newInputStream(cache))) {
                int rows = in.readInt();
                int dim = in.readInt();
                if (rows == emails.size()) {
                    float[][] vectors = new float[rows][dim];
                    for (float[] row : vectors) {
                        for (int j = 0; j < dim; j++) {
                            row[j] = in.readFloat();
                        }
                    }
                    System.out.println("embeddings read from " + cache);
                    return vectors;
                }
            }
        }
        EmbedderConfig config = EmbedderConfig.defaults(ServiceFixture.BACKBONE).withMaxTokens(128).withIntraOpThreads(2);
        long started = System.nanoTime();
        float[][] vectors;
        try (SentenceEmbedder embedder = SentenceEmbedder.open(config)) {
            // 128 tokens never need more than a few thousand characters; cutting first spares the tokenizer
            dev.streamtune.trainer.ProgressReporter progress = new dev.streamtune.trainer.ProgressReporter(
                    "embedding emails", emails.size(), 10_000, System.out::println);
            long[] done = {0};
            vectors = embedder.embed(emails.stream().map(e -> e.truncatedTo(4_000).text()).toList(), batch -> {
                done[0] += batch;
                progress.update(done[0]);
            });
        }
        System.out.printf("embedded %d emails (128 tokens) in %.1f s%n", emails.size(), (System.nanoTime() - started) / 1e9);
        Files.createDirectories(WORK);
        try (var out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(cache)))) {
            out.writeInt(vectors.length);
            out.writeInt(vectors[0].length);
            for (float[] row : vectors) {
                for (float v : row) {
                    out.writeFloat(v);
                }
            }
        }
        return vectors;
    }

    private static void writeFeatures(Path file, List<CorpusExample> emails, float[][] vectors, List<String> labels)
            throws Exception {
        Files.createDirectories(file.getParent());
        int dim = vectors[0].length;
        ByteBuffer buffer = ByteBuffer.allocate(8 + emails.size() * (8 + 4 * dim)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(emails.size()).putInt(dim);
        for (int i = 0; i < emails.size(); i++) {
            buffer.putInt(labels.indexOf(emails.get(i).label())).putInt(isValidation(emails.get(i).id()) ? 1 : 0);
            for (float v : vectors[i]) {
                buffer.putFloat(v);
            }
        }
        Files.write(file, buffer.array());
    }
}
