package dev.streamtune.featurizer;

import dev.streamtune.model.TextEncoder;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.Split;
import dev.streamtune.schemas.DeadLetterHeaders;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.InMemorySchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** The loop's bookkeeping, with Kafka's in-memory client fakes and a fake encoder. */
class FeaturizerTest {
    private final InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
    private final AvroSerdeConfig serde = AvroSerdeConfig.of("mock://featurizer-test");
    private final Topics topics = Topics.defaults();

    /** A deterministic stand-in for the backbone: vector = [length, vowels], tokens = words + 2. */
    static final class FakeEncoder implements TextEncoder {
        final List<Integer> batchSizes = new ArrayList<>();

        @Override
        public String backboneId() {
            return "fake-backbone";
        }

        @Override
        public String backboneSha256() {
            return "00".repeat(32);
        }

        @Override
        public List<Encoded> encode(List<String> texts) {
            batchSizes.add(texts.size());
            return texts.stream().map(t -> new Encoded(new float[] {t.length(), t.replaceAll("[^aeiou]", "").length()},
                    t.split("\\s+").length + 2)).toList();
        }
    }

    @Test
    void encodesEachExampleOnceAndCommitsOffsetsInTheSameTransaction() throws Exception {
        MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        FakeEncoder encoder = new FakeEncoder();
        FeaturizerConfig config = new FeaturizerConfig("unused:9092", serde, topics, "g", "tx-0", 4, Duration.ofMillis(20));
        Featurizer featurizer = new Featurizer(config, encoder, registry, consumer, producer);

        TopicPartition train = new TopicPartition(topics.train(), 0);
        TopicPartition test = new TopicPartition(topics.test(), 0);
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(train, test));
            consumer.updateBeginningOffsets(Map.of(train, 0L, test, 0L));
            AvroSerializer<LabelledExample> w = new AvroSerializer<>(registry, serde, false);
            for (int i = 0; i < 9; i++) {
                LabelledExample e = LabelledExample.newBuilder().setId("e" + i).setTask("spam")
                        .setText("hello world number " + i).setLabel(i % 2 == 0 ? "ham" : "spam").build();
                TopicPartition tp = i < 6 ? train : test;
                consumer.addRecord(new ConsumerRecord<>(tp.topic(), 0, i < 6 ? i : i - 6, "e" + i, w.serialize(tp.topic(), e)));
            }
            consumer.addRecord(new ConsumerRecord<>(test.topic(), 0, 3, "junk", new byte[] {9, 9, 9}));
        });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<?> loop = pool.submit(featurizer);
        await("ten records encoded or rejected").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .failFast("the featurizer loop ended early", () -> finishedOrThrow(loop))
                .until(() -> featurizer.textsEncoded() + featurizer.rejected() >= 10);
        featurizer.stop();
        loop.get(10, TimeUnit.SECONDS); // rethrows whatever ended the loop
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();

        assertThat(producer.transactionCommitted()).isTrue();
        assertThat(producer.transactionAborted()).isFalse();
        assertThat(encoder.batchSizes).allSatisfy(n -> assertThat(n).isBetween(1, 4));

        AvroDeserializer<FeatureVector> reader = new AvroDeserializer<>(registry, serde, FeatureVector.class);
        Map<String, FeatureVector> byId = new HashMap<>();
        List<ProducerRecord<String, byte[]>> dlq = new ArrayList<>();
        for (ProducerRecord<String, byte[]> r : producer.history()) {
            if (r.topic().equals(topics.dlq())) {
                dlq.add(r);
            } else {
                assertThat(r.topic()).isEqualTo("features.fake-backbone");
                FeatureVector fv = reader.deserialize(r.topic(), r.value());
                assertThat(byId.put(fv.getExampleId(), fv)).as("one vector per example").isNull();
            }
        }
        assertThat(byId).hasSize(9);
        FeatureVector e7 = byId.get("e7");
        assertThat(e7.getSplit()).isEqualTo(Split.TEST);
        assertThat(e7.getLabel()).isEqualTo("spam");
        assertThat(e7.getVector()).containsExactly((float) "hello world number 7".length(), 5f);
        assertThat(e7.getTokens()).isEqualTo(6);
        assertThat(e7.getSourceTopic()).isEqualTo(topics.test());
        assertThat(e7.getSourceOffset()).isEqualTo(1L);

        assertThat(dlq).hasSize(1);
        assertThat(new String(dlq.get(0).headers().lastHeader(DeadLetterHeaders.REASON).value(), StandardCharsets.UTF_8))
                .isEqualTo("UNDECODABLE");
        assertThat(dlq.get(0).value()).containsExactly(9, 9, 9);

        // the offsets travel inside the transactions: the last committed position covers every record
        Map<TopicPartition, Long> committed = new HashMap<>();
        for (Map<String, Map<TopicPartition, OffsetAndMetadata>> perGroup : producer.consumerGroupOffsetsHistory()) {
            perGroup.values().forEach(offsets -> offsets.forEach((tp, o) -> committed.merge(tp, o.offset(), Math::max)));
        }
        assertThat(committed).containsEntry(train, 6L).containsEntry(test, 4L);
    }

    @Test
    void aTransactionHoldsSeveralBackboneBatchesAndCommitsOnce() throws Exception {
        MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
        MockProducer<String, byte[]> producer = new MockProducer<>(true, null, new StringSerializer(), new ByteArraySerializer());
        FakeEncoder encoder = new FakeEncoder();
        // batches of 2, three to a transaction; the wait is long so only the count closes the transaction
        FeaturizerConfig config = new FeaturizerConfig("unused:9092", serde, topics, "g", "tx-0", 2, Duration.ofMinutes(1), 3);
        Featurizer featurizer = new Featurizer(config, encoder, registry, consumer, producer);
        TopicPartition train = new TopicPartition(topics.train(), 0);
        consumer.schedulePollTask(() -> {
            consumer.rebalance(List.of(train));
            consumer.updateBeginningOffsets(Map.of(train, 0L));
            AvroSerializer<LabelledExample> w = new AvroSerializer<>(registry, serde, false);
            for (int i = 0; i < 6; i++) {
                LabelledExample e = LabelledExample.newBuilder().setId("e" + i).setTask("spam")
                        .setText("text " + i).setLabel("ham").build();
                consumer.addRecord(new ConsumerRecord<>(train.topic(), 0, i, "e" + i, w.serialize(train.topic(), e)));
            }
        });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        java.util.concurrent.Future<?> loop = pool.submit(featurizer);
        await("six texts encoded").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                .failFast("the featurizer loop ended early", () -> finishedOrThrow(loop))
                .until(() -> featurizer.textsEncoded() >= 6);
        featurizer.stop();
        loop.get(10, TimeUnit.SECONDS);
        pool.shutdown();

        assertThat(encoder.batchSizes).containsExactly(2, 2, 2);
        assertThat(producer.commitCount()).isEqualTo(1);
        assertThat(producer.history()).hasSize(6);
        assertThat(producer.consumerGroupOffsetsHistory()).hasSize(1);
        assertThat(producer.consumerGroupOffsetsHistory().get(0).values().iterator().next()).containsEntry(train, new OffsetAndMetadata(6L));
    }

    /** For {@code failFast}: throws whatever ended the loop, if it ended. */
    private static void finishedOrThrow(java.util.concurrent.Future<?> loop) throws Exception {
        if (loop.isDone()) {
            loop.get();
        }
    }
}
