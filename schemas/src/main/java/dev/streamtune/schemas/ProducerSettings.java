package dev.streamtune.schemas;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * The settings every producer uses (the services' transactional producers, {@code produce} and the
 * demo's corpus producer, the registry's store, the tests' producers): acknowledged by all in-sync
 * replicas, idempotent, and one request in flight per connection. Ingest's Kafka Streams producer
 * sets the same through its {@code producer.} prefix.
 *
 * <p>One in flight because of KAFKA-14359: when a partition's first batch (sequence 0) fails with a
 * retriable error (a request timeout on a loaded machine, a leader change) while the next batch is
 * already in flight, the broker accepts that next batch (a producer it has no state for may start at
 * any sequence), and every retry of the first is then refused with {@code OutOfOrderSequenceException}
 * ("0 (incoming seq. number), 22 (current end sequence number)") until the delivery timeout fails it:
 * its records are lost and the broker logs an ERROR per retry. With one request in flight the second
 * batch waits for the first, so that order cannot arise; the accumulator still fills each request with
 * every partition's pending records, so throughput on a local cluster is unchanged. Transactional
 * producers under transactions v2 have a second reason (KAFKA-18202): a transaction's first write to
 * a partition is verified asynchronously, and a second batch to it sent meanwhile is refused with
 * "Expected sequence 0 for transactions v2 idempotent producer with no existing state", logged as an
 * ERROR on every fresh start.
 */
public final class ProducerSettings {

    private ProducerSettings() {}

    /** {@code base} plus {@code acks=all}, idempotence and one request in flight; returns a new map. */
    public static Map<String, Object> idempotentInOrder(Map<String, ?> base) {
        Map<String, Object> props = new HashMap<>(base);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
        return props;
    }

    /** {@link #idempotentInOrder} plus {@code transactional.id}; returns a new map. */
    public static Map<String, Object> transactional(Map<String, ?> base, String transactionalId) {
        Map<String, Object> props = idempotentInOrder(base);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return props;
    }
}
