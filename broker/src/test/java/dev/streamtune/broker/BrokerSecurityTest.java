package dev.streamtune.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerSecurityTest {
    @TempDir
    Path dir;
    Path store;

    @BeforeEach
    void stores() throws Exception {
        store = Files.writeString(dir.resolve("store.p12"), "x");
    }

    private BrokerSecurity security(String superUser, String superPassword, Map<String, String> users) {
        return new BrokerSecurity(store, "changeit", store, "changeit", superUser, superPassword, users, List.of());
    }

    @Test
    void aSecuredBrokerHasOneSaslSslClientListenerAndDeniesWhatNoAclAllows() {
        BrokerConfig config = BrokerConfig.defaults().withSecurity(security("broker", "broker-pw", Map.of("ingest", "ingest-pw")));
        Properties props = EmbeddedKafkaBroker.brokerProperties(config, dir, 19092, 19093);

        assertThat(props.getProperty("listeners")).isEqualTo("SASL_SSL://localhost:19092,CONTROLLER://localhost:19093");
        assertThat(props.getProperty("listener.security.protocol.map")).isEqualTo("SASL_SSL:SASL_SSL,CONTROLLER:SASL_PLAINTEXT");
        assertThat(props.getProperty("inter.broker.listener.name")).isEqualTo("SASL_SSL");
        assertThat(props.getProperty("authorizer.class.name")).endsWith("StandardAuthorizer");
        assertThat(props.getProperty("allow.everyone.if.no.acl.found")).isEqualTo("false");
        assertThat(props.getProperty("super.users")).isEqualTo("User:broker");
        assertThat(props.getProperty("listener.name.sasl_ssl.sasl.enabled.mechanisms")).isEqualTo("SCRAM-SHA-512,PLAIN");
        // only the broker's own account exists for PLAIN; the services' users are SCRAM credentials
        assertThat(props.getProperty("listener.name.sasl_ssl.plain.sasl.jaas.config")).contains("user_broker=")
                .doesNotContain("ingest");
        assertThat(EmbeddedKafkaBroker.brokerProperties(BrokerConfig.defaults(), dir, 1, 2).getProperty("listeners"))
                .startsWith("PLAINTEXT://");
    }

    @Test
    void clientSettingsAuthenticateTheNamedUserAndTrustTheBroker() {
        BrokerSecurity security = security("broker", "broker-pw", Map.of("ingest", "ingest-pw"));
        assertThat(security.userClient("ingest")).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512").containsEntry("ssl.truststore.location", store.toAbsolutePath().toString())
                .hasEntrySatisfying("sasl.jaas.config", jaas -> assertThat(jaas).contains("username=\"ingest\"", "password=\"ingest-pw\""));
        assertThat(security.superUserClient()).containsEntry("sasl.mechanism", "PLAIN");
        assertThatThrownBy(() -> security.userClient("nobody")).hasMessageContaining("nobody").hasMessageContaining("ingest");
    }

    @Test
    void refusesWhatWouldBreakTheJaasConfigurationOrTheSuperUser() {
        assertThatThrownBy(() -> security("broker", "short", Map.of())).hasMessageContaining("superUserPassword")
                .hasMessageContaining("6");
        assertThatThrownBy(() -> security("broker", "broker-pw", Map.of("eve", "pass\"word")))
                .hasMessageContaining("password of user eve").hasMessageContaining("quotes");
        assertThatThrownBy(() -> security("broker", "broker-pw", Map.of("broker", "another-pw")))
                .hasMessageContaining("super user broker");
        assertThatThrownBy(() -> security("User:x", "broker-pw", Map.of())).hasMessageContaining("superUser");
        assertThatThrownBy(() -> new BrokerSecurity(dir.resolve("none.p12"), "changeit", store, "changeit", "b", "broker-pw",
                Map.of(), List.of())).hasMessageContaining("keystore");
    }
}
