package dev.streamtune.evaluator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-checks {@link ClassificationMetrics} against scikit-learn on random cases generated here, run through
 * {@code src/test/python/sklearn_reference.py} with Debian's {@code /usr/bin/python3} (package python3-sklearn).
 * Skipped, with a message saying so, where that interpreter or sklearn is missing.
 */
class SklearnCrossCheckTest {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final Path SCRIPT = Path.of("src/test/python/sklearn_reference.py");
    private static final double TOLERANCE = 1e-9;

    private record Case(int[] truth, double[][] probabilities, List<String> labels) {}

    @Test
    void agreesWithScikitLearnOnRandomCases(@TempDir Path dir) throws Exception {
        assumeTrue(sklearnAvailable(), "skipped: /usr/bin/python3 with scikit-learn is not installed "
                + "(apt-get install -y python3-sklearn); the hand-worked tables in ClassificationMetricsTest still run");
        assertThat(SCRIPT).as("reference script, relative to the module directory").exists();

        List<Case> cases = generateCases(new Random(20261126));
        Path input = dir.resolve("cases.txt");
        Files.writeString(input, render(cases), StandardCharsets.UTF_8);
        Map<Integer, Map<String, double[]>> expected = parse(runPython(List.of(SCRIPT.toString(), input.toString())));
        assertThat(expected).hasSameSizeAs(cases);

        for (int c = 0; c < cases.size(); c++) {
            Case testCase = cases.get(c);
            ClassificationMetrics actual = ClassificationMetrics.evaluate(testCase.truth(), testCase.probabilities(), testCase.labels());
            Map<String, double[]> sk = expected.get(c);
            String where = "case " + c + " (k=" + testCase.labels().size() + ", n=" + testCase.truth().length + ")";
            assertThat(actual.accuracy()).as(where + " accuracy").isCloseTo(sk.get("accuracy")[0], within(TOLERANCE));
            assertThat(actual.macroF1()).as(where + " macro-F1").isCloseTo(sk.get("macro_f1")[0], within(TOLERANCE));
            assertThat(actual.logLoss()).as(where + " log-loss").isCloseTo(sk.get("log_loss")[0], within(TOLERANCE));
            for (int k = 0; k < testCase.labels().size(); k++) {
                PerClassMetrics pc = actual.perClass().get(k);
                assertThat(pc.precision()).as(where + " precision[" + k + "]").isCloseTo(sk.get("precision")[k], within(TOLERANCE));
                assertThat(pc.recall()).as(where + " recall[" + k + "]").isCloseTo(sk.get("recall")[k], within(TOLERANCE));
                assertThat(pc.f1()).as(where + " f1[" + k + "]").isCloseTo(sk.get("f1")[k], within(TOLERANCE));
                assertThat((double) pc.support()).as(where + " support[" + k + "]").isEqualTo(sk.get("support")[k]);
            }
            double[] flat = Arrays.stream(actual.confusion()).flatMapToLong(Arrays::stream).asDoubleStream().toArray();
            assertThat(flat).as(where + " confusion").containsExactly(sk.get("confusion"));
        }
    }

    /**
     * Mixes ordinary cases with the awkward ones: a single example, a class never predicted (zero division), a class
     * absent from the truth, rows with exact zeros on the true class (log-loss clipping), and many classes.
     */
    private static List<Case> generateCases(Random random) {
        List<Case> cases = new ArrayList<>();
        int[][] shapes = {{2, 1}, {2, 50}, {3, 7}, {3, 200}, {5, 400}, {7, 120}, {2, 1000}, {4, 60}};
        for (int[] shape : shapes) {
            for (String twist : List.of("plain", "neverPredictLast", "noTrueFirst", "zeros")) {
                cases.add(generate(random, shape[0], shape[1], twist));
            }
        }
        return cases;
    }

    private static Case generate(Random random, int k, int n, String twist) {
        int[] truth = new int[n];
        double[][] probabilities = new double[n][];
        for (int i = 0; i < n; i++) {
            truth[i] = twist.equals("noTrueFirst") ? 1 + random.nextInt(k - 1) : random.nextInt(k);
            double[] row = ClassificationMetricsTest.randomRow(random, k);
            if (random.nextDouble() < 0.6) {
                row[truth[i]] += 1.5; // a model better than chance, so every metric is away from its trivial value
            }
            if (twist.equals("neverPredictLast")) {
                row[k - 1] = 0.01 * row[k - 1];
            }
            if (twist.equals("zeros") && random.nextDouble() < 0.1) {
                row[truth[i]] = 0.0;
            }
            double sum = Arrays.stream(row).sum();
            for (int j = 0; j < k; j++) {
                row[j] /= sum;
            }
            probabilities[i] = row;
        }
        List<String> labels = IntStream.range(0, k).mapToObj(j -> "label" + j).toList();
        return new Case(truth, probabilities, labels);
    }

    private static String render(List<Case> cases) {
        StringBuilder text = new StringBuilder();
        for (Case c : cases) {
            text.append("case ").append(c.labels().size()).append(' ').append(c.truth().length).append('\n');
            for (int i = 0; i < c.truth().length; i++) {
                text.append(c.truth()[i]);
                for (double p : c.probabilities()[i]) {
                    text.append(' ').append(p); // Double.toString round-trips exactly through Python's float()
                }
                text.append('\n');
            }
        }
        return text.toString();
    }

    private static Map<Integer, Map<String, double[]>> parse(String output) {
        Map<Integer, Map<String, double[]>> cases = new HashMap<>();
        Map<String, double[]> current = null;
        for (String line : output.split("\n")) {
            String[] parts = line.trim().split(" ");
            if (parts[0].isEmpty() || parts[0].equals("sklearn")) {
                continue;
            }
            if (parts[0].equals("case")) {
                current = new HashMap<>();
                cases.put(Integer.parseInt(parts[1]), current);
            } else {
                assertThat(current).as("output line before any case: " + line).isNotNull();
                current.put(parts[0], Arrays.stream(parts, 1, parts.length).mapToDouble(Double::parseDouble).toArray());
            }
        }
        return cases;
    }

    private static boolean sklearnAvailable() throws InterruptedException {
        if (!Files.isExecutable(PYTHON)) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import sklearn").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static String runPython(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(PYTHON.toString());
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("python finished").isTrue();
        assertThat(p.exitValue()).as("python exit status; output:\n" + output).isZero();
        return output;
    }
}
