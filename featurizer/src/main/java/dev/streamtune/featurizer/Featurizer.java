package dev.streamtune.featurizer;

import dev.streamtune.model.TextEncoder;
import dev.streamtune.avro.FeatureVector;
import dev.streamtune.model.hybrid.LexicalHasher;
import dev.streamtune.model.hybrid.LexicalTerms;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.Split;
import dev.streamtune.schemas.DeadLetterHeaders;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.SchemaRegistryClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the frozen backbone once per validated example: a transactional consume-transform-produce
 * loop from the three split topics to {@code features.<backbone>}. Each batch's feature vectors
 * and the consumer offsets that produced them commit in one transaction, so after a crash every
 * example has exactly one committed vector (readers use read_committed).
 *
 * <p>Records are batched by count and by time: a partial transaction waits at most {@code maxWait}.
 * A transaction holds {@code batchesPerTransaction} backbone batches: more batches per transaction
 * mean fewer commits (each writes a marker to every partition it touched), fewer mean less work
 * redone after a crash.
 */
public final class Featurizer implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Featurizer.class);
    public static final String CORRECTION_HEADER = "streamtune.correction";

    private final FeaturizerConfig config;
    private final TextEncoder encoder;
    private final Consumer<String, byte[]> consumer;
    private final Producer<String, byte[]> producer;
    private final AvroDeserializer<LabelledExample> exampleReader;
    private final AvroSerializer<FeatureVector> featureWriter;
    private final String featuresTopic;
    private final Map<String, Split> splitByTopic;
    private final List<ConsumerRecord<String, byte[]>> pending = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong texts = new AtomicLong();
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private long firstPendingAtNanos;

    public Featurizer(FeaturizerConfig config, TextEncoder encoder, SchemaRegistryClient registry,
                      Consumer<String, byte[]> consumer, Producer<String, byte[]> producer) {
        this.config = config;
        this.encoder = encoder;
        this.consumer = consumer;
        this.producer = producer;
        this.exampleReader = new AvroDeserializer<>(registry, config.serde(), LabelledExample.class);
        this.featureWriter = new AvroSerializer<>(registry, config.serde(), false);
        this.featuresTopic = config.topics().features(encoder.backboneId());
        this.splitByTopic = Map.of(config.topics().train(), Split.TRAIN,
                config.topics().validation(), Split.VALIDATION, config.topics().test(), Split.TEST);
    }

    public String featuresTopic() {
        return featuresTopic;
    }

    public long textsEncoded() {
        return texts.get();
    }

    public long tokensEncoded() {
        return tokens.get();
    }

    public long rejected() {
        return rejected.get();
    }

    /** Asks the loop to finish its current batch and return. */
    public void stop() {
        running.set(false);
        consumer.wakeup();
    }

    @Override
    public void run() {
        producer.initTransactions();
        consumer.subscribe(config.topics().splits(), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                // commit what we hold while we still own it; the next owner starts after it
                flush();
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
        });
        Duration poll = Duration.ofMillis(Math.max(10, Math.min(100, config.maxWait().toMillis())));
        try {
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(poll)) {
                    if (pending.isEmpty()) {
                        firstPendingAtNanos = System.nanoTime();
                    }
                    pending.add(r);
                }
                boolean full = pending.size() >= config.transactionSize();
                boolean waitedEnough = !pending.isEmpty()
                        && System.nanoTime() - firstPendingAtNanos >= config.maxWait().toNanos();
                if (full || waitedEnough) {
                    flush();
                }
            }
            flush();
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            if (running.get()) {
                throw e;
            }
            flush();
        }
    }

    private void flush() {
        while (!pending.isEmpty()) {
            int n = Math.min(config.transactionSize(), pending.size());
            List<ConsumerRecord<String, byte[]>> batch = new ArrayList<>(pending.subList(0, n));
            pending.subList(0, n).clear();
            process(batch);
        }
    }

    private void process(List<ConsumerRecord<String, byte[]>> batch) {
        List<ConsumerRecord<String, byte[]>> good = new ArrayList<>(batch.size());
        List<LabelledExample> examples = new ArrayList<>(batch.size());
        List<ProducerRecord<String, byte[]>> deadLetters = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            try {
                LabelledExample e = exampleReader.deserialize(r.topic(), r.value());
                if (e == null || e.getText() == null || e.getId() == null || e.getLabel() == null || e.getTask() == null) {
                    deadLetters.add(deadLetter(r, "MISSING_FIELD", "a split record must carry id, task, text and label"));
                    continue;
                }
                good.add(r);
                examples.add(e);
            } catch (SerializationException ex) {
                deadLetters.add(deadLetter(r, "UNDECODABLE", ex.getMessage()));
            }
        }
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            offsets.merge(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
        }
        try {
            producer.beginTransaction();
            long batchTokens = 0;
            // one backbone call per batch; each batch's vectors go out as soon as they exist, so the
            // broker holds them (uncommitted) while the next batch of the transaction is encoded
            for (int from = 0; from < good.size(); from += config.batchSize()) {
                int to = Math.min(good.size(), from + config.batchSize());
                List<TextEncoder.Encoded> encoded = encoder.encode(
                        examples.subList(from, to).stream().map(LabelledExample::getText).toList());
                for (int i = from; i < to; i++) {
                    ConsumerRecord<String, byte[]> r = good.get(i);
                    FeatureVector fv = toFeatures(r, examples.get(i), encoded.get(i - from));
                    batchTokens += fv.getTokens();
                    // keep the example's time; a record without one (-1) gets the broker's
                    Long timestamp = r.timestamp() >= 0 ? r.timestamp() : null;
                    producer.send(new ProducerRecord<>(featuresTopic, null, timestamp, fv.getExampleId(),
                            featureWriter.serialize(featuresTopic, fv)));
                }
            }
            for (ProducerRecord<String, byte[]> dl : deadLetters) {
                producer.send(dl);
            }
            producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
            producer.commitTransaction();
            texts.addAndGet(good.size());
            tokens.addAndGet(batchTokens);
            rejected.addAndGet(deadLetters.size());
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException fatal) {
            // another instance with our transactional id took over, or we may not write: stop here
            running.set(false);
            throw fatal;
        } catch (KafkaException e) {
            log.warn("featurizer transaction aborted, the batch of {} will be re-read: {}", batch.size(), e.toString());
            producer.abortTransaction();
            rewind(batch);
        } catch (RuntimeException bug) {
            // never leave a transaction open behind an unexpected failure
            producer.abortTransaction();
            throw bug;
        }
    }

    private void rewind(List<ConsumerRecord<String, byte[]>> batch) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<String, byte[]> r : batch) {
            first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
        }
        for (ConsumerRecord<String, byte[]> r : pending) {
            first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
        }
        pending.clear();
        first.forEach(consumer::seek);
    }

    private FeatureVector toFeatures(ConsumerRecord<String, byte[]> r, LabelledExample e, TextEncoder.Encoded enc) {
        List<Float> vector = new ArrayList<>(enc.vector().length);
        for (float v : enc.vector()) {
            vector.add(v);
        }
        Header correction = r.headers().lastHeader(CORRECTION_HEADER);
        // the whole text's word n-grams, not just the encoder's first tokens: the hybrid technique's lexical half
        LexicalTerms terms = LexicalHasher.terms(e.getText());
        return FeatureVector.newBuilder()
                .setExampleId(e.getId())
                .setTask(e.getTask())
                .setLabel(e.getLabel())
                .setSplit(splitByTopic.getOrDefault(r.topic(), Split.UNSPECIFIED))
                .setWeight(e.getWeight() == null ? 1.0 : e.getWeight())
                .setBackbone(encoder.backboneId())
                .setBackboneSha256(encoder.backboneSha256())
                .setVector(vector)
                .setTokens(enc.tokens())
                .setTerms(toList(terms.hashes()))
                .setTermCounts(toList(terms.counts()))
                .setCorrection(correction != null && "true".equals(new String(correction.value(), StandardCharsets.UTF_8)))
                .setEventTime(e.getEventTime())
                .setSourceTopic(r.topic())
                .setSourcePartition(r.partition())
                .setSourceOffset(r.offset())
                .build();
    }

    private static List<Integer> toList(int[] values) {
        List<Integer> list = new ArrayList<>(values.length);
        for (int v : values) {
            list.add(v);
        }
        return list;
    }

    private ProducerRecord<String, byte[]> deadLetter(ConsumerRecord<String, byte[]> r, String reason, String message) {
        RecordHeaders headers = new RecordHeaders(r.headers().toArray());
        headers.add(DeadLetterHeaders.REASON, reason.getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.MESSAGE, String.valueOf(message).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_TOPIC, r.topic().getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_PARTITION, Integer.toString(r.partition()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SOURCE_OFFSET, Long.toString(r.offset()).getBytes(StandardCharsets.UTF_8));
        headers.add(DeadLetterHeaders.SERVICE, "featurizer".getBytes(StandardCharsets.UTF_8));
        return new ProducerRecord<>(config.topics().dlq(), null, r.key(), r.value(), headers);
    }

    @Override
    public void close() {
        stop();
    }
}
