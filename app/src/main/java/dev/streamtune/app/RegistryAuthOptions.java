package dev.streamtune.app;

import dev.streamtune.http.BasicCredentials;
import dev.streamtune.registry.RegistryConfig;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Optional basic auth on the schema registry's writes, as Confluent's {@code authentication.method=BASIC}. */
final class RegistryAuthOptions {

    @Option(names = "--registry-auth-file", defaultValue = "${env:STREAMTUNE_REGISTRY_AUTH_FILE}", paramLabel = "FILE",
            description = {"A file whose first line is user:password: registering a schema or setting a compatibility"
                    + " level then needs these basic-auth credentials, reads stay open (env STREAMTUNE_REGISTRY_AUTH_FILE;"
                    + " or env " + RegistryConfig.AUTH_ENV + "=user:password). Clients put them in the URL:"
                    + " http://user:password@host:8081 (Confluent's basic.auth.credentials.source=URL)."})
    Path file;

    Optional<BasicCredentials> credentials() {
        return BasicCredentials.fromFileOrEnv(file, RegistryConfig.AUTH_ENV, System.getenv());
    }
}
