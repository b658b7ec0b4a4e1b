package dev.streamtune.deploy;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way the builder reads it: comment lines dropped, continuation lines
 * joined, one {@link Instruction} per line, with the build arguments' defaults resolved.
 */
record Dockerfile(List<Instruction> instructions, Map<String, String> argDefaults) {

    record Instruction(String keyword, String arguments) {}

    record Stage(String image, String name, List<Instruction> instructions) {}

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}|\\$([A-Za-z_][A-Za-z0-9_]*)");

    static Dockerfile read(Path path) {
        List<Instruction> instructions = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        for (String line : DeployFiles.text(path).split("\n", -1)) {
            if (line.strip().startsWith("#")) {
                continue; // comments may sit between continuation lines, as the builder allows
            }
            if (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            logical.append(line);
            String text = logical.toString().strip();
            logical.setLength(0);
            if (!text.isEmpty()) {
                String[] parts = text.split("\\s+", 2);
                instructions.add(new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1] : ""));
            }
        }
        Map<String, String> defaults = new HashMap<>();
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals("ARG") && instruction.arguments().contains("=")) {
                String[] nameValue = instruction.arguments().split("=", 2);
                defaults.putIfAbsent(nameValue[0], nameValue[1].replaceAll("^\"|\"$", ""));
            }
        }
        return new Dockerfile(List.copyOf(instructions), Map.copyOf(defaults));
    }

    /** Build stages in order, each with its base image resolved against the ARG defaults. */
    List<Stage> stages() {
        List<Stage> stages = new ArrayList<>();
        String image = null;
        String name = null;
        List<Instruction> body = new ArrayList<>();
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals("FROM")) {
                if (image != null) {
                    stages.add(new Stage(image, name, List.copyOf(body)));
                }
                String[] words = instruction.arguments().split("\\s+");
                image = resolve(words[0]);
                name = words.length == 3 && words[1].equalsIgnoreCase("AS") ? words[2] : null;
                body.clear();
            } else if (image != null) {
                body.add(instruction);
            }
        }
        if (image != null) {
            stages.add(new Stage(image, name, List.copyOf(body)));
        }
        return stages;
    }

    Stage finalStage() {
        List<Stage> stages = stages();
        return stages.get(stages.size() - 1);
    }

    String resolve(String text) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder resolved = new StringBuilder();
        while (matcher.find()) {
            String variable = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
            matcher.appendReplacement(resolved, Matcher.quoteReplacement(argDefaults.getOrDefault(variable, matcher.group())));
        }
        return matcher.appendTail(resolved).toString();
    }

    /** All arguments of one keyword in a stage, in order. */
    static List<String> all(Stage stage, String keyword) {
        return stage.instructions().stream().filter(i -> i.keyword().equals(keyword)).map(Instruction::arguments).toList();
    }

    /** The last instruction of that keyword in the stage (the one that counts for USER, ENTRYPOINT, CMD). */
    static String last(Stage stage, String keyword) {
        List<String> values = all(stage, keyword);
        if (values.isEmpty()) {
            throw new AssertionError("stage FROM " + stage.image() + " has no " + keyword);
        }
        return values.get(values.size() - 1);
    }

    /** An exec-form (JSON array) ENTRYPOINT or CMD. */
    static List<String> execForm(String arguments) {
        try {
            return new ObjectMapper().readValue(arguments, new TypeReference<List<String>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("not an exec-form (JSON array) instruction: " + arguments, e);
        }
    }

    /** The stage's environment: every ENV instruction, {@code KEY=value} pairs (quotes removed). */
    static Map<String, String> environment(Stage stage) {
        Map<String, String> environment = new HashMap<>();
        Pattern pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S*)");
        for (String arguments : all(stage, "ENV")) {
            Matcher matcher = pair.matcher(arguments);
            while (matcher.find()) {
                environment.put(matcher.group(1), matcher.group(2).replaceAll("^\"|\"$", ""));
            }
        }
        return environment;
    }
}
