package dev.streamtune.bench.peft;

import dev.streamtune.model.peft.*;
import dev.streamtune.datasets.Corpus;
import dev.streamtune.datasets.CorpusExample;
import dev.streamtune.datasets.FortuneCategories;
import dev.streamtune.datasets.LoadOptions;
import dev.streamtune.datasets.SpamAssassin;
import dev.streamtune.datasets.WordNetSenses;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.backbone.BackboneTokenizer;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.model.backbone.TokenizedText;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link PeftInputs} from the corpora shipped in the datasets module, tokenized by MiniLM's own
 * tokenizer: a stratified SpamAssassin sample split into train and test, and (when ATTEMPT runs)
 * balanced samples of the fortune categories and WordNet noun senses as source tasks.
 */
public final class PeftCorpusInputs {
    /** Fortunes and glosses are short: 64 tokens hold nearly all of them. */
    private static final int SOURCE_TOKENS = 64;

    private PeftCorpusInputs() {
    }

    /** Token limit of the source tasks. */
    static int sourceTokens(PeftBenchmarkConfig config) {
        return Math.min(SOURCE_TOKENS, config.maxTokens());
    }

    public static PeftInputs load(PeftBenchmarkConfig config) {
        Backbone backbone = BackboneRegistry.standard().byId(MiniLmL6V2Provider.ID);
        // emails can run to 20,000 characters; the first few thousand hold far more than maxTokens word pieces
        Corpus sample = SpamAssassin.load(LoadOptions.truncatedTo(4000))
                .stratifiedSample(config.trainExamples() + config.testExamples(), config.seed());
        List<String> labels = List.copyOf(sample.labels());
        List<CorpusExample> train = sample.examples().subList(0, config.trainExamples());
        List<CorpusExample> test = sample.examples().subList(config.trainExamples(), sample.size());
        Map<String, TokenSet> sources = new LinkedHashMap<>();
        try (BackboneTokenizer tokenizer = BackboneTokenizer.load(backbone, config.maxTokens())) {
            TokenSet trainSet = encode(tokenizer, train, labels);
            TokenSet testSet = encode(tokenizer, test, labels);
            if (config.techniques().contains(AttemptTechnique.ID)) {
                try (BackboneTokenizer shorter = BackboneTokenizer.load(backbone, sourceTokens(config))) {
                    for (Map.Entry<String, Corpus> task : sourceCorpora(config).entrySet()) {
                        sources.put(task.getKey(), encode(shorter, task.getValue().examples(),
                                List.copyOf(task.getValue().labels())));
                    }
                }
            }
            return new PeftInputs(trainSet, testSet, sources);
        }
    }

    private static Map<String, Corpus> sourceCorpora(PeftBenchmarkConfig config) {
        Map<String, Corpus> tasks = new LinkedHashMap<>();
        tasks.put("fortunes", sourceSample(FortuneCategories.load(LoadOptions.truncatedTo(1000)), config));
        tasks.put("wordnet-senses", sourceSample(WordNetSenses.load(LoadOptions.truncatedTo(1000)), config));
        return tasks;
    }

    /** About {@code sourceExamples} examples, balanced over the task's labels. */
    private static Corpus sourceSample(Corpus corpus, PeftBenchmarkConfig config) {
        int perLabel = Math.max(1, config.sourceExamples() / corpus.labels().size());
        Corpus balanced = corpus.balancedSample(perLabel, config.seed());
        List<CorpusExample> examples = balanced.examples();
        return new Corpus(balanced.name(), examples.subList(0, Math.min(examples.size(), config.sourceExamples())));
    }

    private static TokenSet encode(BackboneTokenizer tokenizer, List<CorpusExample> examples, List<String> labels) {
        List<TokenizedText> tokens = tokenizer.encodeAll(examples.stream().map(CorpusExample::text).toList());
        int[][] ids = new int[tokens.size()][];
        int[][] mask = new int[tokens.size()][];
        int[] labelIndex = new int[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            ids[i] = tokens.get(i).intIds();
            mask[i] = tokens.get(i).intMask();
            labelIndex[i] = labels.indexOf(examples.get(i).label());
        }
        return new TokenSet(ids, mask, labelIndex, labels);
    }
}
