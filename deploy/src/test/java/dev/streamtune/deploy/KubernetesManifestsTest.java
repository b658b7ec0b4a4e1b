package dev.streamtune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The manifests under deploy/k8s, as `kubectl apply -k deploy/k8s` would receive them. */
class KubernetesManifestsTest {
    private static final Path K8S = DeployFiles.root().resolve("deploy/k8s");
    private static final Set<String> WORKLOAD_KINDS = Set.of("Deployment", "StatefulSet");

    private final JsonNode kustomization = DeployFiles.yaml(K8S.resolve("kustomization.yaml"));
    private final List<JsonNode> objects = loadResources();

    private List<JsonNode> loadResources() {
        List<JsonNode> loaded = new ArrayList<>();
        for (String resource : DeployFiles.strings(kustomization.path("resources"))) {
            loaded.addAll(DeployFiles.yamlDocuments(K8S.resolve(resource)));
        }
        return loaded;
    }

    private List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> o.path("kind").asText().equals(kind)).toList();
    }

    private JsonNode named(String kind, String name) {
        return ofKind(kind).stream().filter(o -> o.path("metadata").path("name").asText().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    private List<JsonNode> workloads() {
        return objects.stream().filter(o -> WORKLOAD_KINDS.contains(o.path("kind").asText())).toList();
    }

    /** The single container of a workload that runs the streamtune image. */
    private static JsonNode streamtuneContainer(JsonNode workload) {
        List<JsonNode> containers = new ArrayList<>();
        workload.path("spec").path("template").path("spec").path("containers").forEach(containers::add);
        assertThat(containers).as("%s containers", workload.path("metadata").path("name")).hasSize(1);
        return containers.get(0);
    }

    private static ServeCommand serveCommand(JsonNode container) {
        assertThat(container.has("command")).as("%s keeps the image's entrypoint", container.path("name")).isFalse();
        return ServeCommand.parse(DeployFiles.strings(container.path("args")));
    }

    @Test
    void kustomizationListsEveryManifestAndOnlyExistingOnes() throws IOException {
        List<String> listed = DeployFiles.strings(kustomization.path("resources"));
        try (Stream<Path> files = Files.list(K8S)) {
            List<String> present = files.map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml") || name.endsWith(".yml"))
                    .filter(name -> !name.startsWith("kustomization."))
                    .toList();
            assertThat(listed).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(present);
        }
        String namespace = kustomization.path("namespace").asText();
        named("Namespace", namespace);
        for (JsonNode object : objects) {
            assertThat(object.path("apiVersion").asText()).as("apiVersion of %s", object.path("metadata")).isNotBlank();
            assertThat(object.path("metadata").path("name").asText()).as("name of a %s", object.path("kind")).isNotBlank();
            if (!object.path("kind").asText().equals("Namespace")) {
                assertThat(object.path("metadata").path("namespace").asText(namespace)).isEqualTo(namespace);
            }
        }
        for (JsonNode image : kustomization.path("images")) {
            String name = image.path("name").asText();
            assertThat(workloads()).as("kustomization image %s is used", name)
                    .anyMatch(w -> streamtuneContainer(w).path("image").asText().startsWith(name + ":"));
        }
    }

    @Test
    void everyServiceRunsAsItsOwnWorkloadWithAValidServeCommand() {
        Map<String, String> kindByService = new HashMap<>();
        for (JsonNode workload : workloads()) {
            ServeCommand command = serveCommand(streamtuneContainer(workload));
            assertThat(kindByService.put(command.service(), workload.path("kind").asText()))
                    .as("%s runs in one workload", command.service()).isNull();
        }
        assertThat(kindByService).containsOnly(
                Map.entry("ingest", "Deployment"), Map.entry("featurizer", "Deployment"),
                Map.entry("evaluator", "Deployment"), Map.entry("dashboard", "Deployment"),
                Map.entry("registry", "Deployment"), Map.entry("trainer", "StatefulSet"));
    }

    @Test
    void selectorsMatchTheirPodLabels() {
        for (JsonNode workload : workloads()) {
            JsonNode matchLabels = workload.path("spec").path("selector").path("matchLabels");
            assertThat(matchLabels.size()).as("%s selector", workload.path("metadata").path("name")).isPositive();
            JsonNode podLabels = workload.path("spec").path("template").path("metadata").path("labels");
            matchLabels.fields().forEachRemaining(label -> assertThat(podLabels.path(label.getKey()).asText())
                    .as("%s pod label %s", workload.path("metadata").path("name"), label.getKey())
                    .isEqualTo(label.getValue().asText()));
        }
    }

    @Test
    void probesResourcesAndConfigurationOfEveryContainer() {
        Set<String> configMaps = new HashSet<>();
        ofKind("ConfigMap").forEach(map -> configMaps.add(map.path("metadata").path("name").asText()));
        for (JsonNode workload : workloads()) {
            JsonNode container = streamtuneContainer(workload);
            String name = workload.path("metadata").path("name").asText();
            ServeCommand command = serveCommand(container);
            for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
                JsonNode httpGet = container.path(probe).path("httpGet");
                assertThat(httpGet.path("path").asText()).as("%s %s path", name, probe).isEqualTo("/health");
                assertThat(containerPortNumber(container, httpGet.path("port"))).as("%s %s port", name, probe)
                        .isEqualTo(command.metricsPort());
            }
            JsonNode requests = container.path("resources").path("requests");
            assertThat(requests.path("cpu").asText()).as("%s cpu request", name).isNotBlank();
            assertThat(requests.path("memory").asText()).as("%s memory request", name).isNotBlank();
            assertThat(container.path("resources").path("limits").path("memory").asText()).as("%s memory limit", name).isNotBlank();
            assertThat(workload.path("spec").path("template").path("spec").path("securityContext").path("runAsNonRoot").asBoolean())
                    .as("%s runs as non-root", name).isTrue();
            List<String> envFrom = container.path("envFrom").findValuesAsText("name");
            assertThat(envFrom).as("%s reads the shared ConfigMap", name).isNotEmpty();
            assertThat(configMaps).containsAll(envFrom);
            JsonNode annotations = workload.path("spec").path("template").path("metadata").path("annotations");
            assertThat(annotations.path("prometheus.io/port").asText()).as("%s scrape port", name)
                    .isEqualTo(String.valueOf(command.metricsPort()));
        }
    }

    /** A probe or Service port, by name or number, must be a port the container declares. */
    private static int containerPortNumber(JsonNode container, JsonNode port) {
        for (JsonNode declared : container.path("ports")) {
            if (port.isInt() ? declared.path("containerPort").asInt() == port.asInt()
                    : declared.path("name").asText().equals(port.asText())) {
                return declared.path("containerPort").asInt();
            }
        }
        throw new AssertionError("container " + container.path("name") + " declares no port " + port);
    }

    @Test
    void servicesSelectAWorkloadAndTargetItsPorts() {
        for (JsonNode service : ofKind("Service")) {
            String name = service.path("metadata").path("name").asText();
            JsonNode selector = service.path("spec").path("selector");
            List<JsonNode> selected = workloads().stream().filter(workload -> {
                JsonNode labels = workload.path("spec").path("template").path("metadata").path("labels");
                List<Boolean> matches = new ArrayList<>();
                selector.fields().forEachRemaining(l -> matches.add(labels.path(l.getKey()).asText().equals(l.getValue().asText())));
                return !matches.isEmpty() && !matches.contains(false);
            }).toList();
            assertThat(selected).as("workloads selected by Service %s", name).hasSize(1);
            JsonNode container = streamtuneContainer(selected.get(0));
            for (JsonNode port : service.path("spec").path("ports")) {
                assertThat(port.path("port").asInt()).as("%s port", name).isPositive();
                containerPortNumber(container, port.has("targetPort") ? port.path("targetPort") : port.path("port"));
            }
        }
        for (String exposed : List.of("dashboard", "registry")) {
            JsonNode container = streamtuneContainer(named("Deployment", exposed));
            JsonNode ports = named("Service", exposed).path("spec").path("ports");
            assertThat(ports).as("Service %s", exposed).isNotEmpty();
            assertThat(containerPortNumber(container, ports.get(0).path("targetPort")))
                    .as("Service %s reaches the %s HTTP port", exposed, exposed).isEqualTo(serveCommand(container).httpPort());
        }
    }

    @Test
    void configMapPointsAtKafkaAndAtTheRegistryService() {
        JsonNode data = named("ConfigMap", "streamtune-config").path("data");
        assertThat(data.path("STREAMTUNE_BOOTSTRAP_SERVERS").asText()).matches("[a-z0-9.-]+:[0-9]+(,[a-z0-9.-]+:[0-9]+)*");
        URI registry = URI.create(data.path("STREAMTUNE_SCHEMA_REGISTRY_URL").asText());
        String serviceName = registry.getHost().split("\\.")[0];
        JsonNode service = named("Service", serviceName);
        assertThat(service.path("spec").path("ports").findValues("port").stream().map(JsonNode::asInt))
                .as("registry Service port").contains(registry.getPort());
    }

    @Test
    void trainerIsAStatefulSetOnAGpuNodeWithItsOwnCheckpointVolume() {
        JsonNode trainer = ofKind("StatefulSet").stream()
                .filter(w -> serveCommand(streamtuneContainer(w)).service().equals("trainer")).findFirst().orElseThrow();
        JsonNode spec = trainer.path("spec");
        JsonNode pod = spec.path("template").path("spec");
        JsonNode container = streamtuneContainer(trainer);

        JsonNode headless = named("Service", spec.path("serviceName").asText());
        assertThat(headless.path("spec").path("clusterIP").asText()).isEqualTo("None");
        assertThat(spec.path("replicas").asInt()).as("one pod, every task's trainer").isEqualTo(1);

        assertThat(container.path("resources").path("limits").path("nvidia.com/gpu").asText()).isEqualTo("1");
        assertThat(pod.path("nodeSelector").path("nvidia.com/gpu.present").asText()).isEqualTo("true");
        assertThat(pod.path("tolerations")).anyMatch(t -> t.path("key").asText().equals("nvidia.com/gpu")
                && t.path("effect").asText().equals("NoSchedule")
                && (t.path("operator").asText().equals("Exists") || t.has("value")));
        assertThat(container.path("image").asText()).contains("streamtune-gpu");

        Map<String, String> environment = new HashMap<>();
        container.path("env").forEach(e -> environment.put(e.path("name").asText(), e.path("value").asText()));
        assertThat(environment).containsEntry("STREAMTUNE_DEVICE", "gpu");
        assertThat(environment).as("--all-tasks: no task is named").doesNotContainKey("STREAMTUNE_TASK");
        assertThat(serveCommand(container).options()).as("a trainer for every declared task")
                .containsEntry("--all-tasks", "true");

        String dataDir = environment.get("STREAMTUNE_DATA_DIR");
        JsonNode mount = findByField(container.path("volumeMounts"), "mountPath", dataDir);
        JsonNode claim = findByField(spec.path("volumeClaimTemplates"), "name", mount.path("name").asText(), "metadata");
        assertThat(claim.path("spec").path("resources").path("requests").path("storage").asText()).isNotBlank();
        assertThat(pod.path("securityContext").path("fsGroup").asInt()).as("volume writable by the service user")
                .isEqualTo(pod.path("securityContext").path("runAsUser").asInt());

        for (JsonNode other : workloads()) {
            if (other != trainer) {
                assertThat(streamtuneContainer(other).path("resources").path("limits").has("nvidia.com/gpu"))
                        .as("%s does not hold a GPU", other.path("metadata").path("name")).isFalse();
            }
        }
    }

    private static JsonNode findByField(JsonNode list, String field, String value, String... within) {
        for (JsonNode element : list) {
            JsonNode holder = within.length == 0 ? element : element.path(within[0]);
            if (holder.path(field).asText().equals(value)) {
                return element;
            }
        }
        throw new AssertionError("no element with " + field + "=" + value + " in " + list);
    }

    @Test
    void topicsJobCreatesEveryTopicAtTheConfiguredBootstrapAddress() {
        JsonNode container = named("Job", "create-topics").path("spec").path("template").path("spec").path("containers").get(0);
        String script = String.join("\n", DeployFiles.strings(container.path("command")))
                + "\n" + String.join("\n", DeployFiles.strings(container.path("args")));
        assertThat(ExpectedTopics.words(script)).contains("$STREAMTUNE_BOOTSTRAP_SERVERS");
        // every declared topic with its settings on a cluster (RF 3, min ISR 2), and nothing undeclared
        assertThat(ExpectedTopics.differences(script, 6, dev.streamtune.schemas.topics.TopicReplication.CLUSTER))
                .as("the k8s topics job against TopicDeclaration").isEmpty();
        assertThat(container.path("envFrom").findValuesAsText("name")).contains("streamtune-config");
        assertThat(container.path("image").asText())
                .isEqualTo(DeployFiles.yaml(DeployFiles.file("docker-compose.yml")).path("services").path("kafka").path("image").asText());
    }
}
