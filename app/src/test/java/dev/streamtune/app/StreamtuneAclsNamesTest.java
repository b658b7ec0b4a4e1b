package dev.streamtune.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.streamtune.evaluator.service.EvaluatorConfig;
import dev.streamtune.ingest.IngestConfig;
import dev.streamtune.featurizer.FeaturizerServiceConfig;
import dev.streamtune.platform.StreamtuneAcls;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.trainer.service.TrainerServiceConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The groups and transactional ids the ACLs grant are the ones the services use by default. */
class StreamtuneAclsNamesTest {

    @Test
    void theAclsNameEachServicesOwnGroupAndTransactionalId() {
        assertThat(IngestConfig.defaults("k:1", "http://r").applicationId()).isEqualTo(StreamtuneAcls.INGEST_APPLICATION_ID);

        FeaturizerServiceConfig featurizer = FeaturizerServiceConfig.defaults("k:1", "http://r");
        assertThat(featurizer.groupId()).isEqualTo(StreamtuneAcls.FEATURIZER_GROUP);
        assertThat(featurizer.transactionalId()).startsWith(StreamtuneAcls.FEATURIZER_GROUP);

        TrainerServiceConfig trainer = TrainerServiceConfig.defaults("k:1", AvroSerdeConfig.of("http://r"), "spam",
                Path.of("checkpoints"));
        assertThat(trainer.groupId()).startsWith(StreamtuneAcls.TRAINER_PREFIX);
        assertThat(trainer.transactionalId()).startsWith(StreamtuneAcls.TRAINER_PREFIX);

        EvaluatorConfig evaluator = EvaluatorConfig.defaults("k:1", "http://r");
        assertThat(evaluator.applicationId()).isEqualTo(StreamtuneAcls.EVALUATOR_GROUP);
        assertThat(evaluator.applicationId() + "-tx").isEqualTo(StreamtuneAcls.EVALUATOR_TRANSACTIONAL_ID);
        assertThat(trainer.groupId()).startsWith(StreamtuneAcls.GROUP_PREFIX);
    }
}
