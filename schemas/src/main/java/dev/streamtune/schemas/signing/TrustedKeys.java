package dev.streamtune.schemas.signing;

import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.Signature;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The public keys a verifier accepts signatures from, by key id. Several at once is how keys rotate: trust the new
 * key beside the old, switch the signer, then drop the old key. Immutable and thread-safe.
 */
public final class TrustedKeys {
    private final Map<String, PublicKey> byId;

    private TrustedKeys(Map<String, PublicKey> byId) {
        this.byId = Map.copyOf(byId);
    }

    public static TrustedKeys of(PublicKey... keys) {
        return of(List.of(keys));
    }

    public static TrustedKeys of(Collection<PublicKey> keys) {
        Map<String, PublicKey> byId = new LinkedHashMap<>();
        for (PublicKey key : keys) {
            if (!"Ed25519".equals(key.getAlgorithm()) && !"EdDSA".equals(key.getAlgorithm())) {
                throw new IllegalArgumentException("trusted keys must be Ed25519, got " + key.getAlgorithm());
            }
            byId.put(KeyFiles.keyId(key), key);
        }
        return new TrustedKeys(byId);
    }

    /**
     * Every public key in {@code paths}: a file contributes its PUBLIC KEY blocks, a directory every {@code *.pub}
     * file in it.
     *
     * @throws IllegalArgumentException naming the path, when one is missing or holds no key, or none is given
     */
    public static TrustedKeys load(List<Path> paths) {
        if (paths == null || paths.isEmpty()) {
            throw new IllegalArgumentException("trusted keys: no key file given (--trusted-key FILE, or env"
                    + " STREAMTUNE_TRUSTED_KEYS); a verifier without trusted keys would refuse everything");
        }
        List<PublicKey> keys = new ArrayList<>();
        for (Path path : paths) {
            if (Files.isDirectory(path)) {
                try (Stream<Path> files = Files.list(path)) {
                    List<Path> pubs = files.filter(p -> p.getFileName().toString().endsWith(".pub")).sorted().toList();
                    if (pubs.isEmpty()) {
                        throw new IllegalArgumentException("trusted key directory " + path + " holds no *.pub file");
                    }
                    pubs.forEach(p -> keys.addAll(KeyFiles.readPublicKeys(p)));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot list trusted key directory " + path, e);
                }
            } else if (Files.isRegularFile(path)) {
                keys.addAll(KeyFiles.readPublicKeys(path));
            } else {
                throw new IllegalArgumentException("trusted key file " + path + " does not exist");
            }
        }
        return of(keys);
    }

    public Set<String> keyIds() {
        return byId.keySet();
    }

    /** Adds {@code other}'s keys: a process that verifies its own signatures trusts its key beside the configured. */
    public TrustedKeys and(TrustedKeys other) {
        Map<String, PublicKey> merged = new LinkedHashMap<>(byId);
        merged.putAll(other.byId);
        return new TrustedKeys(merged);
    }

    /** @throws SignatureRefusedException unless a trusted key signed exactly {@code version}'s signed content */
    public void verify(ModelVersion version) {
        verify(version.getSignature(), SignedContent.of(version), "model version " + version.getTask() + "/"
                + version.getVersion());
    }

    /** @throws SignatureRefusedException unless a trusted key signed exactly {@code update}'s signed content */
    public void verify(ModelUpdate update) {
        verify(update.getSignature(), SignedContent.of(update), "model update " + update.getTask() + "/"
                + update.getVersion() + " (" + update.getAction() + ")");
    }

    void verify(Signature signature, byte[] content, String what) {
        if (signature == null) {
            throw new SignatureRefusedException(SignatureRefusedException.Reason.UNSIGNED, what
                    + " is unsigned; only versions signed by a trusted key are accepted (trusted: " + byId.keySet() + ")");
        }
        if (!"Ed25519".equals(signature.getAlgorithm())) {
            throw new SignatureRefusedException(SignatureRefusedException.Reason.UNSUPPORTED_ALGORITHM, what
                    + ": signature.algorithm is '" + signature.getAlgorithm() + "', only Ed25519 is accepted");
        }
        PublicKey key = byId.get(signature.getKeyId());
        if (key == null) {
            throw new SignatureRefusedException(SignatureRefusedException.Reason.UNKNOWN_KEY, what
                    + " is signed by key '" + signature.getKeyId() + "', which is not trusted here (trusted: "
                    + byId.keySet() + ")");
        }
        ByteBuffer value = signature.getValue().duplicate();
        byte[] bytes = new byte[value.remaining()];
        value.get(bytes);
        boolean valid;
        try {
            java.security.Signature verifier = java.security.Signature.getInstance("Ed25519");
            verifier.initVerify(key);
            verifier.update(content);
            valid = bytes.length == 64 && verifier.verify(bytes);
        } catch (GeneralSecurityException e) {
            valid = false;
        }
        if (!valid) {
            throw new SignatureRefusedException(SignatureRefusedException.Reason.BAD_SIGNATURE, what
                    + ": the signature by key '" + signature.getKeyId() + "' does not match its content; a signed field"
                    + " (version, action, provenance or delta sha256) was altered");
        }
    }

    @Override
    public String toString() {
        return "TrustedKeys" + byId.keySet();
    }
}
