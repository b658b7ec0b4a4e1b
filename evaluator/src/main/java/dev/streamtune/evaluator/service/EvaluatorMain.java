package dev.streamtune.evaluator.service;

import java.nio.file.Path;

/**
 * Runs the evaluator until the process is stopped: {@code EvaluatorMain BOOTSTRAP REGISTRY_URL [ARTIFACT_DIR]}.
 * Everything else is {@link EvaluatorConfig#defaults}; the {@code streamtune} command exposes the rest.
 */
public final class EvaluatorMain {
    private EvaluatorMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: EvaluatorMain BOOTSTRAP_SERVERS SCHEMA_REGISTRY_URL [ARTIFACT_DIRECTORY]");
            System.exit(2);
        }
        EvaluatorConfig config = EvaluatorConfig.defaults(args[0], args[1]);
        if (args.length == 3) {
            config = config.withArtifactDirectory(Path.of(args[2]));
        }
        EvaluatorService service = EvaluatorService.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "streamtune-evaluator-shutdown"));
        while (service.isRunning()) {
            Thread.sleep(500);
        }
        if (service.failure().isPresent()) {
            System.err.println("evaluator stopped: " + service.failure().get());
            System.exit(1);
        }
    }
}
