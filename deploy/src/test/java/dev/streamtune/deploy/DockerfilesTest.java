package dev.streamtune.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The CPU image, the GPU trainer image and what the build context sends them. */
class DockerfilesTest {
    private static final String MAIN_CLASS = "dev.streamtune.app.Streamtune";

    private final Dockerfile cpu = Dockerfile.read(DeployFiles.file("deploy/docker/Dockerfile"));
    private final Dockerfile gpu = Dockerfile.read(DeployFiles.file("deploy/docker/Dockerfile.gpu"));

    @Test
    void cpuImageBuildsWithMavenAndRunsOnTemurin17Jre() {
        List<Dockerfile.Stage> stages = cpu.stages();
        assertThat(stages).hasSizeGreaterThanOrEqualTo(2);
        Dockerfile.Stage build = stages.get(0);
        assertThat(build.image()).startsWith("maven:").contains("temurin-17");
        assertThat(String.join(" ", Dockerfile.all(build, "RUN")))
                .contains("mvn ").contains("-Dmaven.test.skip=true").contains(" package");
        assertThat(cpu.finalStage().image()).isEqualTo("eclipse-temurin:17-jre");
        assertRunsTheAppAsNonRoot(cpu);
    }

    @Test
    void gpuImageRunsOnCuda128WithLibtorch271FromPytorch() {
        Dockerfile.Stage runtime = gpu.finalStage();
        assertThat(runtime.image()).matches("nvidia/cuda:12\\.8(\\.\\d+)?-(cudnn-)?runtime-ubuntu\\d\\d\\.\\d\\d");
        assertRunsTheAppAsNonRoot(gpu);

        Map<String, String> environment = Dockerfile.environment(runtime);
        String pytorchVersion = parentPomProperty("pytorch.native.version");
        assertThat(environment).containsEntry("PYTORCH_VERSION", pytorchVersion).containsEntry("PYTORCH_FLAVOR", "cu128");
        String libraryPath = environment.get("PYTORCH_LIBRARY_PATH");
        assertThat(libraryPath).as("PYTORCH_LIBRARY_PATH").isNotBlank();
        assertThat(Dockerfile.all(runtime, "COPY")).as("libtorch copied to %s", libraryPath)
                .anyMatch(copy -> copy.startsWith("--from=libtorch ") && copy.endsWith(" " + libraryPath));
        assertThat(environment.get("JAVA_HOME")).isNotBlank();
        assertThat(environment.get("PATH")).startsWith(environment.get("JAVA_HOME") + "/bin:");

        Dockerfile.Stage libtorch = gpu.stages().stream().filter(stage -> "libtorch".equals(stage.name())).findFirst().orElseThrow();
        String url = gpu.resolve("${LIBTORCH_URL}");
        assertThat(url).startsWith("https://download.pytorch.org/libtorch/cu128/")
                .contains("-" + pytorchVersion + "%2Bcu128.zip");
        assertThat(String.join(" ", Dockerfile.all(libtorch, "RUN"))).contains("${LIBTORCH_URL}").contains("unzip");

        // a JRE 17, the same Temurin build as the CPU image
        assertThat(gpu.stages()).anyMatch(stage -> stage.image().equals("eclipse-temurin:17-jre"));
        assertThat(String.join(" ", Dockerfile.all(gpu.stages().get(0), "RUN"))).contains("pytorch-native-cpu");
    }

    /** Both images: a non-root user and an exec-form entrypoint running the app from what was copied. */
    private static void assertRunsTheAppAsNonRoot(Dockerfile dockerfile) {
        Dockerfile.Stage runtime = dockerfile.finalStage();
        String user = Dockerfile.last(runtime, "USER");
        assertThat(user.split(":")[0]).as("USER").isNotIn("root", "0");

        List<String> entrypoint = Dockerfile.execForm(Dockerfile.last(runtime, "ENTRYPOINT"));
        assertThat(entrypoint.get(0)).isEqualTo("java");
        assertThat(entrypoint).contains("-Dai.djl.offline=true");
        assertThat(entrypoint.get(entrypoint.size() - 1)).isEqualTo(MAIN_CLASS);
        String classPath = entrypoint.get(entrypoint.indexOf("-cp") + 1);

        String jar = "app/target/" + appFinalName() + ".jar";
        List<String> copies = Dockerfile.all(runtime, "COPY");
        String jarDestination = destinationOf(copies, jar);
        String libDestination = destinationOf(copies, "app/target/lib/").replaceAll("/$", "");
        assertThat(classPath.split(":")).containsExactlyInAnyOrder(jarDestination, libDestination + "/*");
        Dockerfile.execForm(Dockerfile.last(runtime, "CMD"));
    }

    private static String destinationOf(List<String> copies, String source) {
        for (String copy : copies) {
            String[] words = copy.split("\\s+");
            if (words[0].equals("--from=build") && words[1].endsWith("/" + source)) {
                return words[words.length - 1];
            }
        }
        throw new AssertionError("no COPY --from=build of " + source + " in " + copies);
    }

    @Test
    void buildContextSendsEveryModuleButNoBuildOutput() {
        List<PathMatcher> ignored = new ArrayList<>();
        for (String line : DeployFiles.text(DeployFiles.file(".dockerignore")).split("\n")) {
            String pattern = line.strip();
            if (!pattern.isEmpty() && !pattern.startsWith("#")) {
                assertThat(pattern).as("re-inclusion is not used").doesNotStartWith("!");
                ignored.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
            }
        }
        assertThat(isIgnored(ignored, ".git/config")).isTrue();
        assertThat(isIgnored(ignored, "app/target/streamtune-app.jar")).isTrue();
        assertThat(isIgnored(ignored, "pom.xml")).isFalse();
        for (String module : parentPomModules()) {
            assertThat(isIgnored(ignored, module + "/pom.xml")).as("%s/pom.xml is sent", module).isFalse();
            assertThat(isIgnored(ignored, module + "/src/main/java/A.java")).as("%s sources are sent", module).isFalse();
            assertThat(isIgnored(ignored, module + "/src/main/resources/a.json")).as("%s resources are sent", module).isFalse();
        }
    }

    /** Docker ignores a path when a pattern matches it or any folder above it. */
    private static boolean isIgnored(List<PathMatcher> patterns, String relative) {
        for (Path path = Path.of(relative); path != null; path = path.getParent()) {
            Path candidate = path;
            if (patterns.stream().anyMatch(matcher -> matcher.matches(candidate))) {
                return true;
            }
        }
        return false;
    }

    private static String appFinalName() {
        Matcher matcher = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(DeployFiles.text(DeployFiles.file("app/pom.xml")));
        assertThat(matcher.find()).as("app/pom.xml sets finalName").isTrue();
        return matcher.group(1);
    }

    static String parentPomProperty(String name) {
        Matcher matcher = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</").matcher(DeployFiles.text(DeployFiles.file("pom.xml")));
        assertThat(matcher.find()).as("pom.xml property %s", name).isTrue();
        return matcher.group(1);
    }

    private static List<String> parentPomModules() {
        Matcher matcher = Pattern.compile("<module>([^<]+)</module>").matcher(DeployFiles.text(DeployFiles.file("pom.xml")));
        List<String> modules = new ArrayList<>();
        while (matcher.find()) {
            modules.add(matcher.group(1));
        }
        assertThat(modules).contains("app");
        return modules;
    }
}
