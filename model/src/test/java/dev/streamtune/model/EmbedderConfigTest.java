package dev.streamtune.model;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbedderConfigTest {

    @Test
    void defaultsFollowTheSentenceTransformersSetup() {
        EmbedderConfig config = EmbedderConfig.defaults("all-MiniLM-L6-v2");
        assertThat(config.maxTokens()).isEqualTo(256);
        assertThat(config.batchSize()).isEqualTo(32);
        assertThat(config.bucketWindow()).isGreaterThan(config.batchSize());
        assertThat(config.intraOpThreads()).as("one thread per available core")
                .isEqualTo(Math.min(1024, Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void withoutBucketingMakesTheWindowOneBatch() {
        EmbedderConfig config = EmbedderConfig.defaults("x").withBatchSize(8).withoutBucketing();
        assertThat(config.bucketWindow()).isEqualTo(8);
        assertThat(EmbedderConfig.defaults("x").withBucketWindow(512).withBatchSize(1024).bucketWindow()).isEqualTo(1024);
    }

    @Test
    void rejectsOutOfRangeFieldsNamingFieldAndLimit() {
        EmbedderConfig base = EmbedderConfig.defaults("all-MiniLM-L6-v2");
        assertThatThrownBy(() -> base.withBackboneId(" ")).hasMessageContaining("backboneId must be a non-blank");
        assertThatThrownBy(() -> base.withMaxTokens(1)).hasMessage("maxTokens must be between 2 and 8192, was 1");
        assertThatThrownBy(() -> base.withBatchSize(0)).hasMessage("batchSize must be between 1 and 4096, was 0");
        assertThatThrownBy(() -> base.withBucketWindow(31)).hasMessage("bucketWindow must be between 32 and 1048576, was 31");
        assertThatThrownBy(() -> base.withIntraOpThreads(0)).hasMessage("intraOpThreads must be between 1 and 1024, was 0");
    }
}
