package dev.streamtune.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.streamtune.testkit.KafkaTestCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/** State in the compacted Kafka topic: a restarted registry serves exactly what it served before. */
class RegistryRestartIT {

    private final KafkaTestCluster cluster = KafkaTestCluster.shared();

    @Test
    void aRestartKeepsEveryIdVersionAndLevel() throws Exception {
        RegistryConfig config = RegistryConfig.of(0, cluster.bootstrapServers())
                .withTopic("_schemas-restart-" + UUID.randomUUID());
        Map<String, Integer> ids = new LinkedHashMap<>();
        try (RegistryServer first = RegistryServer.startWithKafka(config)) {
            RegistryClient client = new RegistryClient(first.url());
            ids.put("users-v1", client.registerId("users-value", Schemas.USER_V1));
            ids.put("users-v2", client.registerId("users-value", Schemas.USER_V2));
            ids.put("orders", client.registerId("orders-value", Schemas.ORDER));
            ids.put("audit-users", client.registerId("audit-value", Schemas.USER_V1));
            assertThat(client.register("users-value", Schemas.USER_WITH_REQUIRED_EMAIL).status()).isEqualTo(409);
            client.put("/config", Map.of("compatibility", "FULL"));
            client.put("/config/orders-value", Map.of("compatibility", "NONE"));
        }
        assertThat(ids.get("audit-users")).isEqualTo(ids.get("users-v1"));

        try (Admin admin = cluster.admin()) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, config.topic());
            assertThat(admin.describeConfigs(List.of(topic)).all().get().get(topic).get("cleanup.policy").value())
                    .isEqualTo("compact");
        }

        try (RegistryServer second = RegistryServer.startWithKafka(config)) {
            RegistryClient client = new RegistryClient(second.url());
            assertThat(client.get("/subjects").json().toString())
                    .isEqualTo("[\"audit-value\",\"orders-value\",\"users-value\"]");
            assertThat(client.get("/subjects/users-value/versions").json().toString()).isEqualTo("[1,2]");
            assertThat(client.get("/subjects/users-value/versions/1").json().get("id").asInt())
                    .isEqualTo(ids.get("users-v1"));
            assertThat(client.get("/subjects/users-value/versions/latest").json().get("id").asInt())
                    .isEqualTo(ids.get("users-v2"));
            assertThat(client.get("/subjects/orders-value/versions/1").json().get("id").asInt())
                    .isEqualTo(ids.get("orders"));
            for (int id : ids.values()) {
                assertThat(client.get("/schemas/ids/" + id).status()).isEqualTo(200);
            }
            assertThat(client.registerId("users-value", Schemas.USER_V2)).isEqualTo(ids.get("users-v2"));
            assertThat(client.get("/config").json().get("compatibilityLevel").asText()).isEqualTo("FULL");
            assertThat(client.get("/config/orders-value").json().get("compatibilityLevel").asText()).isEqualTo("NONE");
            assertThat(client.register("users-value", Schemas.USER_WITH_REQUIRED_EMAIL).status())
                    .as("the refused schema is still refused, now under FULL").isEqualTo(409);

            int next = client.registerId("new-value", "{\"type\":\"enum\",\"name\":\"Color\",\"symbols\":[\"RED\"]}");
            assertThat(next).as("new ids continue after the replayed ones").isEqualTo(
                    ids.values().stream().mapToInt(Integer::intValue).max().orElseThrow() + 1);
        }
    }

    @Test
    void concurrentRegistrationsThroughKafkaGetOneId() throws Exception {
        RegistryConfig config = RegistryConfig.of(0, cluster.bootstrapServers())
                .withTopic("_schemas-concurrent-" + UUID.randomUUID());
        try (RegistryServer server = RegistryServer.startWithKafka(config)) {
            RegistryClient client = new RegistryClient(server.url());
            List<Integer> ids = java.util.stream.IntStream.range(0, 24).parallel()
                    .mapToObj(i -> client.registerId("s" + (i % 3) + "-value", Schemas.ORDER)).toList();
            assertThat(ids).containsOnly(ids.get(0));
            assertThat(cluster.readAllBytes(config.topic())).as("one record per subject version").hasSize(3);
        }
    }
}
