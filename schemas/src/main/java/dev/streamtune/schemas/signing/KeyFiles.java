package dev.streamtune.schemas.signing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 keys as PEM files. {@code NAME.key} holds a {@code PRIVATE KEY} block (PKCS#8) followed by its
 * {@code PUBLIC KEY} block (X.509 SubjectPublicKeyInfo), readable only by its owner; {@code NAME.pub} holds the
 * public block alone and is what verifiers are given.
 */
public final class KeyFiles {
    /** Largest key file read: an Ed25519 PEM pair is about 250 bytes; a trust file may list a few dozen keys. */
    static final long MAX_FILE_BYTES = 64 * 1024;
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    /** The directory under a data directory where {@code up}, {@code demo} and {@code serve} keep their keys. */
    public static final String DIRECTORY = "keys";
    /** The key a trainer signs candidates with: {@code keys/trainer.key}, trusted by evaluators as {@code trainer.pub}. */
    public static final String TRAINER = "trainer";
    /** The key an evaluator (and a rollback) signs updates with, trusted by subscribers as {@code evaluator.pub}. */
    public static final String EVALUATOR = "evaluator";

    private KeyFiles() {
    }

    /**
     * The one rule every entry point resolves keys by: the key file given (flag or {@code STREAMTUNE_SIGNING_KEY};
     * a {@code NAME.key} that does not exist yet is created with its {@code NAME.pub}), else
     * {@code dataDir/keys/ROLE.key}, created on first start.
     */
    public static SigningKey signingKey(Path given, Path dataDir, String role) {
        if (given == null) {
            return ensure(dataDir.resolve(DIRECTORY), role);
        }
        String name = given.getFileName().toString();
        if (!Files.exists(given) && name.endsWith(".key") && name.length() > 4) {
            // a key path on a volume of its own (compose): created there on first start, beside its .pub
            Path parent = given.toAbsolutePath().getParent();
            return ensure(parent, name.substring(0, name.length() - 4));
        }
        return readSigningKey(given);
    }

    /**
     * The public keys given (flag or {@code STREAMTUNE_TRUSTED_KEYS}), else {@code dataDir/keys/SIGNER.pub}, where
     * {@code up}, {@code demo} and {@code serve} on a shared data directory leave it.
     *
     * @throws IllegalArgumentException naming the flag, the env and the default file when none of them holds a key
     */
    public static TrustedKeys trustedKeys(List<Path> given, Path dataDir, String signerRole) {
        if (given != null && !given.isEmpty()) {
            return TrustedKeys.load(given);
        }
        Path fallback = publicKeyFile(dataDir, signerRole);
        if (!Files.isRegularFile(fallback)) {
            throw new IllegalArgumentException("no trusted " + signerRole + " key: pass --trusted-key FILE (or env"
                    + " STREAMTUNE_TRUSTED_KEYS) with the " + signerRole + "'s public key, or start where " + fallback
                    + " exists (the " + signerRole + " writes it on its first start)");
        }
        return TrustedKeys.load(List.of(fallback));
    }

    /** Comma-separated paths, as {@code STREAMTUNE_TRUSTED_KEYS} holds them; blank gives none. */
    public static List<Path> paths(String commaSeparated) {
        List<Path> out = new ArrayList<>();
        if (commaSeparated != null) {
            for (String part : commaSeparated.split(",")) {
                if (!part.isBlank()) {
                    out.add(Path.of(part.trim()));
                }
            }
        }
        return out;
    }

    /** {@code dataDir/keys/NAME.pub}. */
    public static Path publicKeyFile(Path dataDir, String name) {
        return dataDir.resolve(DIRECTORY).resolve(name + ".pub");
    }

    /**
     * The signing key {@code dir/NAME.key}, created with its {@code dir/NAME.pub} on first use: how {@code up} and
     * {@code demo} give the trainer and the evaluator keys of their own without a manual step.
     */
    public static SigningKey ensure(Path dir, String name) {
        Path keyFile = dir.resolve(name + ".key");
        try {
            if (!Files.exists(keyFile)) {
                Files.createDirectories(dir);
                write(generate(), keyFile, dir.resolve(name + ".pub"));
            }
        } catch (FileAlreadyExistsException raced) {
            // another process created it first: read theirs
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create signing key " + keyFile, e);
        }
        return readSigningKey(keyFile);
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no Ed25519 (needs Java 15+)", e);
        }
    }

    /** Writes the private key file (owner-only) and the public key file; refuses to overwrite a key. */
    public static void write(KeyPair pair, Path keyFile, Path publicFile) throws IOException {
        String publicPem = pem("PUBLIC KEY", pair.getPublic().getEncoded());
        Path tmp = Files.createTempFile(keyFile.toAbsolutePath().getParent(), ".key", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException notPosix) {
                // best effort on file systems without POSIX permissions
            }
            Files.writeString(tmp, pem("PRIVATE KEY", pair.getPrivate().getEncoded()) + publicPem);
            Files.move(tmp, keyFile); // no REPLACE_EXISTING: an existing key is never overwritten
            // only the process whose key won writes its public half, so the two files always belong together
            Files.writeString(publicFile, publicPem);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads a private key file written by {@link #write}. */
    public static SigningKey readSigningKey(Path keyFile) {
        List<byte[]> privates = new ArrayList<>();
        List<byte[]> publics = new ArrayList<>();
        blocks(keyFile, privates, publics);
        if (privates.size() != 1 || publics.size() != 1) {
            throw new IllegalArgumentException("signing key " + keyFile + " must hold one PRIVATE KEY and one PUBLIC KEY"
                    + " PEM block, found " + privates.size() + " and " + publics.size());
        }
        try {
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            PrivateKey privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(privates.get(0)));
            PublicKey publicKey = factory.generatePublic(new X509EncodedKeySpec(publics.get(0)));
            SigningKey key = new SigningKey(keyId(publicKey), privateKey, publicKey);
            key.checkPair(keyFile);
            return key;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("signing key " + keyFile + " is not an Ed25519 key pair: " + e.getMessage(), e);
        }
    }

    /** Every PUBLIC KEY block of a file (a private key file's public half counts too). */
    public static List<PublicKey> readPublicKeys(Path file) {
        List<byte[]> publics = new ArrayList<>();
        blocks(file, new ArrayList<>(), publics);
        if (publics.isEmpty()) {
            throw new IllegalArgumentException("trusted key file " + file + " holds no PUBLIC KEY PEM block");
        }
        List<PublicKey> keys = new ArrayList<>();
        try {
            KeyFactory factory = KeyFactory.getInstance("Ed25519");
            for (byte[] encoded : publics) {
                keys.add(factory.generatePublic(new X509EncodedKeySpec(encoded)));
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("trusted key file " + file + " holds a key that is not Ed25519: "
                    + e.getMessage(), e);
        }
        return keys;
    }

    /** The first 16 hex digits of the sha256 of the key's X.509 encoding: short, stable, and the same in openssl. */
    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void blocks(Path file, List<byte[]> privates, List<byte[]> publics) {
        String text;
        try {
            long size = Files.size(file);
            if (size > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("key file " + file + " is " + size + " bytes; the limit is "
                        + MAX_FILE_BYTES);
            }
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read key file " + file, e);
        }
        Matcher m = BLOCK.matcher(text);
        while (m.find()) {
            byte[] der = Base64.getMimeDecoder().decode(m.group(2));
            switch (m.group(1)) {
                case "PRIVATE KEY" -> privates.add(der);
                case "PUBLIC KEY" -> publics.add(der);
                default -> throw new IllegalArgumentException("key file " + file + " holds an unexpected PEM block '"
                        + m.group(1) + "'; expected PRIVATE KEY or PUBLIC KEY");
            }
        }
    }
}
