package dev.streamtune.deploy;

import dev.streamtune.schemas.Topics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The topics a deployment must create up front, from the {@link Topics} record every service uses. */
final class ExpectedTopics {
    /** The backbone the featurizer runs by default; its features topic is named after it. */
    static final String DEFAULT_BACKBONE = "all-MiniLM-L6-v2";

    private ExpectedTopics() {}

    /** Every topic except the registry's own {@code _schemas}, which the registry creates. */
    static List<String> createdByDeployment() {
        Topics topics = Topics.defaults();
        List<String> names = new ArrayList<>(List.of(topics.raw(), topics.train(), topics.validation(),
                topics.test(), topics.dlq(), topics.tasks(), topics.candidates(), topics.updates(), topics.metrics()));
        names.add(topics.features(DEFAULT_BACKBONE));
        return names;
    }

    /** The words of a shell script, without quotes and line continuations. */
    static Set<String> words(String script) {
        return Arrays.stream(script.split("[\\s\"';\\\\]+")).filter(word -> !word.isEmpty()).collect(Collectors.toSet());
    }
}
