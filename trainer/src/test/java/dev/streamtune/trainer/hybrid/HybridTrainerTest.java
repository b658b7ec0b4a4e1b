package dev.streamtune.trainer.hybrid;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.model.head.HeadSpec;
import dev.streamtune.model.hybrid.HybridClassifier;
import dev.streamtune.model.hybrid.HybridTechnique;
import dev.streamtune.model.hybrid.LexicalHasher;
import dev.streamtune.model.hybrid.LexicalTerms;
import dev.streamtune.model.technique.TechniqueSpec;
import dev.streamtune.trainer.CheckpointCodec;
import dev.streamtune.trainer.TrainingExample;
import dev.streamtune.trainer.TrainerState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Tag;

@Tag("model")
class HybridTrainerTest {
    private static final int DIM = 8;
    private static final List<String> LABELS = List.of("ham", "spam");

    private static HybridTrainer.Config config(int maxRetained) {
        return new HybridTrainer.Config(new TechniqueSpec(HybridTechnique.ID, HeadSpec.linear(DIM),
                Map.of(HybridTechnique.BUCKETS, "4096", HybridTechnique.C_GRID, "0.5,4,32")), maxRetained);
    }

    /** Spam says one of a few spam words, ham one of a few ham words; the embedding is noise. */
    private static TrainingExample lexical(Random random, int label) {
        String[] spam = {"winner", "free", "prize", "cash"};
        String[] ham = {"meeting", "lunch", "report", "tomorrow"};
        String[] filler = {"the", "and", "you", "this", "that", "with", "for", "our"};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            text.append(filler[random.nextInt(filler.length)]).append(' ');
        }
        text.append((label == 1 ? spam : ham)[random.nextInt(4)]);
        return new TrainingExample(noise(random, -1), label, 1f, LexicalHasher.terms(text));
    }

    /** The label is in the embedding's first coordinate; the words are noise. */
    private static TrainingExample embedded(Random random, int label) {
        String[] filler = {"the", "and", "you", "this", "that", "with", "for", "our", "meeting", "free"};
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            text.append(filler[random.nextInt(filler.length)]).append(' ');
        }
        return new TrainingExample(noise(random, label), label, 1f, LexicalHasher.terms(text));
    }

    private static float[] noise(Random random, int label) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) {
            v[d] = (float) random.nextGaussian();
        }
        if (label >= 0) {
            v[0] += label == 1 ? 3f : -3f;
        }
        return v;
    }

    private static double accuracy(HybridClassifier model, List<TrainingExample> examples) {
        int right = 0;
        for (TrainingExample e : examples) {
            float[] p = model.probabilities(e.features(), e.terms());
            right += (p[1] > p[0] ? 1 : 0) == e.labelIndex() ? 1 : 0;
        }
        return right / (double) examples.size();
    }

    private interface Maker {
        TrainingExample make(Random random, int label);
    }

    private static HybridTrainer trained(Maker maker, int train, int validation, long seed) {
        Random random = new Random(seed);
        HybridTrainer trainer = HybridTrainer.create(config(10_000), LABELS);
        List<TrainingExample> batch = new ArrayList<>();
        for (int i = 0; i < train; i++) {
            batch.add(maker.make(random, i % 3 == 0 ? 1 : 0));
        }
        trainer.step(batch);
        for (int i = 0; i < validation; i++) {
            int label = i % 3 == 0 ? 1 : 0;
            trainer.validation("v" + i, LABELS.get(label), maker.make(random, label));
        }
        trainer.consolidate();
        return trainer;
    }

    @Test
    void aLexicalTaskIsLearnedFromTheWordsAndSelectionKeepsThem() {
        HybridTrainer trainer = trained(HybridTrainerTest::lexical, 300, 90, 1);
        HybridClassifier model = trainer.classifier().orElseThrow();
        assertThat(model.lexicalScale()).isPositive();
        assertThat(trainer.trainingSettings().get("features")).contains("lexical");
        Random random = new Random(99);
        List<TrainingExample> test = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            test.add(lexical(random, i % 2));
        }
        assertThat(accuracy(model, test)).isGreaterThan(0.97);
        assertThat(Double.parseDouble(trainer.trainingSettings().get("selection_validation_macro_f1"))).isGreaterThan(0.95);
    }

    @Test
    void anEmbeddingTaskIsLearnedFromTheEmbeddingAndSelectionKeepsIt() {
        HybridTrainer trainer = trained(HybridTrainerTest::embedded, 300, 90, 2);
        HybridClassifier model = trainer.classifier().orElseThrow();
        assertThat(model.denseScale()).isPositive();
        Random random = new Random(98);
        List<TrainingExample> test = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            test.add(embedded(random, i % 2));
        }
        assertThat(accuracy(model, test)).isGreaterThan(0.95);
    }

    @Test
    void pastTheSelectionSampleTheSearchRunsOnASampleAndTheWinnerIsRefitOnEverything() {
        HybridTrainer trainer = trained(HybridTrainerTest::lexical, HybridTrainer.SELECTION_SAMPLE + 500, 90, 8);
        assertThat(trainer.trainingSettings()).containsEntry("retained",
                Integer.toString(HybridTrainer.SELECTION_SAMPLE + 500));
        assertThat(Double.parseDouble(trainer.trainingSettings().get("selection_validation_macro_f1"))).isGreaterThan(0.95);
        Random random = new Random(97);
        List<TrainingExample> test = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            test.add(lexical(random, i % 2));
        }
        assertThat(accuracy(trainer.classifier().orElseThrow(), test)).isGreaterThan(0.97);
    }

    @Test
    void theSearchRunsAgainWhenTheValidationSetGrowsButNotAtEveryPublish() {
        HybridTrainer trainer = trained(HybridTrainerTest::lexical, 300, 40, 9);
        assertThat(trainer.selections()).isEqualTo(1);
        Random random = new Random(9);
        trainer.step(List.of(lexical(random, 0), lexical(random, 1)));
        trainer.consolidate();
        assertThat(trainer.selections()).as("a few more examples: refit only").isEqualTo(1);
        for (int i = 0; i < 40; i++) {
            trainer.validation("more" + i, LABELS.get(i % 2), lexical(random, i % 2));
        }
        trainer.consolidate();
        assertThat(trainer.selections()).as("validation doubled: search again").isEqualTo(2);
    }

    @Test
    void warmStartsAreOnlyTheLatestSelectionRoundsSolutions() {
        HybridTrainer trainer = trained(HybridTrainerTest::lexical, 300, 40, 11);
        assertThat(trainer.warmStarts()).as("the first round searched the full data").isNotEmpty()
                .allMatch(key -> !key.startsWith("sample|"));
        Random random = new Random(11);
        List<TrainingExample> more = new ArrayList<>();
        for (int i = 0; i < HybridTrainer.SELECTION_SAMPLE + 200; i++) {
            more.add(lexical(random, i % 3 == 0 ? 1 : 0));
        }
        trainer.step(more);
        trainer.consolidate();
        assertThat(trainer.selections()).as("ten times the data: search again, on a sample").isEqualTo(2);
        // the first round's solutions are gone; the second's are kept, with the winner's refit on everything
        assertThat(trainer.warmStarts()).filteredOn(key -> !key.startsWith("sample|")).hasSize(1);
        assertThat(trainer.warmStarts()).filteredOn(key -> key.startsWith("sample|")).isNotEmpty();
        trainer.step(List.of(lexical(random, 0), lexical(random, 1)));
        trainer.consolidate();
        assertThat(trainer.selections()).as("a refit between rounds").isEqualTo(2);
        assertThat(trainer.warmStarts()).filteredOn(key -> !key.startsWith("sample|")).hasSize(1);
    }

    @Test
    void withTooFewValidationExamplesItFitsTheMiddleOfTheGridOnBothHalves() {
        HybridTrainer trainer = trained(HybridTrainerTest::lexical, 100, 5, 3);
        assertThat(trainer.trainingSettings()).containsEntry("features", "lexical+embedding").containsEntry("c", "4")
                .containsEntry("selection_validation_examples", "5");
    }

    @Test
    void aStepReportsThePrequentialLossOfTheCurrentModelAndOnlyRetains() {
        Random random = new Random(4);
        HybridTrainer trainer = trained(HybridTrainerTest::lexical, 300, 60, 4);
        List<TrainingExample> next = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            next.add(lexical(random, i % 2));
        }
        float loss = trainer.step(next).loss();
        assertThat(loss).isLessThan((float) Math.log(2) / 2);
        assertThat(trainer.examplesSeen()).isEqualTo(350);
        assertThat(trainer.retainedCount()).isEqualTo(350);
        assertThat(trainer.rehearse(16)).isEmpty();
    }

    @Test
    void theRetainedSetIsBoundedOldestFirst() {
        HybridTrainer trainer = HybridTrainer.create(config(100), LABELS);
        Random random = new Random(5);
        List<TrainingExample> batch = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            batch.add(lexical(random, i % 2));
        }
        trainer.step(batch);
        assertThat(trainer.retainedCount()).isEqualTo(100);
        assertThat(trainer.examplesSeen()).isEqualTo(250);
    }

    @Test
    void theValidationSetIsBoundedToAQuarterOfTheRetainedOnes() {
        HybridTrainer trainer = HybridTrainer.create(config(100), LABELS);
        Random random = new Random(6);
        for (int i = 0; i < 60; i++) {
            trainer.validation("v" + i, LABELS.get(i % 2), lexical(random, i % 2));
        }
        // a correction of a kept example replaces it in place and evicts nothing
        trainer.validation("v59", "ham", lexical(random, 0));
        assertThat(trainer.validationCount()).isEqualTo(25);
    }

    @Test
    void aCheckpointRestoresTheFittedModelBitForBitAndTheRetainedExamplesComeBackByReReading() throws Exception {
        HybridTrainer trainer = trained(HybridTrainerTest::lexical, 200, 60, 6);
        TrainerState state = trainer.snapshot(Map.of("features:0", 42L));
        TrainerState decoded = CheckpointCodec.decode(CheckpointCodec.encode(state));
        HybridTrainer restored = HybridTrainer.restore(config(10_000), decoded);
        assertThat(restored.delta().sha256()).isEqualTo(trainer.delta().sha256());
        assertThat(restored.examplesSeen()).isEqualTo(200);
        assertThat(restored.trainingSettings()).containsEntry("c", trainer.trainingSettings().get("c"));
        assertThat(restored.retainedCount()).isZero();
        Random random = new Random(6);
        for (int i = 0; i < 200; i++) {
            restored.restoreRetained(lexical(random, i % 3 == 0 ? 1 : 0));
        }
        assertThat(restored.retainedCount()).isEqualTo(200);
        assertThat(restored.examplesSeen()).isEqualTo(200);
    }

    @Test
    void aNewLabelGrowsTheModelAtTheNextFit() {
        HybridTrainer trainer = trained(HybridTrainerTest::lexical, 120, 40, 7);
        int third = trainer.addLabel("phish");
        assertThat(third).isEqualTo(2);
        Random random = new Random(7);
        trainer.step(List.of(new TrainingExample(noise(random, -1), 2, 1f, LexicalHasher.terms("verify your account"))));
        trainer.consolidate();
        assertThat(trainer.classifier().orElseThrow().labelCount()).isEqualTo(3);
        assertThat(trainer.labels()).containsExactly("ham", "spam", "phish");
    }

    @Test
    void anEmbeddingOfTheWrongWidthIsRefused() {
        HybridTrainer trainer = HybridTrainer.create(config(10), LABELS);
        assertThatThrownBy(() -> trainer.step(List.of(new TrainingExample(new float[3], 0, 1f, LexicalTerms.EMPTY))))
                .hasMessageContaining("expects " + DIM);
    }
}
