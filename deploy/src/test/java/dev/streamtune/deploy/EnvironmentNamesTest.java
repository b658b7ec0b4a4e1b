package dev.streamtune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One name per setting across every entry point: the services' main code, compose, the k8s
 * manifests and the docs. The featurizer once read {@code STREAMTUNE_REGISTRY_URL} while everything
 * else read {@code STREAMTUNE_SCHEMA_REGISTRY_URL}, so a deployment that set one silently left the
 * other service on its default.
 */
class EnvironmentNamesTest {
    private static final Pattern REGISTRY_URL_NAME = Pattern.compile("STREAMTUNE_[A-Z_]*REGISTRY[A-Z_]*URL");
    private static final Set<String> SUFFIXES = Set.of(".java", ".yml", ".yaml", ".md", ".sh", ".env", "Dockerfile");

    @Test
    void everyEntryPointNamesTheRegistryUrlTheSameWay() throws IOException {
        Path root = DeployFiles.root();
        TreeMap<String, Set<String>> names = new TreeMap<>();
        int files = 0;
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.filter(Files::isRegularFile).filter(EnvironmentNamesTest::scanned)::iterator) {
                files++;
                Matcher matcher = REGISTRY_URL_NAME.matcher(read(path));
                while (matcher.find()) {
                    names.computeIfAbsent(matcher.group(), n -> new TreeSet<>()).add(root.relativize(path).toString());
                }
            }
        }
        assertThat(files).as("files scanned under %s", root).isGreaterThan(100);
        assertThat(names).as("registry URL environment names and where they occur")
                .containsOnlyKeys("STREAMTUNE_SCHEMA_REGISTRY_URL");
        assertThat(names.get("STREAMTUNE_SCHEMA_REGISTRY_URL"))
                .as("the name is used by compose, k8s and the one parser of every service's flags")
                .contains("docker-compose.yml", "deploy/k8s/configmap.yaml",
                        "app/src/main/java/dev/streamtune/app/ConnectionOptions.java");
    }

    /**
     * Every variable compose and the k8s manifests set is one the application reads: a misspelt or retired name
     * would leave its service on the default without a word.
     */
    @Test
    void everyVariableTheDeploymentsSetIsOneTheApplicationReads() throws IOException {
        Path root = DeployFiles.root();
        Set<String> read = new TreeSet<>();
        Pattern literal = Pattern.compile("\"(STREAMTUNE_[A-Z0-9_]+)\"|env:(STREAMTUNE_[A-Z0-9_]+)");
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.filter(Files::isRegularFile)
                    .filter(p -> p.toString().contains("/src/main/java/") && p.toString().endsWith(".java"))::iterator) {
                Matcher m = literal.matcher(read(path));
                while (m.find()) {
                    read.add(m.group(1) != null ? m.group(1) : m.group(2));
                }
            }
        }
        Set<String> set = new TreeSet<>();
        Pattern assigned = Pattern.compile("(?m)^\\s*(?:-\\s*name:\\s*)?(STREAMTUNE_[A-Z0-9_]+)\\s*:?");
        List<Path> deployments = new java.util.ArrayList<>(List.of(root.resolve("docker-compose.yml")));
        try (Stream<Path> k8s = Files.list(root.resolve("deploy/k8s"))) {
            k8s.filter(p -> p.toString().endsWith(".yaml")).forEach(deployments::add);
        }
        for (Path file : deployments) {
            Matcher m = assigned.matcher(read(file));
            while (m.find()) {
                set.add(m.group(1));
            }
        }
        assertThat(read).as("names the main code reads").contains("STREAMTUNE_SCHEMA_REGISTRY_URL", "STREAMTUNE_KAFKA_CONFIG",
                "STREAMTUNE_FEATURIZER_TRANSACTIONAL_ID");
        assertThat(set).as("variables compose and k8s set").contains("STREAMTUNE_BOOTSTRAP_SERVERS", "STREAMTUNE_DATA_DIR");
        assertThat(read).as("every variable a deployment sets is read by the application").containsAll(set);
    }

    private static boolean scanned(Path path) {
        String text = path.toString();
        // tests may name a wrong variable on purpose (to show it is ignored); entry points, deployments and docs may not
        if (text.contains("/target/") || text.contains("/.git/") || text.contains("/node_modules/")
                || text.contains("/.data/") || text.contains("/src/test/")) {
            return false;
        }
        return SUFFIXES.stream().anyMatch(text::endsWith);
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (java.nio.charset.MalformedInputException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
