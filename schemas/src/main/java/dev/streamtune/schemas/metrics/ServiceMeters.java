package dev.streamtune.schemas.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClient;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The one way a service offers its meters: each service owns one of these, records its domain meters into
 * {@link #registry()} whenever it likes (tasks and reasons appear while it runs), adds Micrometer's binders of
 * its Kafka clients, and whoever serves {@code /metrics} binds it into a Prometheus registry: a service's own
 * endpoint under {@code serve}, or the dashboard's under {@code up}. Meters follow Micrometer's dotted naming;
 * the Prometheus registry renders them with Prometheus conventions ({@code _total} for counters,
 * {@code _seconds} for timers).
 *
 * <p>The home registry is a composite: a meter registered before the service is bound still appears in
 * every registry bound later, so services need not know whether anyone scrapes them.
 */
public final class ServiceMeters implements MeterBinder, AutoCloseable {
    private final CompositeMeterRegistry registry = new CompositeMeterRegistry();
    private final List<AutoCloseable> binders = new CopyOnWriteArrayList<>();

    /** Where the service registers its own meters. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Binds {@code binder} (e.g. a service's domain counters) into this service's meters. */
    public ServiceMeters add(MeterBinder binder) {
        binder.bindTo(registry);
        if (binder instanceof AutoCloseable closeable) {
            binders.add(closeable);
        }
        return this;
    }

    /**
     * Micrometer's {@link KafkaClientMetrics} for one client of the service: a producer, a consumer or an admin
     * client. Clients a service opens later (after a restart of its loop) are added then; a closed client's
     * meters go away with it.
     */
    public ServiceMeters addKafkaClient(Object client) {
        KafkaClientMetrics metrics;
        if (client instanceof Producer<?, ?> producer) {
            metrics = new KafkaClientMetrics(producer);
        } else if (client instanceof Consumer<?, ?> consumer) {
            metrics = new KafkaClientMetrics(consumer);
        } else if (client instanceof AdminClient admin) {
            metrics = new KafkaClientMetrics(admin);
        } else {
            throw new IllegalArgumentException("client must be a Kafka Producer, Consumer or AdminClient, was "
                    + (client == null ? "null" : client.getClass().getName())
                    + (client instanceof Admin ? " (an Admin that is not an AdminClient)" : ""));
        }
        return add(metrics);
    }

    @Override
    public void bindTo(MeterRegistry target) {
        registry.add(target);
    }

    /**
     * Takes this service's meters out of {@code target} again: for a service that ends while the process
     * serving {@code /metrics} goes on (a trainer whose task was removed or redeclared), so its successor's
     * meters of the same names are not shadowed by the stopped one's.
     */
    public void unbindFrom(MeterRegistry target) {
        registry.remove(target);
        for (io.micrometer.core.instrument.Meter meter : registry.getMeters()) {
            target.remove(meter.getId());
        }
    }

    /** Stops the Kafka binders' refresh threads; the meters already registered stay readable. */
    @Override
    public void close() {
        for (AutoCloseable binder : binders) {
            try {
                binder.close();
            } catch (Exception e) {
                // closing a binder only stops its refresh thread; nothing to recover
            }
        }
        binders.clear();
    }
}
