package dev.streamtune.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BasicCredentialsTest {

    private static String header(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void matchesExactlyTheConfiguredUserAndPassword() {
        BasicCredentials admin = BasicCredentials.parse("admin:s3cret:with-colon", "test");
        assertThat(admin.matches(header("admin:s3cret:with-colon"))).isTrue();
        assertThat(admin.matches("basic " + header("admin:s3cret:with-colon").substring(6))).isTrue();
        assertThat(admin.matches(header("admin:s3cret:with-colo"))).isFalse();
        assertThat(admin.matches(header("other:s3cret:with-colon"))).isFalse();
        assertThat(admin.matches("Bearer " + header("admin:s3cret:with-colon").substring(6))).isFalse();
        assertThat(admin.matches(null)).isFalse();
        assertThat(admin.toString()).isEqualTo("admin:****").doesNotContain("s3cret");
        assertThat(BasicCredentials.parse("a b:p@ss:word+1", "t").urlUserInfo()).isEqualTo("a%20b:p%40ss%3Aword%2B1");
    }

    @Test
    void refusesWhatIsNotUserColonPasswordNamingTheSource() {
        assertThatThrownBy(() -> BasicCredentials.parse("nopassword", "STREAMTUNE_REGISTRY_AUTH"))
                .hasMessageContaining("STREAMTUNE_REGISTRY_AUTH").hasMessageContaining("user:password");
        assertThatThrownBy(() -> BasicCredentials.parse(":password1", "f")).hasMessageContaining("non-empty user");
        assertThatThrownBy(() -> BasicCredentials.parse("u:short", "f")).hasMessageContaining("at least 8");
    }

    @Test
    void comesFromAFileFirstThenTheEnvironment(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("auth");
        Files.writeString(file, "writer:from-the-file\n# ignored\n");
        Map<String, String> env = Map.of("AUTH", "writer:from-the-env");
        assertThat(BasicCredentials.fromFileOrEnv(file, "AUTH", env).orElseThrow().matches(header("writer:from-the-file")))
                .isTrue();
        assertThat(BasicCredentials.fromFileOrEnv(null, "AUTH", env).orElseThrow().matches(header("writer:from-the-env")))
                .isTrue();
        assertThat(BasicCredentials.fromFileOrEnv(null, "AUTH", Map.of())).isEmpty();
        assertThatThrownBy(() -> BasicCredentials.fromFile(dir.resolve("missing")))
                .hasMessageContaining("cannot read credentials from");
    }
}
