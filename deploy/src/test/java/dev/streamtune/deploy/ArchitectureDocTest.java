package dev.streamtune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every class ARCHITECTURE.md names still exists, so the map of the hops cannot drift from the code. */
class ArchitectureDocTest {
    /** A code span that starts with a type name: {@code `TrainerService`}, {@code `Topics.defaults()`}. */
    private static final Pattern CLASS_SPAN = Pattern.compile("`([A-Z][a-z][A-Za-z0-9]*)(?:\\.[a-z][A-Za-z0-9]*\\(\\))?`");

    @Test
    void everyClassNamedInArchitectureMdHasASourceFile() throws IOException {
        Path root = DeployFiles.root();
        String doc = DeployFiles.text(DeployFiles.file("ARCHITECTURE.md"));
        Set<String> named = new TreeSet<>();
        Matcher matcher = CLASS_SPAN.matcher(doc);
        while (matcher.find()) {
            named.add(matcher.group(1));
        }
        Set<String> sources;
        try (Stream<Path> files = Files.walk(root)) {
            sources = files.filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/"))
                    .filter(p -> p.toString().contains("/src/"))
                    .map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".java") || name.endsWith(".avsc"))
                    .map(name -> name.substring(0, name.lastIndexOf('.')))
                    .collect(Collectors.toSet());
        }

        assertThat(named).as("class names found in ARCHITECTURE.md").hasSizeGreaterThan(30);
        Set<String> missing = new TreeSet<>(named);
        missing.removeAll(sources);
        assertThat(missing).as("names in ARCHITECTURE.md without a .java or .avsc source file").isEmpty();
        assertThat(DeployFiles.text(DeployFiles.file("README.md"))).as("README links the architecture")
                .contains("](ARCHITECTURE.md)");
    }
}
