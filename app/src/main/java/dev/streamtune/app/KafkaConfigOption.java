package dev.streamtune.app;

import dev.streamtune.schemas.KafkaClientProperties;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code --kafka-config FILE}: the Kafka security settings ({@code security.protocol}, {@code sasl.*}, {@code ssl.*})
 * of every Kafka client a command builds. Part of {@link ConnectionOptions}; {@code up} and {@code demo}, which run
 * their own broker, mix it in alone.
 */
final class KafkaConfigOption {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = KafkaClientProperties.OPTION, paramLabel = "FILE", defaultValue = "${env:" + KafkaClientProperties.ENV + "}",
            description = {"Java properties file of Kafka client security settings with their standard names, e.g.",
                    "security.protocol=SASL_SSL, sasl.mechanism=SCRAM-SHA-512, sasl.jaas.config=..., ssl.truststore.location=...",
                    "(env " + KafkaClientProperties.ENV + "). Default: none (PLAINTEXT)."})
    String file;

    private KafkaClientProperties loaded;

    /** The settings, read and validated once; a bad file is a usage error naming the file and the setting. */
    KafkaClientProperties properties() {
        if (loaded == null) {
            try {
                loaded = KafkaClientProperties.resolve(file, Map.of());
            } catch (IllegalArgumentException e) {
                throw new ParameterException(mixee.commandLine(), KafkaClientProperties.OPTION + ": " + e.getMessage());
            }
        }
        return loaded;
    }

    /**
     * The settings for the clients of the broker {@code up} and {@code demo} run in this process, whose one listener is
     * PLAINTEXT on localhost: a file asking for another protocol could not connect, so it is refused here.
     */
    KafkaClientProperties forEmbeddedBroker() {
        KafkaClientProperties settings = properties();
        if (!settings.securityProtocol().equals("PLAINTEXT")) {
            throw new ParameterException(mixee.commandLine(), KafkaClientProperties.OPTION + " asks for security.protocol="
                    + settings.securityProtocol() + ", but this command runs its own broker with a PLAINTEXT listener on"
                    + " localhost; run 'streamtune serve' against a cluster that offers " + settings.securityProtocol());
        }
        return settings;
    }

    static KafkaConfigOption of(KafkaClientProperties settings) {
        KafkaConfigOption option = new KafkaConfigOption();
        option.loaded = settings;
        return option;
    }
}
