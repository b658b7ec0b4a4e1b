package dev.streamtune.trainer.service;

import dev.streamtune.schemas.KafkaClientProperties;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Runs one {@link TrainerService} until SIGTERM/SIGINT, which finishes the current batch,
 * checkpoints and publishes what is unpublished before the JVM exits.
 *
 * <p>Flags override environment variables:
 * <pre>
 * --bootstrap-servers  STREAMTUNE_BOOTSTRAP_SERVERS   (default localhost:9092)
 * --schema-registry    STREAMTUNE_SCHEMA_REGISTRY_URL (default http://localhost:8081)
 * --task               STREAMTUNE_TASK                (required)
 * --device             STREAMTUNE_DEVICE              auto|cpu|gpu|gpu:N (default auto)
 * --data-dir           STREAMTUNE_DATA_DIR            checkpoints go to DIR/checkpoints/TASK (default ./data)
 *                      STREAMTUNE_SIGNING_KEY         Ed25519 key candidates are signed with (default DIR/keys/trainer.key,
 *                                                     created on first start)
 * --backbone           STREAMTUNE_BACKBONE            (default all-MiniLM-L6-v2)
 * --artifact-dir       STREAMTUNE_ARTIFACT_DIR        deltas over the inline limit (default DATA_DIR/artifacts)
 * --inline-delta-limit N                              bytes (default 921600)
 * --kafka-config       STREAMTUNE_KAFKA_CONFIG        Kafka security settings (a properties file)
 * --batch-size N, --max-wait-ms N, --publish-every N, --publish-interval-s N, --seed N
 * </pre>
 * Exit status 0 after a clean stop, 1 when the trainer failed, 2 for bad arguments.
 */
public final class TrainerServiceMain {
    private TrainerServiceMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        TrainerServiceConfig config;
        try {
            config = parse(args, System::getenv);
        } catch (IllegalArgumentException e) {
            System.err.println("trainer: " + e.getMessage());
            System.exit(2);
            return;
        }
        // the key from STREAMTUNE_SIGNING_KEY, else DATA_DIR/keys/trainer.key (created on first start); checkpoints
        // live in DATA_DIR/checkpoints/TASK (TrainerServiceConfig.checkpointDirectory), so DATA_DIR is two levels up
        String keyFile = System.getenv("STREAMTUNE_SIGNING_KEY");
        dev.streamtune.schemas.signing.SigningKey signer = keyFile != null && !keyFile.isBlank()
                ? dev.streamtune.schemas.signing.KeyFiles.readSigningKey(Path.of(keyFile))
                : dev.streamtune.schemas.signing.KeyFiles.ensure(config.checkpointDirectory().toAbsolutePath()
                        .getParent().getParent().resolve(dev.streamtune.schemas.signing.KeyFiles.DIRECTORY),
                        dev.streamtune.schemas.signing.KeyFiles.TRAINER);
        TrainerService service = new TrainerService(config, signer);
        Thread worker = new Thread(service, "trainer-" + config.task());
        Thread hook = new Thread(() -> {
            service.stop();
            try {
                if (service.awaitStopped(Duration.ofSeconds(60))) {
                    // a JVM ended by a signal exits 143 by default; a clean, checkpointed stop says 0
                    System.err.flush();
                    Runtime.getRuntime().halt(service.failure().isPresent() ? 1 : 0);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "trainer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        worker.start();
        worker.join();
        System.exit(service.failure().isPresent() ? 1 : 0);
    }

    static TrainerServiceConfig parse(String[] args, Function<String, String> env) {
        Map<String, String> flags = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "' (flags are --name value)");
            }
            String value;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                value = arg.substring(eq + 1);
                arg = arg.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("flag " + arg + " needs a value");
            }
            flags.put(arg.substring(2), value);
        }
        Function<String[], String> pick = keys -> {
            String flag = flags.remove(keys[0]);
            if (flag != null) {
                return flag;
            }
            return keys.length > 1 ? env.apply(keys[1]) : null;
        };
        String bootstrap = orDefault(pick.apply(new String[] {"bootstrap-servers", "STREAMTUNE_BOOTSTRAP_SERVERS"}),
                "localhost:9092");
        String registry = orDefault(pick.apply(new String[] {"schema-registry", "STREAMTUNE_SCHEMA_REGISTRY_URL"}),
                "http://localhost:8081");
        String task = pick.apply(new String[] {"task", "STREAMTUNE_TASK"});
        if (task == null || task.isBlank()) {
            throw new IllegalArgumentException("the task is required: --task NAME or STREAMTUNE_TASK");
        }
        String device = orDefault(pick.apply(new String[] {"device", "STREAMTUNE_DEVICE"}), "auto");
        Path dataDir = Path.of(orDefault(pick.apply(new String[] {"data-dir", "STREAMTUNE_DATA_DIR"}), "data"));
        String backbone = orDefault(pick.apply(new String[] {"backbone", "STREAMTUNE_BACKBONE"}),
                TrainerServiceConfig.DEFAULT_BACKBONE);
        TrainerServiceConfig config = TrainerServiceConfig.defaults(bootstrap, AvroSerdeConfig.of(registry), task,
                        TrainerServiceConfig.checkpointDirectory(dataDir, task))
                .withBackbone(backbone)
                .withDevice(device)
                .withKafkaClient(KafkaClientProperties.resolve(pick.apply(new String[] {"kafka-config",
                        KafkaClientProperties.ENV}), Map.of()));
        Path artifacts = Path.of(orDefault(pick.apply(new String[] {"artifact-dir", "STREAMTUNE_ARTIFACT_DIR"}),
                dataDir.resolve("artifacts").toString()));
        String inlineLimit = pick.apply(new String[] {"inline-delta-limit"});
        config = config.withArtifacts(artifacts, inlineLimit == null ? config.inlineDeltaLimit()
                : number("inline-delta-limit", inlineLimit));
        String batch = pick.apply(new String[] {"batch-size"});
        String wait = pick.apply(new String[] {"max-wait-ms"});
        if (batch != null || wait != null) {
            config = config.withMicroBatch(batch == null ? config.microBatchSize() : number("batch-size", batch),
                    wait == null ? config.maxBatchWait() : Duration.ofMillis(number("max-wait-ms", wait)));
        }
        String every = pick.apply(new String[] {"publish-every"});
        String interval = pick.apply(new String[] {"publish-interval-s"});
        if (every != null || interval != null) {
            config = config.withPublishEvery(every == null ? config.publishEveryExamples() : number("publish-every", every),
                    interval == null ? config.publishInterval() : Duration.ofSeconds(number("publish-interval-s", interval)));
        }
        String seed = pick.apply(new String[] {"seed"});
        if (seed != null) {
            config = config.withSeed(number("seed", seed));
        }
        if (!flags.isEmpty()) {
            throw new IllegalArgumentException("unknown flag(s): --" + String.join(", --", flags.keySet()));
        }
        return config;
    }

    private static String orDefault(String value, String dflt) {
        return value == null || value.isBlank() ? dflt : value;
    }

    private static int number(String flag, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + flag + " must be a whole number, got '" + value + "'");
        }
    }
}
