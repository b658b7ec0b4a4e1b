package dev.streamtune.app;

import dev.streamtune.avro.LabelledExample;
import dev.streamtune.datasets.Corpus;
import dev.streamtune.datasets.CorpusExample;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import dev.streamtune.schemas.ProducerSettings;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Streams a bundled corpus to examples.raw as a producer outside the pipeline would: real Avro in
 * the Confluent wire format, keyed by example id, optionally paced. Shared by the demo and the
 * freshness benchmark.
 */
final class CorpusProducer {

    /** Called once per acknowledged record with the example id and the record's CreateTime. */
    @FunctionalInterface
    interface Acknowledged {
        void sent(String exampleId, long timestampMillis);
    }

    private CorpusProducer() {}

    /**
     * Sends every example of {@code corpus} as task {@code task}; {@code rate} examples per second,
     * or as fast as the broker takes them when {@code rate <= 0}. Returns after the last is flushed.
     * {@code kafka} holds {@code bootstrap.servers} and the security settings.
     */
    static void produce(Map<String, Object> kafka, SchemaRegistryClient registry, AvroSerdeConfig serde, String topic,
                        String task, Corpus corpus, double rate, Acknowledged acknowledged) throws InterruptedException {
        Map<String, Object> props = ProducerSettings.idempotentInOrder(kafka);
        // paced records go out at once, so their timestamps are when they were produced
        props.put(ProducerConfig.LINGER_MS_CONFIG, rate > 0 ? 0 : 10);
        AvroSerializer<LabelledExample> serializer = new AvroSerializer<>(registry, serde, false);
        long start = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer())) {
            long i = 0;
            for (CorpusExample e : corpus.examples()) {
                if (rate > 0) {
                    long wait = start + (long) (i / rate * 1e9) - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
                LabelledExample example = LabelledExample.newBuilder().setId(e.id()).setTask(task).setText(e.text())
                        .setLabel(e.label()).setSource(corpus.name()).setMetadata(Map.of("group", e.group())).build();
                producer.send(new ProducerRecord<>(topic, e.id(), serializer.serialize(topic, example)), (meta, error) -> {
                    if (error == null) {
                        acknowledged.sent(e.id(), meta.timestamp());
                    } else {
                        System.err.println("could not produce " + e.id() + ": " + error.getMessage());
                    }
                });
                i++;
            }
            producer.flush();
        }
    }
}
