package dev.streamtune.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The lines of a stream a test watches (a child process's output, an event stream), read on a daemon
 * thread until the stream ends and kept, so the test can wait on them and quote them when it fails.
 * Reading all the time also keeps a child's pipe from filling, which would block its logging threads.
 *
 * <p>Every wait looks at the lines read so far and fails at its limit or when the stream has ended
 * without the line, which a loop around a blocking {@code readLine()} could not do: a child that hangs
 * without printing would hang the test. Two ways to wait: {@link #awaitLine} for the first line ever
 * printed that matches (an address, a summary), and {@link #next} for the next matching line after the
 * one {@code next} returned last (events in order).
 */
public final class Lines {
    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private volatile boolean ended;
    private int cursor; // guarded by lines: where next() looks from

    private Lines(Process process) {
        this.process = process;
    }

    /** Follows {@code process}'s standard output (start it with {@code redirectErrorStream(true)} to see stderr). */
    public static Lines of(Process process, String name) {
        return new Lines(process).follow(process.getInputStream(), name);
    }

    /** Follows {@code in} until it ends or is closed. */
    public static Lines of(InputStream in, String name) {
        return new Lines(null).follow(in, name);
    }

    private Lines follow(InputStream in, String name) {
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (IOException | UncheckedIOException closed) {
                // the stream ended or was closed
            }
            ended = true;
        }, name + "-lines");
        reader.setDaemon(true);
        reader.start();
        return this;
    }

    /**
     * Waits until a line {@code wanted} accepts has been read and returns the first such line. Fails naming
     * {@code what}, with the last lines, when the stream ends first or {@code limit} passes.
     */
    public String awaitLine(Predicate<String> wanted, Duration limit, String what) {
        int at = await(() -> indexOf(wanted, 0), limit, what);
        return lines().get(at);
    }

    /** {@link #awaitLine} for the first line {@code pattern} finds in; returns the pattern's first group. */
    public String awaitGroup(Pattern pattern, Duration limit, String what) {
        Matcher m = pattern.matcher(awaitLine(pattern.asPredicate(), limit, what));
        if (!m.find()) {
            throw new IllegalStateException(pattern + " found a line once but not twice");
        }
        return m.group(1);
    }

    /**
     * Waits for the next line {@code wanted} accepts after the line this method returned last (from the
     * first line on its first call) and returns it; the lines before it are passed over. Fails as
     * {@link #awaitLine} does.
     */
    public String next(Predicate<String> wanted, Duration limit, String what) {
        int from;
        synchronized (lines) {
            from = cursor;
        }
        int at = await(() -> indexOf(wanted, from), limit, what);
        synchronized (lines) {
            cursor = at + 1;
            return lines.get(at);
        }
    }

    /** Waits until the stream has ended (the process closed its output, the server the connection). */
    public void awaitEnd(Duration limit, String what) {
        await(() -> ended ? OptionalInt.of(0) : OptionalInt.empty(), limit, what);
    }

    private int await(Callable<OptionalInt> find, Duration limit, String what) {
        try {
            return Awaitility.await(what).atMost(limit).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        boolean complete = ended; // read before the lines: every line came before the end
                        OptionalInt found = find.call();
                        if (found.isEmpty() && complete) {
                            throw new AssertionError(what + ": the stream ended" + exit() + " without it; the last lines:\n"
                                    + tail(40));
                        }
                        return found;
                    }, OptionalInt::isPresent).getAsInt();
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(what + " took over " + limit + "; the last lines:\n" + tail(40), e);
        }
    }

    private OptionalInt indexOf(Predicate<String> wanted, int from) {
        synchronized (lines) {
            for (int i = from; i < lines.size(); i++) {
                if (wanted.test(lines.get(i))) {
                    return OptionalInt.of(i);
                }
            }
            return OptionalInt.empty();
        }
    }

    private String exit() {
        return process == null ? "" : process.isAlive() ? " (the process still runs)" : " (exit " + process.exitValue() + ")";
    }

    /** The first line read so far that {@code wanted} accepts. */
    public Optional<String> first(Predicate<String> wanted) {
        return lines().stream().filter(wanted).findFirst();
    }

    /** Every line read so far. */
    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** The last {@code n} lines read so far, one per line, for a failure message. */
    public String tail(int n) {
        List<String> all = lines();
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    /**
     * Waits for the followed process to exit and its output to be read to the end, and returns its exit code;
     * past {@code limit} it kills the process and fails naming {@code what}, with the last lines.
     */
    public int awaitExit(Duration limit, String what) {
        if (process == null) {
            throw new IllegalStateException("these lines are not a process's output");
        }
        try {
            Awaitility.await(what).atMost(limit).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(() -> !process.isAlive() && ended);
        } catch (ConditionTimeoutException e) {
            process.destroyForcibly();
            throw new AssertionError(what + " did not finish within " + limit + "; the last lines:\n" + tail(40), e);
        }
        return process.exitValue();
    }
}
