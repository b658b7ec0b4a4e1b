package dev.streamtune.app;

import picocli.CommandLine.Option;

/** Where Streamtune's HTTP servers listen: one flag for the registry, the dashboard and every /metrics endpoint. */
final class BindOptions {

    @Option(names = "--bind-address", defaultValue = "${env:STREAMTUNE_BIND_ADDRESS:-127.0.0.1}", paramLabel = "ADDRESS",
            description = {"Interface the schema registry, the dashboard and the /metrics and /health endpoints listen on:"
                    + " 127.0.0.1 keeps them to this machine; 0.0.0.0 opens them to every interface"
                    + " (env STREAMTUNE_BIND_ADDRESS; the container image sets 0.0.0.0). Default: ${DEFAULT-VALUE}"})
    String bindAddress;

    /** Whether anything but this machine can reach the servers. */
    boolean isOpen() {
        return !bindAddress.equals("127.0.0.1") && !bindAddress.equals("localhost") && !bindAddress.equals("::1");
    }
}
