package dev.streamtune.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.TestTag;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;

/**
 * Names the test (method, or class for its lifecycle methods) that first maps ONNX Runtime or the PyTorch natives into the test JVM (read
 * from {@code /proc/self/maps}, so Linux only; elsewhere it stays silent). A class that does so
 * without the {@value #MODEL_TAG} tag is reported as a warning: the fast set
 * ({@code -DexcludedGroups=model}) would pay for loading MiniLM or libtorch through it.
 * Registered through {@code META-INF/services}, so it runs wherever testkit is on the test class path.
 */
public final class NativeLoadReporter implements TestExecutionListener {
    /** The JUnit tag of unit tests that load MiniLM (ONNX Runtime) or the PyTorch natives. */
    public static final String MODEL_TAG = "model";
    private static final List<String> NATIVES = List.of("libtorch", "libonnxruntime");
    private static final Path MAPS = Path.of("/proc/self/maps");

    private final Set<String> loaded = new LinkedHashSet<>();

    @Override
    public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
        Object source = identifier.getSource().orElse(null);
        String name = source instanceof MethodSource method ? method.getClassName() + "." + method.getMethodName()
                : source instanceof ClassSource type ? type.getClassName() : null;
        if (name == null || !Files.isReadable(MAPS)) {
            return;
        }
        Set<String> now = mappedNatives();
        now.removeAll(loaded);
        if (now.isEmpty()) {
            return;
        }
        loaded.addAll(now);
        boolean tagged = identifier.getTags().contains(TestTag.create(MODEL_TAG));
        System.err.printf("[natives] %s mapped %s%s%n", name, now,
                tagged ? "" : " WITHOUT @Tag(\"" + MODEL_TAG + "\"): tag it so the fast set (-DexcludedGroups="
                        + MODEL_TAG + ") skips it");
    }

    static Set<String> mappedNatives() {
        Set<String> found = new LinkedHashSet<>();
        try (Stream<String> lines = Files.lines(MAPS)) {
            lines.forEach(line -> NATIVES.stream().filter(line::contains).forEach(found::add));
        } catch (IOException | RuntimeException e) {
            // not Linux, or /proc not mounted: nothing to report
        }
        return found;
    }
}
