package dev.streamtune.schemas.signing;

import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Signature;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;

/**
 * A service's private Ed25519 key and its id. Signing is stateless and thread-safe (each call uses its own
 * {@link java.security.Signature}).
 *
 * @param keyId      {@link KeyFiles#keyId} of {@code publicKey}, carried in every signature it makes
 * @param privateKey the key that signs
 * @param publicKey  its public half, to hand to verifiers
 */
public record SigningKey(String keyId, PrivateKey privateKey, PublicKey publicKey) {
    public SigningKey {
        if (keyId == null || !keyId.matches("[0-9a-f]{16}")) {
            throw new IllegalArgumentException("keyId must be 16 lower-case hex digits, got '" + keyId + "'");
        }
        if (privateKey == null || publicKey == null) {
            throw new IllegalArgumentException("privateKey and publicKey must not be null");
        }
    }

    /** A fresh key pair, held in memory only: for tests and one-off tools. */
    public static SigningKey generate() {
        java.security.KeyPair pair = KeyFiles.generate();
        return new SigningKey(KeyFiles.keyId(pair.getPublic()), pair.getPrivate(), pair.getPublic());
    }

    /** The trainer's signature over {@code version}, returned as a copy carrying it. */
    public ModelVersion sign(ModelVersion version) {
        return ModelVersion.newBuilder(version).setSignature(signature(SignedContent.of(version))).build();
    }

    /** The evaluator's signature over {@code update}, returned as a copy carrying it. */
    public ModelUpdate sign(ModelUpdate update) {
        return ModelUpdate.newBuilder(update).setSignature(signature(SignedContent.of(update))).build();
    }

    /** These keys, as a verifier would trust them. */
    public TrustedKeys asTrusted() {
        return TrustedKeys.of(publicKey);
    }

    Signature signature(byte[] content) {
        try {
            java.security.Signature signer = java.security.Signature.getInstance("Ed25519");
            signer.initSign(privateKey);
            signer.update(content);
            return Signature.newBuilder().setKeyId(keyId).setAlgorithm("Ed25519")
                    .setValue(ByteBuffer.wrap(signer.sign())).build();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }

    void checkPair(Path file) {
        byte[] probe = "streamtune key pair check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        try {
            TrustedKeys.of(publicKey).verify(signature(probe), probe, "key file " + file);
        } catch (SignatureRefusedException e) {
            throw new IllegalArgumentException("signing key " + file + ": its PUBLIC KEY block is not the public half"
                    + " of its PRIVATE KEY block", e);
        }
    }
}
