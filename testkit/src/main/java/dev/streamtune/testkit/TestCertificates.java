package dev.streamtune.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed TLS certificate made at test time with the JDK's own {@code keytool}: a PKCS12 key store with the
 * key and certificate (for the broker) and a PKCS12 trust store holding the certificate (for its clients), both
 * under one random password. The certificate names {@code host} (and 127.0.0.1), so clients keep hostname
 * verification on, and is valid for two days.
 */
public record TestCertificates(Path keystore, Path truststore, String password) {

    /** Writes {@code broker.p12} and {@code truststore.p12} into {@code directory}. */
    public static TestCertificates create(Path directory, String host) {
        byte[] secret = new byte[12];
        new SecureRandom().nextBytes(secret);
        String password = HexFormat.of().formatHex(secret);
        Path keystore = directory.resolve("broker.p12");
        Path certificate = directory.resolve("broker.crt");
        Path truststore = directory.resolve("truststore.p12");
        try {
            Files.createDirectories(directory);
            keytool("-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                    "-dname", "CN=" + host, "-ext", "SAN=dns:" + host + ",ip:127.0.0.1",
                    "-keystore", keystore.toString(), "-storetype", "PKCS12", "-storepass", password, "-keypass", password);
            keytool("-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", password,
                    "-file", certificate.toString());
            keytool("-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(),
                    "-keystore", truststore.toString(), "-storetype", "PKCS12", "-storepass", password);
        } catch (IOException e) {
            throw new IllegalStateException("cannot make test certificates in " + directory + ": " + e, e);
        }
        return new TestCertificates(keystore, truststore, password);
    }

    private static void keytool(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("keytool " + args[0] + " failed: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running keytool", e);
        }
    }
}
