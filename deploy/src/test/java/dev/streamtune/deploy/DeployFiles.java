package dev.streamtune.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads the deployment files of the repository. YAML goes through SnakeYAML, which resolves
 * anchors and merge keys ({@code <<: *streamtune}) the way Docker Compose does, and is then
 * handed over as Jackson trees, which are easier to walk in assertions.
 */
final class DeployFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeployFiles() {}

    /** The repository root: surefire passes it; run from the IDE it falls back to the module's parent. */
    static Path root() {
        String root = System.getProperty("streamtune.root");
        Path path = Path.of(root != null ? root : "..").toAbsolutePath().normalize();
        if (!Files.isRegularFile(path.resolve("docker-compose.yml"))) {
            throw new IllegalStateException("streamtune.root " + path + " holds no docker-compose.yml");
        }
        return path;
    }

    static Path file(String relative) {
        Path path = root().resolve(relative);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException("missing deployment file: " + relative);
        }
        return path;
    }

    /** A single-document YAML file. */
    static JsonNode yaml(Path path) {
        List<JsonNode> documents = yamlDocuments(path);
        if (documents.size() != 1) {
            throw new IllegalStateException(path + ": expected one YAML document, found " + documents.size());
        }
        return documents.get(0);
    }

    /** Every non-empty document of a (possibly multi-document) YAML file. */
    static List<JsonNode> yamlDocuments(Path path) {
        Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
        List<JsonNode> documents = new ArrayList<>();
        try (Reader reader = Files.newBufferedReader(path)) {
            for (Object document : yaml.loadAll(reader)) {
                if (document != null) {
                    documents.add(JSON.valueToTree(document));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return documents;
    }

    static JsonNode json(Path path) {
        try {
            return JSON.readTree(path.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The string elements of a YAML/JSON list; a scalar is read as a list of one. */
    static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(element -> values.add(element.asText()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            values.add(node.asText());
        }
        return values;
    }
}
