package dev.streamtune.featurizer;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.Split;
import dev.streamtune.datasets.CorpusExample;
import dev.streamtune.datasets.LoadOptions;
import dev.streamtune.datasets.SpamAssassin;
import dev.streamtune.ingest.BrokerAndRegistry;
import dev.streamtune.schemas.Topics;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.serde.SchemaRegistryClients;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Corpus emails written to the split topics as ingest writes them, with where each one landed. */
final class SplitRecords {
    static final String TASK = "spam";

    /** One produced example and its position in its split topic. */
    record Source(CorpusExample example, Split split, String topic, int partition, long offset) {}

    private SplitRecords() {
    }

    static List<CorpusExample> corpus(int n) {
        // the featurizer reads at most max-tokens of a text, so shorter texts change nothing but speed
        return SpamAssassin.sample(n, 7).examples().stream().map(e -> e.truncatedTo(2_000)).toList();
    }

    /** Produces {@code examples} to train/validation/test (about 80/10/10 by id); returns them by id. */
    static Map<String, Source> produce(BrokerAndRegistry platform, Topics topics, List<CorpusExample> examples)
            throws Exception {
        SchemaRegistryClient registry = SchemaRegistryClients.create(platform.serde());
        AvroSerializer<LabelledExample> serializer = new AvroSerializer<>(registry, platform.serde(), false);
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        List<Split> splits = new ArrayList<>();
        try (KafkaProducer<String, byte[]> producer = platform.cluster().producer(new StringSerializer(),
                new ByteArraySerializer(), Map.of())) {
            for (CorpusExample e : examples) {
                int bucket = Math.floorMod(e.id().hashCode(), 10);
                Split split = bucket < 8 ? Split.TRAIN : bucket == 8 ? Split.VALIDATION : Split.TEST;
                String topic = split == Split.TRAIN ? topics.train() : split == Split.VALIDATION ? topics.validation() : topics.test();
                LabelledExample value = LabelledExample.newBuilder().setId(e.id()).setTask(TASK).setText(e.text())
                        .setLabel(e.label()).setWeight(1.0).setSplit(split).setMetadata(Map.of("group", e.group())).build();
                sent.add(producer.send(new ProducerRecord<>(topic, e.id(), serializer.serialize(topic, value))));
                splits.add(split);
            }
            producer.flush();
        }
        Map<String, Source> byId = new LinkedHashMap<>();
        for (int i = 0; i < examples.size(); i++) {
            RecordMetadata m = sent.get(i).get();
            byId.put(examples.get(i).id(), new Source(examples.get(i), splits.get(i), m.topic(), m.partition(), m.offset()));
        }
        return byId;
    }

    /** Every committed feature vector on {@code topic}, decoded with the real registry. */
    static List<FeatureVector> readFeatures(BrokerAndRegistry platform, String topic) {
        SchemaRegistryClient registry = SchemaRegistryClients.create(platform.serde());
        AvroDeserializer<FeatureVector> reader = new AvroDeserializer<>(registry, platform.serde(), FeatureVector.class);
        List<FeatureVector> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : platform.cluster().readAllBytes(topic)) {
            out.add(reader.deserialize(topic, r.value()));
        }
        return out;
    }

    static void createSplitTopics(BrokerAndRegistry platform, Topics topics, int partitions) {
        platform.cluster().createTopics(partitions, topics.train(), topics.validation(), topics.test(), topics.dlq());
    }
}
