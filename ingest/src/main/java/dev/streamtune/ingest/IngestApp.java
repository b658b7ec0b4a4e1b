package dev.streamtune.ingest;

import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.metrics.ServiceMeters;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the ingest topology against any Kafka cluster and schema registry the config names.
 * {@link #main} only wires config, starts, and installs a shutdown hook; tests and the
 * single-machine launcher use the instance API ({@link #start()}, {@link #metrics()}, {@link #close()}).
 */
public final class IngestApp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngestApp.class);
    private static final Duration STATUS_EVERY = Duration.ofSeconds(30);

    private final IngestMetrics metrics = new IngestMetrics();
    private final KafkaStreams streams;
    private final ScheduledExecutorService status;
    private final CountDownLatch terminated = new CountDownLatch(1);
    private final ServiceMeters meters = new ServiceMeters();

    public IngestApp(IngestConfig config) {
        IngestSerdes serdes = IngestSerdes.create(config.registry());
        this.streams = new KafkaStreams(IngestTopology.build(config, serdes, metrics), config.streamsProperties(metrics));
        // a thread that died on a transient failure (broker or registry outage) is replaced;
        // exactly-once replays its open transaction, so nothing is lost or doubled
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Stream thread failed; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((newState, oldState) -> {
            if (newState == KafkaStreams.State.ERROR || newState == KafkaStreams.State.NOT_RUNNING) {
                if (newState == KafkaStreams.State.ERROR) {
                    LOG.error("Ingest stopped in state ERROR (it was {}); see the errors above", oldState);
                }
                terminated.countDown();
            }
        });
        // ingest's counters are also in Streams' own metrics (JMX); on /metrics they appear once, as streamtune_ingest_*
        meters.registry().config().meterFilter(MeterFilter.denyNameStartsWith("kafka.streamtune."));
        meters.add(metrics).add(new KafkaStreamsMetrics(streams));
        this.status = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ingest-status");
            t.setDaemon(true);
            return t;
        });
    }

    public void start() {
        streams.start();
        StatusLine line = new StatusLine(metrics, System.nanoTime());
        status.scheduleAtFixedRate(() -> LOG.info("{} [{}]", line.next(System.nanoTime()), streams.state()),
                STATUS_EVERY.toSeconds(), STATUS_EVERY.toSeconds(), TimeUnit.SECONDS);
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** Blocks until the application has stopped, on close or on an unrecoverable error. */
    public void awaitTermination() throws InterruptedException {
        terminated.await();
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    /** Ingest's counters and Micrometer's Kafka Streams binder (every client of the Streams app), to bind where /metrics is served. */
    public ServiceMeters meters() {
        return meters;
    }

    public KafkaStreams streams() {
        return streams;
    }

    @Override
    public void close() {
        status.shutdownNow();
        streams.close(Duration.ofSeconds(30));
        meters.close();
        LOG.info("Ingest stopped; totals: {}", metrics.snapshot());
    }

    /** Progress as records per second since the previous line, with totals. */
    static final class StatusLine {
        private final IngestMetrics metrics;
        private long lastNanos;
        private long lastProcessed;

        StatusLine(IngestMetrics metrics, long startNanos) {
            this.metrics = metrics;
            this.lastNanos = startNanos;
        }

        String next(long nowNanos) {
            long processed = metrics.processedTotal();
            double seconds = Math.max(1e-9, (nowNanos - lastNanos) / 1e9);
            double rate = (processed - lastProcessed) / seconds;
            lastNanos = nowNanos;
            lastProcessed = processed;
            return String.format("ingest: %,d records (%.1f/s), routed %,d, rejected %,d, duplicates %,d, corrections %,d",
                    processed, rate, metrics.routedTotal(), metrics.rejectedTotal(), metrics.duplicatesDropped(),
                    metrics.corrections());
        }
    }
}
