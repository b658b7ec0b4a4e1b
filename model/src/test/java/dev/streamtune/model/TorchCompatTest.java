package dev.streamtune.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TorchCompatTest {

    @AfterEach
    void clear() {
        System.clearProperty(TorchCompat.PROPERTY);
    }

    @Test
    void nothingIsLoadedWithoutTheSetting() {
        System.setProperty(TorchCompat.PROPERTY, " ");
        assertThat(TorchCompat.loadIfConfigured()).isNull();
    }

    @Test
    void aMissingLibraryIsNamedWithTheSettingAndTheBuildScript() {
        System.setProperty(TorchCompat.PROPERTY, "/nonexistent/libdjl_torch_compat.so");
        assertThatThrownBy(TorchCompat::loadIfConfigured)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(TorchCompat.ENV)
                .hasMessageContaining("/nonexistent/libdjl_torch_compat.so")
                .hasMessageContaining("deploy/gpu/torch-compat/build.sh");
    }
}
