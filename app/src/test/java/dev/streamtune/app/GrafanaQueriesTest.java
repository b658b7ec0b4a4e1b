package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GrafanaQueriesTest {
    @Test
    void metricNamesLeaveOutFunctionsLabelsStringsRangesAndNumbers() {
        assertThat(GrafanaQueries.metricNames(
                "histogram_quantile(0.95, sum by (le, task) (rate(streamtune_freshness_seconds_bucket{task=~\"$task\"}[15m])))"))
                .containsExactly("streamtune_freshness_seconds_bucket");
        assertThat(GrafanaQueries.metricNames("sum(rate(a_total[1m])) / ignoring(x) sum(b_total offset 5m) > bool 1e3"))
                .containsExactly("a_total", "b_total");
        assertThat(GrafanaQueries.metricNames("up{job=\"streamtune\", service=~\"a|b\"}")).containsExactly("up");
    }

    @Test
    void theProvisionedDashboardQueriesNamesInEveryPanelAndItsTaskVariable() throws Exception {
        Map<String, Set<String>> queries = GrafanaQueries.metricsByQuery(GrafanaQueries.DASHBOARD);
        assertThat(queries).containsEntry("variable task", Set.of("streamtune_validation_macro_f1"));
        assertThat(queries.values()).allSatisfy(names -> assertThat(names).isNotEmpty());
        assertThat(queries).hasSizeGreaterThan(10);
    }

    @Test
    void seriesNamesAreTheSampleNamesOfAScrape() {
        String scrape = """
                # HELP x_total things
                # TYPE x_total counter
                x_total{reason="A"} 1.0
                y_seconds_bucket{le="0.1"} 0
                z 3
                """;
        assertThat(GrafanaQueries.seriesNames(scrape)).containsExactly("x_total", "y_seconds_bucket", "z");
    }
}
