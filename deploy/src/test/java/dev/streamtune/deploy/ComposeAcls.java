package dev.streamtune.deploy;

import dev.streamtune.platform.StreamtuneAcls;
import dev.streamtune.schemas.Topics;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code deploy/compose/kafka-acls.txt}: one resource per line, its operations comma-separated. */
final class ComposeAcls {
    static final String FILE = "deploy/compose/kafka-acls.txt";

    private ComposeAcls() {}

    /** The file's grants, one {@link StreamtuneAcls.Grant#line()} per operation. */
    static Set<String> lines(Path file) {
        Set<String> out = new LinkedHashSet<>();
        for (String raw : DeployFiles.text(file).split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] words = line.split("\\s+");
            if (words.length != 5) {
                throw new AssertionError(file + ": expected 'principal resource-type name pattern-type operations', got '"
                        + line + "'");
            }
            for (String operation : words[4].split(",")) {
                String grant = String.join(" ", words[0], words[1], words[2], words[3], operation);
                if (!out.add(grant)) {
                    throw new AssertionError(file + " repeats " + grant);
                }
            }
        }
        return out;
    }

    /** What the code grants for compose's topics (default names, the default backbone). */
    static List<StreamtuneAcls.Grant> expected() {
        return StreamtuneAcls.grants(Topics.defaults(), List.of(ExpectedTopics.DEFAULT_BACKBONE));
    }

    /** The file's body as the code has it, grouped by principal and resource, to paste when they differ. */
    static String render(List<StreamtuneAcls.Grant> grants) {
        Map<String, List<String>> byResource = new LinkedHashMap<>();
        for (String principal : StreamtuneAcls.PRINCIPALS) {
            for (StreamtuneAcls.Grant g : grants) {
                if (g.principal().equals(principal)) {
                    String[] w = g.line().split(" ");
                    byResource.computeIfAbsent(String.format("%-11s %-17s %-26s %-9s", w[0], w[1], w[2], w[3]),
                            k -> new ArrayList<>()).add(w[4]);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        byResource.forEach((resource, operations) -> out.append(resource).append(' ')
                .append(String.join(",", operations)).append('\n'));
        return out.toString();
    }
}
