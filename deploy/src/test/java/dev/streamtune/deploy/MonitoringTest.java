package dev.streamtune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Prometheus scrapes what compose runs; Grafana is provisioned with a dashboard over the exported metrics. */
class MonitoringTest {
    /**
     * What the services export, by metric, with the label each panel breaks it down by ("" where a panel sums
     * it up). That each name exists on a running pipeline's /metrics is held by the app's MetricsDashboardIT.
     */
    static final Map<String, String> EXPORTED_METRICS = Map.ofEntries(
            Map.entry("streamtune_validation_macro_f1", "task"),
            Map.entry("streamtune_champion_version", "task"),
            Map.entry("streamtune_trained_examples_per_second", "task"),
            Map.entry("streamtune_dlq_records_total", "reason"),
            Map.entry("streamtune_consumer_lag", "group"),
            Map.entry("streamtune_ingest_examples_routed_total", ""),
            Map.entry("streamtune_featurizer_examples_total", ""),
            Map.entry("streamtune_trainer_examples_trained_total", "task"),
            Map.entry("streamtune_ingest_dead_letters_total", "reason"),
            Map.entry("streamtune_evaluator_gate_decisions_total", "outcome"),
            Map.entry("streamtune_trainer_versions_published_total", "task"),
            Map.entry("streamtune_evaluator_updates_total", "action"),
            Map.entry("streamtune_evaluator_candidates_refused_total", "reason"),
            Map.entry("streamtune_freshness_seconds_bucket", ""),
            Map.entry("kafka_consumer_fetch_manager_records_lag_max", "client_id"),
            Map.entry("kafka_producer_record_send_total", "client_id"),
            Map.entry("kafka_stream_thread_process_rate", "thread_id"));

    private final JsonNode services = DeployFiles.yaml(DeployFiles.file("docker-compose.yml")).path("services");
    private final JsonNode prometheus = DeployFiles.yaml(DeployFiles.file("deploy/prometheus/prometheus.yml"));

    @Test
    void prometheusScrapesEveryServiceOnItsMetricsPort() {
        Set<String> targets = new HashSet<>();
        for (JsonNode job : prometheus.path("scrape_configs")) {
            String path = job.path("metrics_path").asText("/metrics");
            for (JsonNode group : job.path("static_configs")) {
                for (String target : DeployFiles.strings(group.path("targets"))) {
                    String host = target.substring(0, target.indexOf(':'));
                    if (!host.equals("localhost")) {
                        assertThat(services.has(host)).as("scrape target %s is a compose service", target).isTrue();
                        assertThat(path).as("metrics path of %s", target).isEqualTo("/metrics");
                        assertThat(group.path("labels").path("service").asText()).as("service label of %s", target).isEqualTo(host);
                    }
                    targets.add(target);
                }
            }
        }
        Map<String, ServeCommand> commands = ComposeFileTest.serveCommands(services);
        assertThat(commands).isNotEmpty();
        commands.forEach((name, command) -> assertThat(targets).contains(name + ":" + command.metricsPort()));
        assertThat(DeployFiles.strings(services.path("prometheus").path("volumes")))
                .contains("./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
    }

    @Test
    void grafanaIsProvisionedWithThePrometheusDatasourceAndTheDashboardFolder() {
        Map<String, String> mounts = bindMounts(services.path("grafana"));
        assertThat(mounts).containsEntry("/etc/grafana/provisioning", "deploy/grafana/provisioning");
        Path provisioning = DeployFiles.root().resolve("deploy/grafana/provisioning");

        JsonNode datasource = DeployFiles.yaml(provisioning.resolve("datasources/prometheus.yml")).path("datasources").get(0);
        assertThat(datasource.path("type").asText()).isEqualTo("prometheus");
        String[] prometheusMapping = DeployFiles.strings(services.path("prometheus").path("ports")).get(0).split(":");
        String prometheusPort = prometheusMapping[prometheusMapping.length - 1];
        assertThat(datasource.path("url").asText()).isEqualTo("http://prometheus:" + prometheusPort);

        JsonNode provider = DeployFiles.yaml(provisioning.resolve("dashboards/streamtune.yml")).path("providers").get(0);
        assertThat(provider.path("type").asText()).isEqualTo("file");
        String dashboardFolder = provider.path("options").path("path").asText();
        assertThat(mounts).as("the provider's folder is mounted").containsEntry(dashboardFolder, "deploy/grafana/dashboards");
        assertThat(DeployFiles.file("deploy/grafana/dashboards/streamtune.json")).isRegularFile();

        String home = services.path("grafana").path("environment").path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText();
        assertThat(home).startsWith(dashboardFolder + "/");
        assertThat(DeployFiles.root().resolve("deploy/grafana/dashboards").resolve(home.substring(dashboardFolder.length() + 1)))
                .isRegularFile();
    }

    @Test
    void dashboardChartsEveryExportedMetricByItsLabel() {
        JsonNode dashboard = DeployFiles.json(DeployFiles.file("deploy/grafana/dashboards/streamtune.json"));
        JsonNode datasource = DeployFiles.yaml(DeployFiles.file("deploy/grafana/provisioning/datasources/prometheus.yml"))
                .path("datasources").get(0);
        String datasourceUid = datasource.path("uid").asText();
        assertThat(dashboard.path("uid").asText()).isNotBlank();

        List<JsonNode> targets = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : dashboard.path("panels")) {
            assertThat(ids.add(panel.path("id").asInt())).as("panel id %s unique", panel.path("id")).isTrue();
            assertThat(panel.path("title").asText()).isNotBlank();
            JsonNode grid = panel.path("gridPos");
            assertThat(grid.path("x").asInt() + grid.path("w").asInt()).as("%s fits 24 columns", panel.path("title")).isLessThanOrEqualTo(24);
            assertThat(panel.path("datasource").path("uid").asText()).as("%s datasource", panel.path("title")).isEqualTo(datasourceUid);
            for (JsonNode target : panel.path("targets")) {
                assertThat(target.path("datasource").path("uid").asText()).isEqualTo(datasourceUid);
                assertThat(target.path("expr").asText()).as("%s query", panel.path("title")).isNotBlank();
                targets.add(target);
            }
        }
        assertThat(dashboard.path("templating").path("list").findValuesAsText("uid")).allMatch(datasourceUid::equals);

        EXPORTED_METRICS.forEach((metric, label) -> assertThat(targets).as("a query charts %s", metric)
                .anyMatch(target -> target.path("expr").asText().matches(".*\\b" + metric + "\\b.*")));
        EXPORTED_METRICS.entrySet().stream().filter(e -> !e.getValue().isEmpty()).forEach(e -> assertThat(targets)
                .as("a query charts %s by %s", e.getKey(), e.getValue())
                .anyMatch(target -> target.path("expr").asText().matches(".*\\bby \\(" + e.getValue() + "\\) \\(.*\\b" + e.getKey() + "\\b.*")
                        && target.path("legendFormat").asText().contains("{{" + e.getValue() + "}}")));
        assertThat(targets).as("every query uses an exported metric (or up)").allMatch(target ->
                EXPORTED_METRICS.keySet().stream().anyMatch(metric -> target.path("expr").asText().contains(metric))
                        || target.path("expr").asText().startsWith("up{"));
    }

    /** Container path to repository-relative source, for the ./ bind mounts of a service. */
    private static Map<String, String> bindMounts(JsonNode service) {
        Map<String, String> mounts = new HashMap<>();
        for (String volume : DeployFiles.strings(service.path("volumes"))) {
            String[] parts = volume.split(":");
            if (parts[0].startsWith("./")) {
                assertThat(Files.exists(DeployFiles.root().resolve(parts[0]))).as("%s exists", parts[0]).isTrue();
                mounts.put(parts[1], parts[0].substring(2));
            }
        }
        return mounts;
    }
}
