package dev.streamtune.app;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** How a corpus is streamed through the local pipeline ({@link CorpusRun}): shared by {@code demo} and {@code bench quality}. */
final class RunOptions {

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--rate", defaultValue = "0", description = "Examples per second to produce; 0 = as fast as the pipeline takes them. Default: ${DEFAULT-VALUE}")
    double rate;

    @Option(names = "--limit", defaultValue = "0", description = "Stream a stratified sample of this many examples of each corpus; 0 = the whole corpus.")
    int limit;

    @Option(names = "--max-tokens", defaultValue = "128", description = "Tokens kept per text by the featurizer. Default: ${DEFAULT-VALUE}")
    int maxTokens;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic. Default: ${DEFAULT-VALUE}")
    int partitions;

    @Option(names = "--threads", description = "Featurizer threads. Default: all cores.")
    Integer threads;

    @Option(names = "--timeout", defaultValue = "30m", description = "Give up (exit 1) if a corpus is not through by then, e.g. 20m. Default: ${DEFAULT-VALUE}")
    String timeout;

    @Option(names = "--progress-every", defaultValue = "5s", description = "How often the progress line is printed. Default: ${DEFAULT-VALUE}")
    String progressEvery;

    int cores() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }

    Duration deadline() {
        return parseDuration("--timeout", timeout);
    }

    Duration tick() {
        return parseDuration("--progress-every", progressEvery);
    }

    private Duration parseDuration(String option, String text) {
        try {
            return duration(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(mixee.commandLine(), option + " must be a duration like 90s, 15m or 500ms, got '" + text + "'");
        }
    }

    /** 500ms, 90s, 15m, 2h. */
    static Duration duration(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
            }
            long n = Long.parseLong(t.substring(0, t.length() - 1));
            return switch (t.charAt(t.length() - 1)) {
                case 's' -> Duration.ofSeconds(n);
                case 'm' -> Duration.ofMinutes(n);
                case 'h' -> Duration.ofHours(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("not a duration: '" + text + "'");
        }
    }
}
