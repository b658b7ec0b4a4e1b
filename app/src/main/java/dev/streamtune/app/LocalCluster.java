package dev.streamtune.app;

import dev.streamtune.broker.EmbeddedKafkaBroker;
import dev.streamtune.schemas.signing.KeyFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A multi-broker installation on this machine with every part its own process, as {@code up --brokers 3} runs it:
 * a KRaft cluster of {@code brokers} nodes ({@code serve broker}, broker and controller each, a quorum of all of
 * them), the schema registry, two ingest and two featurizer instances sharing the partitions, a trainer for every
 * declared task, the evaluator and the dashboard, each a {@code serve} process of this same application. Topics are
 * created by the services from the one declaration, at RF 3 and min ISR 2.
 *
 * <p>Each process logs to {@code <data>/logs/<name>.log} (appended across restarts) and keeps its state under
 * {@code <data>/<name>/}; the trainer and the evaluator share {@code <data>/services/} for the artifact store and keys.
 * {@link Member#kill()} is a SIGKILL; {@link Member#start()} brings a member back on the same directory and ports.
 * Heaps: 512 MB a broker, 256 MB the registry and the dashboard, 384 MB an ingest, 768 MB a featurizer (plus ONNX
 * Runtime's native memory), 2 GB the trainer, 1 GB the evaluator: about 7 GB of heap for the whole installation.
 */
final class LocalCluster implements AutoCloseable {
    /** What a member runs. */
    enum Kind { broker, registry, ingest, featurizer, trainer, evaluator, dashboard }

    private static final Duration START_TIMEOUT = Duration.ofMinutes(4);

    /** One process of the installation: its command, log and state directory, started and killed at will. */
    static final class Member {
        final Kind kind;
        final String name;
        private final List<String> command;
        private final Map<String, String> env;
        private final Path log;
        private final String readyText;
        private Process process;
        private long logOffset;
        private int starts;

        Member(Kind kind, String name, List<String> command, Map<String, String> env, Path log, String readyText) {
            this.kind = kind;
            this.name = name;
            this.command = List.copyOf(command);
            this.env = Map.copyOf(env);
            this.log = log;
            this.readyText = readyText;
        }

        /** Starts the process (again), its output appended to its log. */
        synchronized void start() {
            try {
                Files.createDirectories(log.getParent());
                logOffset = Files.exists(log) ? Files.size(log) : 0;
                ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                builder.environment().putAll(env);
                process = builder.start();
                starts++;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name + ": " + e.getMessage(), e);
            }
        }

        /** Waits until the process printed that it runs; a process that died first is an error naming its log. */
        void awaitReady(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!printedSinceStart(readyText)) {
                if (!alive()) {
                    throw new IllegalStateException(name + " exited with " + process.exitValue() + " before it ran; see " + log);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(name + " did not start within " + timeout + "; see " + log);
                }
                Thread.sleep(200);
            }
        }

        private boolean printedSinceStart(String text) {
            try {
                byte[] all = Files.readAllBytes(log);
                int from = (int) Math.min(logOffset, all.length);
                return new String(all, from, all.length - from, StandardCharsets.UTF_8).contains(text);
            } catch (IOException e) {
                return false;
            }
        }

        /** SIGKILL: no shutdown hook, no flush, no commit, as a crashed machine. */
        synchronized void kill() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        }

        /** SIGTERM, and SIGKILL after {@code grace}. */
        synchronized void stop(Duration grace) throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroy();
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }

        synchronized boolean alive() {
            return process != null && process.isAlive();
        }

        /** The operating system's process id, or -1 before the first start. */
        synchronized long pid() {
            return process == null ? -1 : process.pid();
        }

        /** How often this member was started, the first start included. */
        synchronized int starts() {
            return starts;
        }

        Path log() {
            return log;
        }
    }

    private final List<Member> members;
    private final String bootstrapServers;
    private final String registryUrl;
    private final String dashboardUrl;
    private final Path data;

    private LocalCluster(List<Member> members, String bootstrapServers, String registryUrl, String dashboardUrl, Path data) {
        this.members = List.copyOf(members);
        this.bootstrapServers = bootstrapServers;
        this.registryUrl = registryUrl;
        this.dashboardUrl = dashboardUrl;
        this.data = data;
    }

    /**
     * Starts the installation under {@code data} and returns once every member runs; a cluster already formatted there
     * (same {@code cluster.id} file) is started again with its topics and records.
     *
     * @param brokers   nodes of the KRaft cluster, 3 to 5
     * @param ingest    ingest instances (Streams, one application id)
     * @param featurize featurizer instances (one consumer group, a transactional id each)
     */
    static LocalCluster start(Path data, int brokers, int ingest, int featurize, int registryPort, int dashboardPort,
            Consumer<String> progress) throws InterruptedException {
        return start(data, brokers, ingest, featurize, registryPort, dashboardPort, Map.of(), progress);
    }

    /** As above, with {@code extraArgs} appended to the {@code serve} arguments of each kind named there. */
    static LocalCluster start(Path data, int brokers, int ingest, int featurize, int registryPort, int dashboardPort,
            Map<Kind, List<String>> extraArgs, Consumer<String> progress) throws InterruptedException {
        if (brokers < 3 || brokers > 5) {
            throw new IllegalArgumentException("brokers must be from 3 to 5 (a controller quorum that survives a loss), got " + brokers);
        }
        if (ingest < 1 || featurize < 1) {
            throw new IllegalArgumentException("ingest and featurizer instances must be at least 1, got " + ingest + " and " + featurize);
        }
        Layout layout = Layout.load(data, brokers, registryPort, dashboardPort);
        String bootstrap = layout.kafkaPorts.values().stream().map(p -> "localhost:" + p).collect(Collectors.joining(","));
        String registryUrl = "http://localhost:" + layout.registryPort;
        String voters = layout.controllerPorts.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
        Path services = data.resolve("services");
        // the trainer signs with its key and the evaluator trusts it: both exist before either starts
        KeyFiles.signingKey(null, services, KeyFiles.TRAINER);
        KeyFiles.signingKey(null, services, KeyFiles.EVALUATOR);

        List<Member> all = new ArrayList<>();
        List<Member> nodes = new ArrayList<>();
        layout.kafkaPorts.forEach((id, port) -> nodes.add(member(data, Kind.broker, "broker-" + id, "512m", List.of(
                "--node-id", String.valueOf(id), "--cluster-id", layout.clusterId, "--voters", voters,
                "--port", String.valueOf(port), "--data-dir", data.resolve("broker-" + id).toString()), Map.of(),
                "broker " + id + ": serving")));
        all.addAll(nodes);
        List<String> connect = List.of("--bootstrap-servers", bootstrap, "--schema-registry-url", registryUrl,
                "--metrics-port", "0");
        Member registry = member(data, Kind.registry, "registry", "256m", concat(connect, "--port",
                String.valueOf(layout.registryPort), "--data-dir", data.resolve("registry").toString()), Map.of(), "registry running");
        all.add(registry);
        List<Member> services1 = new ArrayList<>();
        for (int i = 1; i <= ingest; i++) {
            services1.add(member(data, Kind.ingest, "ingest-" + i, "384m",
                    concat(connect, "--data-dir", data.resolve("ingest-" + i).toString()), Map.of(), "ingest running"));
        }
        for (int i = 1; i <= featurize; i++) {
            services1.add(member(data, Kind.featurizer, "featurizer-" + i, "768m",
                    concat(connect, "--data-dir", data.resolve("featurizer-" + i).toString()),
                    Map.of("STREAMTUNE_FEATURIZER_TRANSACTIONAL_ID", "streamtune-featurizer-" + i,
                            "STREAMTUNE_FEATURIZER_THREADS", "1"), "featurizer running"));
        }
        services1.add(member(data, Kind.trainer, "trainer", "2g", concat(concat(connect, "--all-tasks", "--data-dir",
                services.toString()), extraArgs.getOrDefault(Kind.trainer, List.of()).toArray(String[]::new)), Map.of(),
                "trainer running"));
        services1.add(member(data, Kind.evaluator, "evaluator", "1g", concat(concat(connect, "--data-dir",
                services.toString()), extraArgs.getOrDefault(Kind.evaluator, List.of()).toArray(String[]::new)), Map.of(),
                "evaluator running"));
        services1.add(member(data, Kind.dashboard, "dashboard", "256m", concat(connect, "--port",
                String.valueOf(layout.dashboardPort), "--data-dir", data.resolve("dashboard").toString()), Map.of(), "dashboard running"));
        all.addAll(services1);
        LocalCluster cluster = new LocalCluster(all, bootstrap, registryUrl, "http://localhost:" + layout.dashboardPort, data);
        try {
            progress.accept("starting " + brokers + " KRaft brokers (a controller quorum of " + brokers + ") on " + bootstrap);
            nodes.forEach(Member::start);
            for (Member node : nodes) {
                node.awaitReady(START_TIMEOUT);
            }
            cluster.awaitBrokers(brokers, START_TIMEOUT);
            progress.accept("starting the schema registry on " + registryUrl);
            registry.start();
            registry.awaitReady(START_TIMEOUT);
            progress.accept("starting " + services1.stream().map(m -> m.name).collect(Collectors.joining(", ")));
            services1.forEach(Member::start);
            for (Member m : services1) {
                m.awaitReady(START_TIMEOUT);
                progress.accept("  " + m.name + " runs (pid " + m.pid() + ", log " + m.log() + ")");
            }
            return cluster;
        } catch (RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    String registryUrl() {
        return registryUrl;
    }

    String dashboardUrl() {
        return dashboardUrl;
    }

    Path data() {
        return data;
    }

    List<Member> members() {
        return members;
    }

    List<Member> members(Kind kind) {
        return members.stream().filter(m -> m.kind == kind).toList();
    }

    /** Waits until {@code count} brokers are registered with the controller quorum. */
    void awaitBrokers(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000))) {
            while (true) {
                try {
                    if (admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size() >= count) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    // not all up yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("fewer than " + count + " brokers registered within " + timeout);
                }
                Thread.sleep(500);
            }
        }
    }

    /** Stops the services first (SIGTERM, so they checkpoint and commit), then the registry, then the brokers together. */
    @Override
    public void close() {
        try {
            List<Member> reversed = new ArrayList<>(members);
            java.util.Collections.reverse(reversed);
            List<Thread> stopping = new ArrayList<>();
            for (Kind kind : List.of(Kind.dashboard, Kind.evaluator, Kind.trainer, Kind.featurizer, Kind.ingest, Kind.registry, Kind.broker)) {
                stopping.clear();
                for (Member m : reversed) {
                    if (m.kind == kind) {
                        Thread t = new Thread(() -> {
                            try {
                                m.stop(Duration.ofSeconds(60));
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }, "stop-" + m.name);
                        t.start();
                        stopping.add(t);
                    }
                }
                for (Thread t : stopping) {
                    t.join();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Member member(Path data, Kind kind, String name, String heap, List<String> args, Map<String, String> env,
            String readyText) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-Dai.djl.offline=true", "-cp", System.getProperty("java.class.path"),
                Streamtune.class.getName(), "serve", kind.name()));
        command.addAll(args);
        return new Member(kind, name, command, env, data.resolve("logs").resolve(name + ".log"), readyText);
    }

    private static List<String> concat(List<String> head, String... tail) {
        List<String> out = new ArrayList<>(head);
        out.addAll(List.of(tail));
        return out;
    }

    /**
     * The cluster id and ports, chosen on first start and kept in {@code <data>/cluster.properties}, so a restart finds
     * its brokers' directories formatted for the same cluster and its clients' addresses unchanged.
     */
    private record Layout(String clusterId, Map<Integer, Integer> kafkaPorts, Map<Integer, Integer> controllerPorts,
            int registryPort, int dashboardPort) {
        static Layout load(Path data, int brokers, int registryPort, int dashboardPort) {
            Path file = data.resolve("cluster.properties");
            java.util.Properties p = new java.util.Properties();
            try {
                Files.createDirectories(data);
                if (Files.exists(file)) {
                    try (var in = Files.newInputStream(file)) {
                        p.load(in);
                    }
                } else {
                    p.setProperty("cluster.id", Uuid.randomUuid().toString());
                    for (int id = 1; id <= brokers; id++) {
                        p.setProperty("broker." + id + ".port", String.valueOf(EmbeddedKafkaBroker.freePort("localhost")));
                        p.setProperty("controller." + id + ".port", String.valueOf(EmbeddedKafkaBroker.freePort("localhost")));
                    }
                    p.setProperty("registry.port", String.valueOf(registryPort != 0 ? registryPort : EmbeddedKafkaBroker.freePort("localhost")));
                    p.setProperty("dashboard.port", String.valueOf(dashboardPort != 0 ? dashboardPort : EmbeddedKafkaBroker.freePort("localhost")));
                    try (var out = Files.newOutputStream(file)) {
                        p.store(out, "streamtune up --brokers " + brokers + ": the cluster's id and ports");
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read or write " + file, e);
            }
            Map<Integer, Integer> kafka = new TreeMap<>();
            Map<Integer, Integer> controllers = new TreeMap<>();
            for (int id = 1; p.getProperty("broker." + id + ".port") != null; id++) {
                kafka.put(id, Integer.parseInt(p.getProperty("broker." + id + ".port")));
                controllers.put(id, Integer.parseInt(p.getProperty("controller." + id + ".port")));
            }
            if (kafka.size() != brokers) {
                throw new IllegalArgumentException(file + " holds a cluster of " + kafka.size() + " brokers, not " + brokers
                        + "; use --brokers " + kafka.size() + " or another --data-dir");
            }
            return new Layout(p.getProperty("cluster.id"), kafka, controllers,
                    Integer.parseInt(p.getProperty("registry.port")), Integer.parseInt(p.getProperty("dashboard.port")));
        }
    }
}
