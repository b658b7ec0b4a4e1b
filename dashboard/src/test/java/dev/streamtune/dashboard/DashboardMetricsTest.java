package dev.streamtune.dashboard;

import static dev.streamtune.dashboard.Events.evaluation;
import static dev.streamtune.dashboard.Events.matrix;
import static dev.streamtune.dashboard.Events.prequential;
import static dev.streamtune.dashboard.Events.training;
import static dev.streamtune.dashboard.Events.update;
import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.avro.Split;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.dashboard.DashboardSnapshot.GroupLag;
import dev.streamtune.dashboard.DashboardSnapshot.LagReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DashboardMetricsTest {
    private static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
    private final DashboardState state = new DashboardState(100);
    private final DashboardMetrics metrics = new DashboardMetrics(state, () -> 2);

    /** The value of the one sample {@code name{labels}} (or {@code name} for no labels), failing if absent. */
    static double sample(String exposition, String name, String labels) {
        String series = labels.isEmpty() ? name : name + "{" + labels + "}";
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(exposition);
        assertThat(m.find()).as(series + " in\n" + exposition).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private void foldARun() {
        state.fold(evaluation("spam", 1, Split.VALIDATION, 0.80, 0.82, 0.45, matrix(1, 0, 0, 1), T0));
        state.fold(evaluation("spam", 2, Split.VALIDATION, 0.88, 0.90, 0.30, matrix(1, 0, 0, 1), T0));
        state.fold(evaluation("spam", 2, Split.TEST, 0.86, 0.89, 0.31, matrix(1, 0, 0, 1), T0));
        state.fold(training("spam", 2L, 0.27, 850, T0));
        state.fold(prequential("spam", 0.91, 0.93, 500, T0));
        state.fold(update("spam", UpdateAction.PROMOTE, 1, null, "first", 0.80, 0.79, T0));
        state.fold(update("spam", UpdateAction.PROMOTE, 2, 1L, "better", 0.88, 0.86, T0));
        state.foldDeadLetter("TEXT_TOO_LONG");
        state.foldDeadLetter("TEXT_TOO_LONG");
        state.foldDeadLetter("BAD_MAGIC_BYTE");
        state.countRecord("metrics");
        state.updateLag(new LagReport(List.of(new GroupLag("streamtune-trainer", 6, 3,
                new TreeMap<>(Map.of("examples.train", 6L)))), 1, null));
    }

    @Test
    void everyFigureOfTheDashboardIsExposedWithItsLabels() {
        foldARun();
        String text = metrics.scrape();

        assertThat(sample(text, "streamtune_champion_version", "task=\"spam\"")).isEqualTo(2.0);
        assertThat(sample(text, "streamtune_validation_macro_f1", "task=\"spam\"")).isEqualTo(0.88);
        assertThat(sample(text, "streamtune_validation_loss", "task=\"spam\"")).isEqualTo(0.30);
        assertThat(sample(text, "streamtune_champion_test_macro_f1", "task=\"spam\"")).isEqualTo(0.86);
        assertThat(sample(text, "streamtune_champion_test_accuracy", "task=\"spam\"")).isEqualTo(0.89);
        assertThat(sample(text, "streamtune_training_loss", "task=\"spam\"")).isEqualTo(0.27);
        assertThat(sample(text, "streamtune_prequential_accuracy", "task=\"spam\"")).isEqualTo(0.91);
        assertThat(sample(text, "streamtune_trained_examples_per_second", "task=\"spam\"")).isEqualTo(850.0);
        assertThat(sample(text, "streamtune_model_versions", "task=\"spam\"")).isEqualTo(2.0);
        assertThat(sample(text, "streamtune_champion_changes_total", "action=\"PROMOTE\",task=\"spam\"")).isEqualTo(2.0);
        assertThat(sample(text, "streamtune_champion_changes_total", "action=\"ROLLBACK\",task=\"spam\"")).isEqualTo(0.0);
        assertThat(sample(text, "streamtune_dlq_records_total", "reason=\"TEXT_TOO_LONG\"")).isEqualTo(2.0);
        assertThat(sample(text, "streamtune_dlq_records_total", "reason=\"BAD_MAGIC_BYTE\"")).isEqualTo(1.0);
        assertThat(sample(text, "streamtune_consumer_lag", "group=\"streamtune-trainer\"")).isEqualTo(6.0);
        assertThat(sample(text, "streamtune_dashboard_records_total", "topic=\"metrics\"")).isEqualTo(1.0);
        assertThat(text).contains("# TYPE streamtune_dlq_records_total counter")
                .contains("# TYPE streamtune_champion_version gauge")
                .containsPattern("(?m)^streamtune_dashboard_event_clients 2\\.0$")
                .containsPattern("(?m)^jvm_memory_used_bytes\\{");
    }

    @Test
    void metersFollowTheStateAfterTheyAreRegistered() {
        foldARun();
        metrics.scrape();

        state.fold(update("spam", UpdateAction.ROLLBACK, 1, 2L, "operator", 0.80, 0.79, T0));
        state.foldDeadLetter("TEXT_TOO_LONG");
        state.foldDeadLetter("UNKNOWN_LABEL");
        state.fold(training("fraud", 1L, 0.6, 120, T0));
        String text = metrics.scrape();

        assertThat(sample(text, "streamtune_champion_version", "task=\"spam\"")).isEqualTo(1.0);
        assertThat(sample(text, "streamtune_champion_changes_total", "action=\"ROLLBACK\",task=\"spam\"")).isEqualTo(1.0);
        assertThat(sample(text, "streamtune_dlq_records_total", "reason=\"TEXT_TOO_LONG\"")).isEqualTo(3.0);
        assertThat(sample(text, "streamtune_dlq_records_total", "reason=\"UNKNOWN_LABEL\"")).isEqualTo(1.0);
        assertThat(sample(text, "streamtune_trained_examples_per_second", "task=\"fraud\"")).isEqualTo(120.0);
    }

    @Test
    void aFigureNotMeasuredYetReadsNaN() {
        state.fold(training("spam", 1L, 0.6, 120, T0));
        String text = metrics.scrape();

        assertThat(sample(text, "streamtune_champion_version", "task=\"spam\"")).isNaN();
        assertThat(sample(text, "streamtune_validation_macro_f1", "task=\"spam\"")).isNaN();
        assertThat(sample(text, "streamtune_champion_changes_total", "action=\"PROMOTE\",task=\"spam\"")).isEqualTo(0.0);
    }
}
