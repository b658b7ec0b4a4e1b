package dev.streamtune.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientPropertiesTest {
    private static final String JAAS = "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"ingest\" password=\"s3cret-ingest\";";

    @TempDir
    Path dir;

    @Test
    void loadsAFileOfStandardKafkaNamesAndAppliesThemToEveryKindOfClientConfig() throws Exception {
        Path truststore = Files.writeString(dir.resolve("truststore.p12"), "not parsed here");
        Path file = dir.resolve("ingest.properties");
        Files.writeString(file, String.join("\n",
                "# the ingest service's principal",
                "security.protocol=SASL_SSL",
                "sasl.mechanism=SCRAM-SHA-512",
                "sasl.jaas.config=" + JAAS.replace("\"", "\\\""),
                "ssl.truststore.location=" + truststore,
                "ssl.truststore.password = changeit ",
                "ssl.truststore.type=PKCS12",
                "client.dns.lookup=use_all_dns_ips"));

        KafkaClientProperties kafka = KafkaClientProperties.load(file);

        assertThat(kafka.securityProtocol()).isEqualTo("SASL_SSL");
        assertThat(kafka.properties()).containsEntry("ssl.truststore.password", "changeit")
                .containsEntry("sasl.jaas.config", JAAS).hasSize(7);
        Map<String, Object> producer = kafka.applyTo(new HashMap<>(Map.of("bootstrap.servers", "k:9093", "acks", "all")));
        assertThat(producer).containsEntry("acks", "all").containsEntry("security.protocol", "SASL_SSL");
        Properties streams = kafka.applyTo(new Properties());
        assertThat(streams).containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(kafka.with(Map.of("bootstrap.servers", "k:9093"))).containsEntry("bootstrap.servers", "k:9093")
                .containsEntry("ssl.truststore.type", "PKCS12");
    }

    @Test
    void toStringHidesPasswordsAndTheJaasConfiguration() {
        KafkaClientProperties kafka = KafkaClientProperties.of(Map.of("security.protocol", "SASL_SSL",
                "sasl.mechanism", "SCRAM-SHA-512", "sasl.jaas.config", JAAS, "ssl.key.password", "k3y"));
        assertThat(kafka.toString()).contains("SCRAM-SHA-512", "SASL_SSL").doesNotContain("s3cret", "k3y");
    }

    @Test
    void theFlagWinsOverTheEnvironmentAndNeitherMeansPlaintext() throws Exception {
        Path flag = Files.writeString(dir.resolve("flag.properties"), "security.protocol=SSL\n");
        Path env = Files.writeString(dir.resolve("env.properties"), "security.protocol=SASL_PLAINTEXT\n");
        Map<String, String> environment = Map.of(KafkaClientProperties.ENV, env.toString());

        assertThat(KafkaClientProperties.resolve(flag.toString(), environment).securityProtocol()).isEqualTo("SSL");
        assertThat(KafkaClientProperties.resolve(null, environment).securityProtocol()).isEqualTo("SASL_PLAINTEXT");
        assertThat(KafkaClientProperties.resolve(" ", Map.of())).isEqualTo(KafkaClientProperties.none());
        assertThat(KafkaClientProperties.none().securityProtocol()).isEqualTo("PLAINTEXT");
    }

    @Test
    void refusesSettingsThatAServiceOwns() {
        assertThatThrownBy(() -> KafkaClientProperties.of(Map.of("bootstrap.servers", "evil:9092")))
                .hasMessageContaining("bootstrap.servers").hasMessageContaining("--bootstrap-servers");
        for (String owned : new String[] {"group.id", "transactional.id", "isolation.level", "enable.idempotence",
                "key.serializer", "acks"}) {
            assertThatThrownBy(() -> KafkaClientProperties.of(Map.of(owned, "x")))
                    .as(owned).hasMessageContaining("'" + owned + "' is not a security or connection setting");
        }
    }

    @Test
    void refusesTyposAndValuesKafkaWouldNotParse() {
        assertThatThrownBy(() -> KafkaClientProperties.of(Map.of("security.protocol", "SASL_SSL",
                "sasl.jass.config", JAAS))).hasMessageContaining("'sasl.jass.config' is not a Kafka client setting");
        assertThatThrownBy(() -> KafkaClientProperties.of(Map.of("security.protocol", "TLS")))
                .hasMessageContaining("security.protocol must be one of").hasMessageContaining("SASL_SSL");
        assertThatThrownBy(() -> KafkaClientProperties.of(Map.of("reconnect.backoff.ms", "soon")))
                .hasMessageContaining("reconnect.backoff.ms");
        assertThatThrownBy(() -> KafkaClientProperties.of(Map.of("client.dns.lookup", "everywhere")))
                .hasMessageContaining("client.dns.lookup");
    }

    @Test
    void refusesSaslSettingsThatThePlaintextProtocolWouldSilentlyIgnore() {
        assertThatThrownBy(() -> KafkaClientProperties.of(Map.of("sasl.jaas.config", JAAS)))
                .hasMessageContaining("sasl.jaas.config is set but security.protocol is PLAINTEXT");
        assertThatThrownBy(() -> KafkaClientProperties.of(Map.of("security.protocol", "SSL", "sasl.mechanism", "PLAIN")))
                .hasMessageContaining("security.protocol is SSL");
    }

    @Test
    void refusesAStoreThatIsNotAReadableFile() {
        assertThatThrownBy(() -> KafkaClientProperties.of(Map.of("security.protocol", "SSL",
                "ssl.truststore.location", dir.resolve("missing.p12").toString())))
                .hasMessageContaining("ssl.truststore.location").hasMessageContaining("not a readable file");
    }

    @Test
    void aFileThatCannotBeReadOrHoldsABadSettingIsNamedInTheError() throws Exception {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> KafkaClientProperties.load(missing)).hasMessageContaining(missing.toString());
        Path bad = Files.writeString(dir.resolve("bad.properties"), "group.id=mine\n");
        assertThatThrownBy(() -> KafkaClientProperties.load(bad)).hasMessageContaining(bad.toString())
                .hasMessageContaining("group.id");
    }
}
