package dev.streamtune.featurizer;

import dev.streamtune.model.TextEncoder;
import dev.streamtune.model.SentenceEmbedder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.ingest.BrokerAndRegistry;
import dev.streamtune.model.backbone.MiniLmL6V2Provider;
import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The featurizer service on the test cluster with the real registry and the real MiniLM in ONNX
 * Runtime: a few hundred corpus emails on the split topics get exactly one committed, correct
 * feature vector each.
 */
class FeaturizerIT {
    private static final int EXAMPLES = 160;
    private static final int MAX_TOKENS = 128;

    @Test
    void everyExampleGetsExactlyOneCommittedCorrectFeatureVector() throws Exception {
        try (BrokerAndRegistry platform = BrokerAndRegistry.start()) {
            String prefix = "feat-" + UUID.randomUUID().toString().substring(0, 6) + ".";
            Topics topics = Topics.withPrefix(prefix);
            SplitRecords.createSplitTopics(platform, topics, 3);
            Map<String, SplitRecords.Source> sources = SplitRecords.produce(platform, topics, SplitRecords.corpus(EXAMPLES));
            FeaturizerServiceConfig config = new FeaturizerServiceConfig(platform.bootstrapServers(), platform.registryUrl(),
                    MiniLmL6V2Provider.ID, 16, Duration.ofMillis(100), MAX_TOKENS, 2, prefix, prefix + "featurizer",
                    prefix + "featurizer-0", 2, Duration.ofSeconds(2), 2, KafkaClientProperties.none());
            String featuresTopic = topics.features(MiniLmL6V2Provider.ID);

            ExecutorService runner = Executors.newSingleThreadExecutor();
            long start = System.nanoTime();
            try (FeaturizerService service = new FeaturizerService(config)) {
                Future<Integer> exit = runner.submit(service::run);
                platform.readUntil(List.of(featuresTopic), r -> r.size() >= EXAMPLES, Duration.ofSeconds(120),
                        Duration.ofSeconds(2), null);
                double seconds = (System.nanoTime() - start) / 1e9;
                System.out.printf("FeaturizerIT on %s: %d texts featurized in %.1f s (%.1f texts/s incl. model load)%n",
                        platform.cluster().kind(), EXAMPLES, seconds, EXAMPLES / seconds);
                service.stop();
                assertThat(exit.get(30, TimeUnit.SECONDS)).isZero();
                assertThat(service.featurizer().textsEncoded()).isEqualTo(EXAMPLES);
            } finally {
                runner.shutdownNow();
            }

            List<FeatureVector> features = SplitRecords.readFeatures(platform, featuresTopic);
            assertThat(features).hasSize(EXAMPLES);
            Map<String, FeatureVector> byId = new HashMap<>();
            features.forEach(f -> assertThat(byId.put(f.getExampleId(), f)).as("second vector for %s", f.getExampleId()).isNull());
            assertThat(byId.keySet()).containsExactlyInAnyOrderElementsOf(sources.keySet());

            try (SentenceEmbedder reference = SentenceEmbedder.open(config.embedderConfig())) {
                assertThat(reference.backboneSha256()).matches("[0-9a-f]{64}");
                for (FeatureVector f : features) {
                    SplitRecords.Source s = sources.get(f.getExampleId());
                    assertThat(f.getSplit()).isEqualTo(s.split());
                    assertThat(f.getLabel()).isEqualTo(s.example().label());
                    assertThat(f.getTask()).isEqualTo(SplitRecords.TASK);
                    assertThat(f.getSourceTopic()).isEqualTo(s.topic());
                    assertThat(f.getSourcePartition()).isEqualTo(s.partition());
                    assertThat(f.getSourceOffset()).isEqualTo(s.offset());
                    assertThat(f.getBackbone()).isEqualTo(MiniLmL6V2Provider.ID);
                    assertThat(f.getBackboneSha256()).isEqualTo(reference.backboneSha256());
                    assertThat(f.getVector()).hasSize(384);
                    double norm = 0;
                    for (float v : f.getVector()) {
                        norm += (double) v * v;
                    }
                    assertThat(Math.sqrt(norm)).isCloseTo(1.0, within(1e-4));
                    assertThat(f.getTokens()).isBetween(3, MAX_TOKENS);
                }
                // a few against the backbone run directly: same tokens, same vector
                List<FeatureVector> someFeatures = features.subList(0, 6);
                List<TextEncoder.Encoded> direct = reference.encode(someFeatures.stream()
                        .map(f -> sources.get(f.getExampleId()).example().text()).toList());
                for (int i = 0; i < someFeatures.size(); i++) {
                    assertThat(someFeatures.get(i).getTokens()).isEqualTo(direct.get(i).tokens());
                    for (int d = 0; d < 384; d++) {
                        assertThat(someFeatures.get(i).getVector().get(d)).isCloseTo(direct.get(i).vector()[d], within(1e-5f));
                    }
                }
                // long emails were cut at max tokens
                assertThat(features).anySatisfy(f -> assertThat(f.getTokens()).isEqualTo(MAX_TOKENS));
            }
        }
    }
}
