package dev.streamtune.platform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.streamtune.avro.TaskSpec;
import dev.streamtune.http.BasicCredentials;
import dev.streamtune.schemas.serde.RegistryException;
import dev.streamtune.schemas.serde.RestSchemaRegistryClient;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The platform's registry with write credentials, through our own REST client: writers carry
 * {@code user:password@} in the URL (Confluent's {@code basic.auth.credentials.source=URL}),
 * readers nothing, and no error message shows the password.
 */
class SecuredRegistryIT {

    @Test
    void writesNeedTheCredentialsReadsDoNotAndThePasswordNeverShows() {
        BasicCredentials writer = BasicCredentials.parse("pipeline:p@ss word:with-colon", "test");
        PlatformConfig config = PlatformConfig.ephemeral().withRegistryWriteCredentials(Optional.of(writer));
        try (StreamtunePlatform platform = StreamtunePlatform.start(config)) {
            assertThat(platform.registryUrl()).doesNotContain("pipeline");
            RegistryException refused = catchThrowableOfType(RegistryException.class,
                    () -> new RestSchemaRegistryClient(platform.registryUrl()).register("tasks-value", TaskSpec.getClassSchema()));
            assertThat(refused.httpStatus()).isEqualTo(401);
            assertThat(refused.errorCode()).isEqualTo(401);

            String wrongUrl = platform.writerRegistryUrl().replace("with-colon", "wrong");
            RegistryException wrong = catchThrowableOfType(RegistryException.class,
                    () -> new RestSchemaRegistryClient(wrongUrl).register("tasks-value", TaskSpec.getClassSchema()));
            assertThat(wrong.httpStatus()).isEqualTo(401);
            assertThat(wrong.getMessage()).doesNotContain("wrong").doesNotContain("p%40ss");

            int id = new RestSchemaRegistryClient(platform.writerRegistryUrl()).register("tasks-value",
                    TaskSpec.getClassSchema());
            assertThat(new RestSchemaRegistryClient(platform.registryUrl()).getById(id)).isEqualTo(TaskSpec.getClassSchema());
            assertThat(new RestSchemaRegistryClient(platform.registryUrl()).getLatest("tasks-value").id()).isEqualTo(id);
        }
    }

    @Test
    void anUnreachableWriterUrlDoesNotPrintItsPassword() {
        RegistryException unreachable = catchThrowableOfType(RegistryException.class,
                () -> new RestSchemaRegistryClient("http://user:secret-password@127.0.0.1:1")
                        .register("x-value", TaskSpec.getClassSchema()));
        assertThat(unreachable.getMessage()).contains("127.0.0.1:1").doesNotContain("secret-password");
    }
}
