package dev.streamtune.evaluator.service;

import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.loader.DirectoryArtifactStore;
import dev.streamtune.schemas.signing.KeyFiles;
import dev.streamtune.schemas.signing.ModelTrust;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the evaluator until the process is stopped: {@code EvaluatorMain BOOTSTRAP REGISTRY_URL [ARTIFACT_DIR]}.
 * The artifact directory (where the trainer writes deltas too large to travel inline) is the argument, else
 * {@code STREAMTUNE_ARTIFACT_DIR}, else {@code artifacts/} under {@code STREAMTUNE_DATA_DIR}, else none (inline deltas
 * only). Kafka security settings come from the file {@value KafkaClientProperties#ENV} names. Everything else is
 * {@link EvaluatorConfig#defaults}; the {@code streamtune} command exposes the rest.
 */
public final class EvaluatorMain {
    private EvaluatorMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: EvaluatorMain BOOTSTRAP_SERVERS SCHEMA_REGISTRY_URL [ARTIFACT_DIRECTORY]");
            System.exit(2);
        }
        EvaluatorConfig config = EvaluatorConfig.defaults(args[0], args[1])
                .withKafkaClient(KafkaClientProperties.resolve(null, System.getenv()));
        Optional<Path> artifacts = artifactDirectory(args.length == 3 ? args[2] : null, System.getenv());
        if (artifacts.isPresent()) {
            config = config.withArtifactDirectory(artifacts.get());
        }
        // STREAMTUNE_SIGNING_KEY / STREAMTUNE_TRUSTED_KEYS, else the keys under STREAMTUNE_DATA_DIR (default ./data)
        Map<String, String> env = System.getenv();
        Path data = Path.of(env.getOrDefault("STREAMTUNE_DATA_DIR", "data"));
        String keyFile = env.get("STREAMTUNE_SIGNING_KEY");
        ModelTrust trust = new ModelTrust(
                KeyFiles.signingKey(keyFile == null || keyFile.isBlank() ? null : Path.of(keyFile), data, KeyFiles.EVALUATOR),
                KeyFiles.trustedKeys(KeyFiles.paths(env.get("STREAMTUNE_TRUSTED_KEYS")), data, KeyFiles.TRAINER));
        EvaluatorService service = EvaluatorService.start(config, trust);
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "streamtune-evaluator-shutdown"));
        while (service.isRunning()) {
            Thread.sleep(500);
        }
        if (service.failure().isPresent()) {
            System.err.println("evaluator stopped: " + service.failure().get());
            System.exit(1);
        }
    }

    /** The artifact directory from the argument, else the environment; empty when neither names one. */
    static Optional<Path> artifactDirectory(String argument, Map<String, String> environment) {
        if (argument != null && !argument.isBlank()) {
            return Optional.of(Path.of(argument));
        }
        String direct = environment.get("STREAMTUNE_ARTIFACT_DIR");
        if (direct != null && !direct.isBlank()) {
            return Optional.of(Path.of(direct));
        }
        String data = environment.get("STREAMTUNE_DATA_DIR");
        if (data != null && !data.isBlank()) {
            return Optional.of(DirectoryArtifactStore.under(Path.of(data)));
        }
        return Optional.empty();
    }
}
