package dev.streamtune.deploy;

import dev.streamtune.schemas.topics.TopicDeclaration;
import dev.streamtune.schemas.topics.TopicReplication;
import dev.streamtune.schemas.topics.TopicSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The topics a deployment must create up front: the one {@link TopicDeclaration}, held against a script's lines. */
final class ExpectedTopics {
    /** The backbone the featurizer runs by default; its features topic is named after it. */
    static final String DEFAULT_BACKBONE = "all-MiniLM-L6-v2";
    private static final Pattern TOPIC_LINE = Pattern.compile("^\\s*topic\\s+(--topic\\s.*)$", Pattern.MULTILINE);
    private static final Pattern FLAG = Pattern.compile("--(topic|partitions|replication-factor|config)\\s+(\\S+)");

    private ExpectedTopics() {}

    /** A {@code topic --topic NAME --partitions N --replication-factor R --config k=v ...} line of a script. */
    record Created(String topic, int partitions, int replicationFactor, Map<String, String> configs) {}

    /** Every {@code topic ...} line of {@code script}, by topic. */
    static Map<String, Created> created(String script) {
        Map<String, Created> out = new LinkedHashMap<>();
        Matcher line = TOPIC_LINE.matcher(script);
        while (line.find()) {
            String topic = null;
            int partitions = -1;
            int rf = -1;
            Map<String, String> configs = new TreeMap<>();
            Matcher flag = FLAG.matcher(line.group(1));
            while (flag.find()) {
                switch (flag.group(1)) {
                    case "topic" -> topic = flag.group(2);
                    case "partitions" -> partitions = Integer.parseInt(flag.group(2));
                    case "replication-factor" -> rf = Integer.parseInt(flag.group(2));
                    default -> {
                        String[] kv = flag.group(2).split("=", 2);
                        configs.put(kv[0], kv.length > 1 ? kv[1] : "");
                    }
                }
            }
            out.put(topic, new Created(topic, partitions, rf, configs));
        }
        return out;
    }

    /**
     * How {@code script} differs from the declaration with {@code partitions} scalable partitions on {@code replication},
     * in both directions: a declared topic missing or with other settings, and a created topic that is not declared.
     */
    static List<String> differences(String script, int partitions, TopicReplication replication) {
        Map<String, Created> created = created(script);
        List<String> out = new ArrayList<>();
        List<TopicSpec> declared = TopicDeclaration.of(partitions).all(List.of(DEFAULT_BACKBONE));
        for (TopicSpec spec : declared) {
            Created topic = created.get(spec.name());
            Created wanted = new Created(spec.name(), spec.partitions(), replication.factor(), new TreeMap<>(spec.configs(replication)));
            if (topic == null) {
                out.add("declared topic " + spec.name() + " is not created; the line should read: " + line(wanted));
            } else if (!topic.equals(wanted)) {
                out.add(spec.name() + " is created as " + line(topic) + "; the declaration wants " + line(wanted));
            }
        }
        Set<String> names = declared.stream().map(TopicSpec::name).collect(Collectors.toSet());
        created.keySet().stream().filter(name -> !names.contains(name)).forEach(name -> out.add(name + " is created but not declared"));
        return out;
    }

    private static String line(Created c) {
        return "topic --topic " + c.topic() + " --partitions " + c.partitions() + " --replication-factor " + c.replicationFactor()
                + c.configs().entrySet().stream().map(e -> " --config " + e.getKey() + "=" + e.getValue()).collect(Collectors.joining());
    }

    /** The words of a shell script, without quotes and line continuations. */
    static Set<String> words(String script) {
        return Arrays.stream(script.split("[\\s\"';\\\\]+")).filter(word -> !word.isEmpty()).collect(Collectors.toSet());
    }
}
