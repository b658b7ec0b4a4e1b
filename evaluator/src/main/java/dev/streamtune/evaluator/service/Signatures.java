package dev.streamtune.evaluator.service;

import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.schemas.DeadLetterHeaders;
import dev.streamtune.schemas.signing.ModelTrust;
import dev.streamtune.schemas.signing.SignatureRefusedException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluator's end of the signature chain: candidates are scored only when a trusted trainer key signed them,
 * the champion it judges against is only an update it signed itself, and every update it publishes carries its
 * signature. Refusals are logged, counted by reason, and refused candidates go to the dead-letter topic.
 */
final class Signatures {
    private static final Logger LOG = LoggerFactory.getLogger(Signatures.class);

    private final ModelTrust trust;
    private final Map<String, Long> refusedCandidates = new ConcurrentHashMap<>();
    private final Map<String, Long> refusedUpdates = new ConcurrentHashMap<>();

    Signatures(ModelTrust trust) {
        this.trust = trust;
    }

    ModelUpdate sign(ModelUpdate update) {
        return trust.signer().sign(update);
    }

    /** Empty when a trusted trainer signed {@code candidate}; otherwise its dead letter. */
    Optional<Output.DeadLetter> refuse(ModelVersion candidate, ConsumerRecord<String, byte[]> record) {
        try {
            trust.trusted().verify(candidate);
            return Optional.empty();
        } catch (SignatureRefusedException e) {
            String reason = "CANDIDATE_" + e.reason();
            refusedCandidates.merge(reason, 1L, Long::sum);
            LOG.warn("task '{}': refused candidate version {} at {}-{}@{}, not scored: {}", candidate.getTask(),
                    candidate.getVersion(), record.topic(), record.partition(), record.offset(), e.getMessage());
            return Optional.of(new Output.DeadLetter(candidate.getTask(), record.topic(), record.partition(),
                    record.offset(), record.value(), reason, e.getMessage()));
        }
    }

    /** Whether this evaluator's key signed {@code update}; a forgery on the updates topic is logged and counted. */
    boolean isOwn(ModelUpdate update, ConsumerRecord<String, byte[]> record) {
        try {
            trust.signer().asTrusted().verify(update);
            return true;
        } catch (SignatureRefusedException e) {
            refusedUpdates.merge("UPDATE_" + e.reason(), 1L, Long::sum);
            LOG.warn("ignoring update at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.getMessage());
            return false;
        }
    }

    ProducerRecord<String, byte[]> deadLetter(Output.DeadLetter d, String dlqTopic) {
        ProducerRecord<String, byte[]> out = new ProducerRecord<>(dlqTopic, d.task(), d.value());
        out.headers().add(DeadLetterHeaders.REASON, bytes(d.reason())).add(DeadLetterHeaders.MESSAGE, bytes(d.message()))
                .add(DeadLetterHeaders.SOURCE_TOPIC, bytes(d.topic()))
                .add(DeadLetterHeaders.SOURCE_PARTITION, bytes(Integer.toString(d.partition())))
                .add(DeadLetterHeaders.SOURCE_OFFSET, bytes(Long.toString(d.offset())))
                .add(DeadLetterHeaders.SERVICE, bytes(EvaluatorConfig.SOURCE));
        return out;
    }

    Map<String, Long> refusedCandidates() {
        return Map.copyOf(refusedCandidates);
    }

    Map<String, Long> refusedUpdates() {
        return Map.copyOf(refusedUpdates);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
