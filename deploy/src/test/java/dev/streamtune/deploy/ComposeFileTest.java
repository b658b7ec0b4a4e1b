package dev.streamtune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtune.schemas.Topics;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docker-compose.yml (and its GPU override) against the application's contract and itself. */
class ComposeFileTest {
    static final List<String> STREAMTUNE_SERVICES = List.of("ingest", "featurizer", "trainer", "evaluator", "dashboard");

    private final JsonNode compose = DeployFiles.yaml(DeployFiles.file("docker-compose.yml"));
    private final JsonNode services = compose.path("services");

    /** The services that run the streamtune image, by container name, with their parsed command. */
    static Map<String, ServeCommand> serveCommands(JsonNode services) {
        Map<String, ServeCommand> commands = new HashMap<>();
        services.fields().forEachRemaining(entry -> {
            List<String> command = DeployFiles.strings(entry.getValue().path("command"));
            if (!command.isEmpty() && "serve".equals(command.get(0))) {
                commands.put(entry.getKey(), ServeCommand.parse(command));
            }
        });
        return commands;
    }

    /** host:port of the broker listener other containers use (the inter-broker one). */
    static String internalKafkaAddress(JsonNode kafkaEnvironment) {
        String listenerName = kafkaEnvironment.path("KAFKA_INTER_BROKER_LISTENER_NAME").asText();
        for (String listener : kafkaEnvironment.path("KAFKA_ADVERTISED_LISTENERS").asText().split(",")) {
            if (listener.startsWith(listenerName + "://")) {
                return listener.substring(listenerName.length() + 3);
            }
        }
        throw new AssertionError("no advertised listener named " + listenerName);
    }

    @Test
    void everyServiceRunsInItsOwnContainerWithAValidServeCommand() {
        Map<String, ServeCommand> commands = serveCommands(services);
        assertThat(commands).containsOnlyKeys(STREAMTUNE_SERVICES);
        commands.forEach((container, command) ->
                assertThat(command.service()).as("service run by container %s", container).isEqualTo(container));
        assertThat(commands.get("trainer").options()).as("a trainer for every declared task")
                .containsEntry("--all-tasks", "true").doesNotContainKey("--task");
    }

    @Test
    void everyStreamtuneContainerIsBuiltFromTheCpuDockerfile() {
        for (String name : STREAMTUNE_SERVICES) {
            JsonNode service = services.path(name);
            assertThat(service.path("image").asText()).as("%s image", name).isNotBlank();
            Path dockerfile = dockerfileOf(service);
            assertThat(dockerfile).as("%s dockerfile", name).isEqualTo(DeployFiles.root().resolve("deploy/docker/Dockerfile"));
        }
    }

    @Test
    void infrastructureRunsOnTheUpstreamImages() {
        assertThat(services.path("kafka").path("image").asText()).isEqualTo("apache/kafka:4.1.1");
        assertThat(services.path("kafka").path("environment").path("KAFKA_PROCESS_ROLES").asText())
                .as("KRaft: the broker is its own controller").contains("controller");
        assertThat(services.path("schema-registry").path("image").asText()).startsWith("confluentinc/cp-schema-registry:");
        assertThat(services.path("prometheus").path("image").asText()).startsWith("prom/prometheus:");
        assertThat(services.path("grafana").path("image").asText()).startsWith("grafana/grafana:");
        services.fields().forEachRemaining(entry -> {
            if (!entry.getValue().has("build")) {
                assertThat(entry.getValue().path("image").asText()).as("%s pins its image tag", entry.getKey())
                        .matches("[^:]+:[^:]*[0-9][^:]*");
            }
        });
    }

    @Test
    void servicesReachKafkaAndTheRegistryAtTheirInternalAddresses() {
        String kafka = internalKafkaAddress(services.path("kafka").path("environment"));
        assertThat(services.has(kafka.substring(0, kafka.indexOf(':')))).as("%s names the kafka service", kafka).isTrue();

        JsonNode registryEnvironment = services.path("schema-registry").path("environment");
        URI listener = URI.create(registryEnvironment.path("SCHEMA_REGISTRY_LISTENERS").asText());
        URI registry = URI.create("http://schema-registry:" + listener.getPort());
        assertThat(registryEnvironment.path("SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS").asText()).endsWith("//" + kafka);
        assertThat(registryEnvironment.path("SCHEMA_REGISTRY_KAFKASTORE_TOPIC").asText()).isEqualTo(Topics.defaults().schemas());

        for (String name : STREAMTUNE_SERVICES) {
            JsonNode environment = services.path(name).path("environment");
            assertThat(environment.path("STREAMTUNE_BOOTSTRAP_SERVERS").asText()).as("%s bootstrap", name).isEqualTo(kafka);
            assertThat(environment.path("STREAMTUNE_SCHEMA_REGISTRY_URL").asText()).as("%s registry", name)
                    .isEqualTo(registry.toString());
        }
    }

    @Test
    void dependsOnNamesExistingServicesWithConditionsTheyCanMeet() {
        services.fields().forEachRemaining(entry -> entry.getValue().path("depends_on").fields().forEachRemaining(dependency -> {
            String from = entry.getKey();
            String to = dependency.getKey();
            JsonNode target = services.path(to);
            assertThat(target.isMissingNode()).as("%s depends on unknown service %s", from, to).isFalse();
            String condition = dependency.getValue().path("condition").asText();
            switch (condition) {
                case "service_healthy" -> assertThat(target.has("healthcheck"))
                        .as("%s waits for %s to be healthy, which has no healthcheck", from, to).isTrue();
                case "service_completed_successfully" -> assertThat(target.path("restart").asText())
                        .as("%s waits for %s to complete, which must not restart", from, to).isEqualTo("no");
                case "service_started" -> { }
                default -> throw new AssertionError(from + " -> " + to + ": unknown condition '" + condition + "'");
            }
        }));
        for (String name : STREAMTUNE_SERVICES) {
            assertThat(transitiveDependencies(name)).as("%s starts after", name).contains("kafka", "kafka-init", "schema-registry");
        }
        assertThat(transitiveDependencies("grafana")).contains("prometheus");
    }

    private Set<String> transitiveDependencies(String name) {
        Set<String> seen = new HashSet<>();
        List<String> todo = new ArrayList<>(List.of(name));
        while (!todo.isEmpty()) {
            String next = todo.remove(todo.size() - 1);
            services.path(next).path("depends_on").fieldNames().forEachRemaining(dependency -> {
                assertThat(dependency).as("dependency cycle through %s", name).isNotEqualTo(name);
                if (seen.add(dependency)) {
                    todo.add(dependency);
                }
            });
        }
        return seen;
    }

    @Test
    void healthChecksProbeEachServicesOwnHealthEndpoint() {
        serveCommands(services).forEach((name, command) -> {
            List<String> test = DeployFiles.strings(services.path(name).path("healthcheck").path("test"));
            assertThat(String.join(" ", test)).as("%s healthcheck", name)
                    .contains("http://localhost:" + command.metricsPort() + "/health");
        });
    }

    @Test
    void dashboardIsPublishedOnItsPort() {
        ServeCommand dashboard = serveCommands(services).get("dashboard");
        assertThat(dashboard.httpPort()).isEqualTo(8080);
        assertThat(DeployFiles.strings(services.path("dashboard").path("ports")))
                .contains("127.0.0.1:" + dashboard.httpPort() + ":" + dashboard.httpPort());
        List<String> published = new ArrayList<>();
        services.forEach(service -> DeployFiles.strings(service.path("ports"))
                .forEach(port -> published.add(hostPort(port))));
        assertThat(published).as("host ports").doesNotHaveDuplicates();
    }

    /** {@code [ip:]host:container} to its host port. */
    static String hostPort(String mapping) {
        String[] parts = mapping.split(":");
        return parts[parts.length - 2];
    }

    @Test
    void everyHttpServiceIsPublishedOnTheHostsLoopbackOnly() {
        for (String name : List.of("dashboard", "schema-registry", "prometheus", "grafana")) {
            List<String> ports = DeployFiles.strings(services.path(name).path("ports"));
            assertThat(ports).as("%s ports", name).isNotEmpty()
                    .allSatisfy(port -> assertThat(port).as("%s publishes %s", name, port).startsWith("127.0.0.1:"));
        }
    }

    @Test
    void grafanaHasNoAnonymousAccessAndNoDefaultPassword() {
        JsonNode environment = services.path("grafana").path("environment");
        assertThat(environment.path("GF_AUTH_ANONYMOUS_ENABLED").asText()).isEqualTo("false");
        assertThat(environment.path("GF_USERS_ALLOW_SIGN_UP").asText()).isEqualTo("false");
        // ${VAR:?message}: compose refuses to start while it is unset or empty; no default to fall back on
        assertThat(environment.path("GF_SECURITY_ADMIN_PASSWORD").asText())
                .matches("\\$\\{GRAFANA_ADMIN_PASSWORD:\\?[^}]+}");
        assertThat(DeployFiles.text(DeployFiles.file(".gitignore")).lines()).as(".env is never committed").contains(".env");
        assertThat(DeployFiles.text(DeployFiles.file(".dockerignore")).lines()).as(".env is not in the build context")
                .contains(".env");
    }

    @Test
    void theImagesListenOnEveryInterfaceInsideTheirContainer() {
        // outside a container every command binds 127.0.0.1; inside one, the published ports and
        // Prometheus's scrapes from another container need every interface
        for (String dockerfile : List.of("deploy/docker/Dockerfile", "deploy/docker/Dockerfile.gpu")) {
            assertThat(DeployFiles.text(DeployFiles.file(dockerfile))).as(dockerfile)
                    .containsPattern("STREAMTUNE_BIND_ADDRESS=0\\.0\\.0\\.0");
        }
    }

    @Test
    void trainerTrainsEveryDeclaredTaskAndKeepsCheckpointsOnANamedVolume() {
        JsonNode trainer = services.path("trainer");
        JsonNode environment = trainer.path("environment");
        assertThat(environment.has("STREAMTUNE_TASK")).as("--all-tasks: no task is named").isFalse();
        assertThat(environment.path("STREAMTUNE_DEVICE").asText()).isIn(ServeCommand.DEVICES);
        String dataDir = environment.path("STREAMTUNE_DATA_DIR").asText();
        String volume = namedVolumeMountedAt(trainer, dataDir, false);
        // the evaluator reads deltas published by URI from the same store
        JsonNode evaluator = services.path("evaluator");
        assertThat(evaluator.path("environment").path("STREAMTUNE_DATA_DIR").asText()).isEqualTo(dataDir);
        assertThat(namedVolumeMountedAt(evaluator, dataDir, true)).isEqualTo(volume);
    }

    private String namedVolumeMountedAt(JsonNode service, String target, boolean readOnly) {
        for (String mount : DeployFiles.strings(service.path("volumes"))) {
            String[] parts = mount.split(":");
            if (parts.length >= 2 && parts[1].equals(target)) {
                assertThat(compose.path("volumes").has(parts[0])).as("volume %s is declared", parts[0]).isTrue();
                assertThat(parts.length == 3 && parts[2].contains("ro")).as("%s read-only", mount).isEqualTo(readOnly);
                return parts[0];
            }
        }
        throw new AssertionError("no volume mounted at " + target + " in " + service);
    }

    @Test
    void topicsAreCreatedBeforeAnyServiceStarts() {
        JsonNode init = services.path("kafka-init");
        assertThat(init.path("image").asText()).isEqualTo(services.path("kafka").path("image").asText());
        String script = String.join("\n", DeployFiles.strings(init.path("command")));
        assertThat(ExpectedTopics.words(script)).contains(internalKafkaAddress(services.path("kafka").path("environment")));
        // every declared topic with its settings on compose's one broker, and nothing undeclared
        assertThat(ExpectedTopics.differences(script, 3, dev.streamtune.schemas.topics.TopicReplication.SINGLE_BROKER))
                .as("compose's kafka-init against TopicDeclaration").isEmpty();
        // Compose would substitute "$@" and "$admin" itself (to nothing); "$$" passes a literal "$" to the shell
        assertThat(script).doesNotContainPattern("(?<!\\$)\\$(@|admin)");
    }

    @Test
    void gpuOverrideReplacesTheTrainerWithOneThatReservesAnNvidiaGpu() {
        JsonNode override = DeployFiles.yaml(DeployFiles.file("deploy/compose/docker-compose.gpu.yml")).path("services");
        override.fieldNames().forEachRemaining(name ->
                assertThat(services.has(name)).as("override of unknown service %s", name).isTrue());
        JsonNode trainer = override.path("trainer");
        assertThat(dockerfileOf(trainer)).isEqualTo(DeployFiles.root().resolve("deploy/docker/Dockerfile.gpu"));
        assertThat(trainer.path("image").asText()).isNotEqualTo(services.path("trainer").path("image").asText());
        assertThat(trainer.path("environment").path("STREAMTUNE_DEVICE").asText()).isEqualTo("gpu");
        JsonNode devices = trainer.path("deploy").path("resources").path("reservations").path("devices");
        assertThat(devices).hasSize(1);
        assertThat(devices.get(0).path("driver").asText()).isEqualTo("nvidia");
        assertThat(devices.get(0).path("count").asInt()).isEqualTo(1);
        assertThat(DeployFiles.strings(devices.get(0).path("capabilities"))).contains("gpu");
    }

    /** The Dockerfile a service builds from; paths are relative to the repository root. */
    private static Path dockerfileOf(JsonNode service) {
        JsonNode build = service.path("build");
        Path context = DeployFiles.root().resolve(build.path("context").asText(".")).normalize();
        Path dockerfile = context.resolve(build.path("dockerfile").asText("Dockerfile")).normalize();
        assertThat(Files.isRegularFile(dockerfile)).as("%s exists", dockerfile).isTrue();
        return dockerfile;
    }
}
