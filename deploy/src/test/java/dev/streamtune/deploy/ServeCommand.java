package dev.streamtune.deploy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The part of the application's contract a deployment relies on: {@code streamtune serve <service>}
 * with its options, and the ports each service listens on. Every container command in the compose
 * file and the manifests is parsed with this, so a typo fails the build rather than the rollout.
 */
record ServeCommand(String service, Map<String, String> options) {

    static final Set<String> SERVICES = Set.of("ingest", "featurizer", "trainer", "evaluator", "dashboard", "registry");
    static final Set<String> DEVICES = Set.of("auto", "cpu", "gpu");
    static final int DEFAULT_METRICS_PORT = 9400;
    static final int DEFAULT_DASHBOARD_PORT = 8080;
    static final int DEFAULT_REGISTRY_PORT = 8081;

    private static final Set<String> COMMON_OPTIONS = Set.of("--bootstrap-servers", "--schema-registry-url", "--metrics-port",
            "--bind-address");
    private static final Map<String, Set<String>> SERVICE_OPTIONS = Map.of(
            "trainer", Set.of("--task", "--device", "--data-dir", "--all-tasks"),
            "dashboard", Set.of("--port"),
            "registry", Set.of("--port", "--registry-auth-file"));

    /** Options that take no value; parsed as {@code "true"}. */
    private static final Set<String> FLAGS = Set.of("--all-tasks");

    ServeCommand {
        options = Map.copyOf(options);
    }

    /** Parses {@code serve <service> [--option value | --option=value]...}. */
    static ServeCommand parse(List<String> args) {
        if (args.size() < 2 || !"serve".equals(args.get(0))) {
            throw new IllegalArgumentException("command must be 'serve <service>', got " + args);
        }
        String service = args.get(1);
        if (!SERVICES.contains(service)) {
            throw new IllegalArgumentException("unknown service '" + service + "' in " + args + "; known: " + SERVICES);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 2; i < args.size(); i++) {
            String arg = args.get(i);
            String name;
            String value;
            int equals = arg.indexOf('=');
            if (FLAGS.contains(arg)) {
                name = arg;
                value = "true";
            } else if (arg.startsWith("--") && equals > 0) {
                name = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            } else if (arg.startsWith("--") && i + 1 < args.size()) {
                name = arg;
                value = args.get(++i);
            } else {
                throw new IllegalArgumentException("'" + arg + "' in " + args + " is not an option with a value");
            }
            boolean allowed = COMMON_OPTIONS.contains(name)
                    || SERVICE_OPTIONS.getOrDefault(service, Set.of()).contains(name);
            if (!allowed) {
                throw new IllegalArgumentException("option " + name + " is not an option of 'serve " + service + "'");
            }
            if (options.put(name, value) != null) {
                throw new IllegalArgumentException("option " + name + " given twice in " + args);
            }
        }
        String device = options.get("--device");
        if (device != null && !DEVICES.contains(device)) {
            throw new IllegalArgumentException("--device must be one of " + DEVICES + ", got " + device);
        }
        for (String portOption : List.of("--port", "--metrics-port")) {
            String port = options.get(portOption);
            if (port != null && !port.matches("[1-9][0-9]{0,4}")) {
                throw new IllegalArgumentException(portOption + " must be a port number, got " + port);
            }
        }
        // finally the application's own parser, the real contract: what it refuses fails here too
        try {
            // the application's own parser is the contract: an option it does not know fails here
            new picocli.CommandLine(new dev.streamtune.app.Streamtune()).parseArgs(args.toArray(String[]::new));
        } catch (picocli.CommandLine.ParameterException e) {
            throw new IllegalArgumentException("streamtune rejects " + args + ": " + e.getMessage(), e);
        }
        return new ServeCommand(service, options);
    }

    /** Where Prometheus scrapes this service and where its {@code /health} answers. */
    int metricsPort() {
        if ("dashboard".equals(service)) {
            return httpPort();
        }
        return Integer.parseInt(options.getOrDefault("--metrics-port", String.valueOf(DEFAULT_METRICS_PORT)));
    }

    /** The service's own HTTP port: the dashboard's page or the registry's REST API. */
    int httpPort() {
        return switch (service) {
            case "dashboard" -> Integer.parseInt(options.getOrDefault("--port", String.valueOf(DEFAULT_DASHBOARD_PORT)));
            case "registry" -> Integer.parseInt(options.getOrDefault("--port", String.valueOf(DEFAULT_REGISTRY_PORT)));
            default -> throw new IllegalStateException(service + " has no HTTP port besides its metrics port");
        };
    }
}
