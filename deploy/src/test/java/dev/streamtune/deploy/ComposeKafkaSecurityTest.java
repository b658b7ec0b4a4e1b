package dev.streamtune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.streamtune.platform.StreamtuneAcls;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docker-compose.yml's Kafka security against the code: listeners, authorizer, principals, secrets and ACLs. */
class ComposeKafkaSecurityTest {
    /** The compose container of each Streamtune service, and the principal it runs as. */
    static final Map<String, String> PRINCIPAL_OF = Map.of("ingest", StreamtuneAcls.INGEST,
            "featurizer", StreamtuneAcls.FEATURIZER, "trainer", StreamtuneAcls.TRAINER,
            "evaluator", StreamtuneAcls.EVALUATOR, "dashboard", StreamtuneAcls.DASHBOARD);

    private final JsonNode compose = DeployFiles.yaml(DeployFiles.file("docker-compose.yml"));
    private final JsonNode services = compose.path("services");
    private final JsonNode kafka = services.path("kafka").path("environment");

    @Test
    void theAclFileGrantsExactlyWhatTheCodeDeclares() {
        Set<String> expected = new LinkedHashSet<>();
        ComposeAcls.expected().forEach(g -> expected.add(g.line()));
        Set<String> actual = ComposeAcls.lines(DeployFiles.file(ComposeAcls.FILE));
        assertThat(actual).as("%s differs from StreamtuneAcls; as the code has it:%n%s", ComposeAcls.FILE,
                ComposeAcls.render(ComposeAcls.expected())).containsExactlyInAnyOrderElementsOf(expected);
    }

    @Test
    void everyListenerClientsReachAuthenticatesAndTheAuthorizerDeniesByDefault() {
        Map<String, String> protocols = new java.util.HashMap<>();
        for (String entry : kafka.path("KAFKA_LISTENER_SECURITY_PROTOCOL_MAP").asText().split(",")) {
            String[] kv = entry.split(":");
            protocols.put(kv[0], kv[1]);
        }
        String controller = kafka.path("KAFKA_CONTROLLER_LISTENER_NAMES").asText();
        for (String listener : kafka.path("KAFKA_ADVERTISED_LISTENERS").asText().split(",")) {
            String name = listener.substring(0, listener.indexOf("://"));
            assertThat(protocols.get(name)).as("advertised listener %s", name).isEqualTo("SASL_SSL");
            assertThat(name).as("the apache/kafka image treats listener names with SSL in them itself").doesNotContain("SSL");
        }
        assertThat(protocols.get(controller)).isEqualTo("SASL_PLAINTEXT");
        assertThat(protocols.values()).doesNotContain("PLAINTEXT", "SSL");
        assertThat(kafka.path("KAFKA_AUTHORIZER_CLASS_NAME").asText())
                .isEqualTo("org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        assertThat(kafka.path("KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND").asText()).isEqualTo("false");
        assertThat(kafka.path("KAFKA_SUPER_USERS").asText()).isEqualTo("User:admin");
        assertThat(kafka.path("KAFKA_LISTENER_NAME_EXTERNAL_SASL_ENABLED_MECHANISMS").asText())
                .as("the host-facing listener takes only the services' SCRAM users").isEqualTo("SCRAM-SHA-512");
        assertThat(kafka.path("KAFKA_SSL_KEYSTORE_LOCATION").asText()).isEqualTo("/run/secrets/kafka-keystore");
        assertThat(DeployFiles.strings(services.path("kafka").path("secrets"))).contains("kafka-keystore", "kafka-admin");
    }

    @Test
    void everyServiceRunsAsItsOwnPrincipalAndMountsOnlyItsOwnCredentials() {
        assertThat(ComposeFileTest.serveCommands(services).keySet()).containsExactlyInAnyOrderElementsOf(PRINCIPAL_OF.keySet());
        JsonNode secrets = compose.path("secrets");
        PRINCIPAL_OF.forEach((container, principal) -> {
            JsonNode service = services.path(container);
            String secret = principal + "-kafka";
            assertThat(service.path("environment").path("STREAMTUNE_KAFKA_CONFIG").asText()).as(container)
                    .isEqualTo("/run/secrets/" + secret);
            List<String> mounted = DeployFiles.strings(service.path("secrets"));
            assertThat(mounted).as("%s secrets", container).containsExactlyInAnyOrder("kafka-truststore", secret);
            assertThat(secrets.path(secret).path("file").asText()).isEqualTo("deploy/compose/secrets/" + principal + ".properties");
        });
        assertThat(secrets.path("kafka-truststore").path("file").asText()).isEqualTo("deploy/compose/secrets/truststore.p12");
    }

    @Test
    void theSchemaRegistryStoresItsSchemasAsTheRegistryPrincipalOverTls() {
        JsonNode registry = services.path("schema-registry");
        JsonNode environment = registry.path("environment");
        assertThat(environment.path("SCHEMA_REGISTRY_KAFKASTORE_SECURITY_PROTOCOL").asText()).isEqualTo("SASL_SSL");
        assertThat(environment.path("SCHEMA_REGISTRY_KAFKASTORE_SASL_MECHANISM").asText()).isEqualTo("SCRAM-SHA-512");
        assertThat(environment.path("SCHEMA_REGISTRY_KAFKASTORE_SSL_TRUSTSTORE_LOCATION").asText())
                .isEqualTo("/run/secrets/kafka-truststore");
        assertThat(DeployFiles.strings(registry.path("env_file"))).containsExactly("deploy/compose/secrets/schema-registry.env");
        assertThat(DeployFiles.text(DeployFiles.file("deploy/compose/make-secrets.sh")))
                .contains("if [[ \"$principal\" == " + StreamtuneAcls.REGISTRY + " ]]");
        assertThat(registry.path("depends_on").has("kafka-init")).as("its user exists first").isTrue();
    }

    @Test
    void kafkaInitCreatesEveryPrincipalsUserAndAppliesTheAclFile() {
        JsonNode init = services.path("kafka-init");
        String script = String.join("\n", DeployFiles.strings(init.path("command")));
        assertThat(DeployFiles.strings(init.path("secrets"))).contains("kafka-admin", "kafka-users", "kafka-truststore");
        assertThat(DeployFiles.strings(init.path("volumes")))
                .contains("./" + ComposeAcls.FILE + ":/etc/streamtune/kafka-acls.txt:ro");
        assertThat(script).contains("kafka-configs.sh", "SCRAM-SHA-512=[iterations=8192", "< /run/secrets/kafka-users",
                "kafka-acls.sh", "/etc/streamtune/kafka-acls.txt", "--allow-principal \"User:$$principal\"",
                "--resource-pattern-type \"$$pattern\"");
        // Compose substitutes a single "$name" itself; every shell variable must be written "$$"
        assertThat(script).doesNotContainPattern("(?<!\\$)\\$(?!\\$)[{a-z]");

        Matcher principals = Pattern.compile("(?m)^principals=\\(([^)]*)\\)").matcher(
                DeployFiles.text(DeployFiles.file("deploy/compose/make-secrets.sh")));
        assertThat(principals.find()).as("make-secrets.sh names its principals").isTrue();
        assertThat(List.of(principals.group(1).trim().split("\\s+")))
                .containsExactlyElementsOf(StreamtuneAcls.PRINCIPALS);
    }

    @Test
    void secretsNeverGoIntoGit() {
        assertThat(DeployFiles.text(DeployFiles.file(".gitignore"))).contains("/deploy/compose/secrets/");
    }
}
