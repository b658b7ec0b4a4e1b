package dev.streamtune.app;

import dev.streamtune.schemas.signing.KeyFiles;
import dev.streamtune.schemas.signing.ModelTrust;
import dev.streamtune.schemas.signing.SigningKey;
import dev.streamtune.schemas.signing.TrustedKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Which Ed25519 keys a command signs with and trusts. Trainers sign candidates, the evaluator (and a rollback)
 * signs updates; the evaluator trusts the trainers' keys, subscribers the evaluator's. Without flags the keys are
 * the ones {@code up}, {@code demo} and {@code serve} keep under the data directory ({@code keys/}).
 */
final class KeyOptions {
    @Option(names = "--signing-key", defaultValue = "${env:STREAMTUNE_SIGNING_KEY}",
            description = "Ed25519 private key file (PEM) this service signs with: a trainer's candidates, the"
                    + " evaluator's and a rollback's updates (env STREAMTUNE_SIGNING_KEY)."
                    + " Default: keys/trainer.key or keys/evaluator.key under the data directory, created on first start.")
    Path signingKey;

    @Option(names = "--trusted-key", split = ",", paramLabel = "FILE|DIR",
            description = "Public key file(s) or directories of *.pub whose signatures are accepted; repeat or"
                    + " comma-separate to trust old and new keys while rotating (env STREAMTUNE_TRUSTED_KEYS)."
                    + " Subscribers trust the evaluator's key, the evaluator the trainers'."
                    + " Default: keys/evaluator.pub or keys/trainer.pub under the data directory.")
    List<Path> trustedKeys = new ArrayList<>();

    /** The signing key given, else {@code dataDir/keys/ROLE.key}, created on first start. */
    SigningKey signer(Path dataDir, String role) {
        return KeyFiles.signingKey(signingKey, dataDir, role);
    }

    /** The signing key given, else {@code dataDir/keys/ROLE.key}, which must exist: a new key would sign nothing anyone trusts. */
    SigningKey existingSigner(Path dataDir, String role) {
        Path file = signingKey != null ? signingKey : dataDir.resolve(KeyFiles.DIRECTORY).resolve(role + ".key");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no " + role + " signing key at " + file + ": pass --signing-key FILE"
                    + " (env STREAMTUNE_SIGNING_KEY) with the key the " + role + " signs with");
        }
        return KeyFiles.readSigningKey(file);
    }

    /** The keys given (flag, else env), else {@code dataDir/keys/SIGNER.pub}. */
    TrustedKeys trusted(Path dataDir, String signerRole) {
        List<Path> given = !trustedKeys.isEmpty() ? trustedKeys : KeyFiles.paths(System.getenv("STREAMTUNE_TRUSTED_KEYS"));
        return KeyFiles.trustedKeys(given, dataDir, signerRole);
    }

    /** The evaluator's side: its own key, and the trainers' public keys. */
    ModelTrust evaluator(Path dataDir) {
        return new ModelTrust(signer(dataDir, KeyFiles.EVALUATOR), trusted(dataDir, KeyFiles.TRAINER));
    }
}
