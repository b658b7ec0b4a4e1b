package dev.streamtune.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a Grafana dashboard queries, read from its JSON: every PromQL expression of every panel
 * target and every {@code label_values(...)} template variable, and the series names of a Prometheus scrape.
 */
final class GrafanaQueries {
    /** The dashboard Grafana is provisioned with, from the app module's directory. */
    static final Path DASHBOARD = Path.of("..", "deploy", "grafana", "dashboards", "streamtune.json");

    private static final Pattern STRING = Pattern.compile("\"(\\\\.|[^\"\\\\])*\"|'(\\\\.|[^'\\\\])*'");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*,");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without", "on",
            "ignoring", "group_left", "group_right", "inf", "nan", "Inf", "NaN");

    private GrafanaQueries() {
    }

    /** Every metric name each expression of the dashboard queries, keyed by where it is ("panel title / refId"). */
    static Map<String, Set<String>> metricsByQuery(Path dashboardJson) throws IOException {
        JsonNode dashboard = new ObjectMapper().readTree(dashboardJson.toFile());
        Map<String, Set<String>> out = new LinkedHashMap<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                out.put(panel.path("title").asText() + " / " + target.path("refId").asText(),
                        metricNames(target.path("expr").asText()));
            }
        }
        for (JsonNode variable : dashboard.path("templating").path("list")) {
            String query = variable.path("query").isObject() ? variable.path("query").path("query").asText()
                    : variable.path("query").asText();
            Matcher m = LABEL_VALUES.matcher(query);
            if (m.find()) {
                out.put("variable " + variable.path("name").asText(), Set.of(m.group(1)));
            }
        }
        return out;
    }

    /** The metric names of one PromQL expression: identifiers that are neither functions, keywords nor label names. */
    static Set<String> metricNames(String expr) {
        String s = STRING.matcher(expr).replaceAll("\"\"");
        s = s.replaceAll("\\{[^}]*\\}", " ").replaceAll("\\[[^\\]]*\\]", " ");
        s = GROUPING.matcher(s).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENTIFIER.matcher(s);
        while (m.find()) {
            String name = m.group();
            boolean function = s.substring(m.end()).matches("(?s)\\s*\\(.*");
            boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
            if (!function && !number && !KEYWORDS.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }

    /** The series names of a Prometheus text exposition (the part of each sample line before its labels). */
    static Set<String> seriesNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }
}
