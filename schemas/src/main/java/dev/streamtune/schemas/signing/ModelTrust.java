package dev.streamtune.schemas.signing;

import java.util.Objects;

/**
 * A service's side of the signature chain: the key it signs what it publishes with, and the keys it accepts its
 * inputs from. The evaluator signs updates and trusts the trainers' keys for candidates.
 *
 * @param signer  the service's own private key
 * @param trusted the public keys of the services whose records it reads
 */
public record ModelTrust(SigningKey signer, TrustedKeys trusted) {
    public ModelTrust {
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(trusted, "trusted");
        if (trusted.keyIds().isEmpty()) {
            throw new IllegalArgumentException("trusted must hold at least one public key");
        }
    }
}
