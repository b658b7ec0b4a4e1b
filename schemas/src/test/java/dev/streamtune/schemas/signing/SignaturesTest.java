package dev.streamtune.schemas.signing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.Delta;
import dev.streamtune.avro.ModelUpdate;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.avro.OffsetRange;
import dev.streamtune.avro.Signature;
import dev.streamtune.avro.UpdateAction;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.schemas.serde.AvroSerdeConfig;
import dev.streamtune.schemas.serde.AvroSerializer;
import dev.streamtune.schemas.serde.InMemorySchemaRegistryClient;
import dev.streamtune.schemas.signing.SignatureRefusedException.Reason;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SignaturesTest {
    private static final Instant T = Instant.parse("2026-12-03T10:15:30.123Z");
    private final SigningKey trainer = SigningKey.generate();
    private final SigningKey evaluator = SigningKey.generate();

    static ModelVersion version() {
        Map<String, String> hyper = new LinkedHashMap<>();
        hyper.put("lr", "0.001");
        hyper.put("c", "8");
        return ModelVersion.newBuilder().setTask("spam").setVersion(3).setParentVersion(2L).setTechnique("hybrid")
                .setHyperparameters(hyper).setBase(new BaseModel("all-MiniLM-L6-v2", "cd".repeat(32)))
                .setLabels(List.of("ham", "spam"))
                .setDelta(Delta.newBuilder().setFormat("djl-ndlist-v1").setSha256("ef".repeat(32)).setSizeBytes(4)
                        .setInline(ByteBuffer.wrap(new byte[] {1, 2, 3, 4})).build())
                .setTrainableParams(770)
                .setOffsetRanges(List.of(new OffsetRange("examples.train", 0, 100L, 200L)))
                .setCumulativeOffsetRanges(List.of(new OffsetRange("examples.train", 0, 0L, 200L)))
                .setExamplesSeen(200).setSteps(7).setTrainMetrics(Map.of("loss", 0.31, "acc", 0.9)).setWallTimeMs(1234)
                .setCodeVersion("0.1.0").setCreatedAt(T).build();
    }

    static ModelUpdate update(ModelVersion model) {
        return ModelUpdate.newBuilder().setTask("spam").setAction(UpdateAction.PROMOTE).setVersion(model.getVersion())
                .setPreviousVersion(2L).setReason("macro_f1 +0.02").setModel(model)
                .setValidationMetrics(Map.of("macro_f1", 0.93, "accuracy", 0.95)).setTimestamp(T).build();
    }

    @Test
    void signedRecordsVerifyAfterTheWireRoundTripEvenWhenMapsComeBackInAnotherOrder() {
        InMemorySchemaRegistryClient registry = new InMemorySchemaRegistryClient();
        AvroSerdeConfig serde = AvroSerdeConfig.of("mock://signing");
        ModelUpdate signed = evaluator.sign(update(trainer.sign(version())));
        byte[] bytes = new AvroSerializer<ModelUpdate>(registry, serde, false).serialize("models.updates", signed);
        ModelUpdate read = new AvroDeserializer<>(registry, serde, ModelUpdate.class).deserialize("models.updates", bytes);

        evaluator.asTrusted().verify(read);
        trainer.asTrusted().verify(read.getModel());
        assertThat(read.getSignature().getKeyId()).isEqualTo(evaluator.keyId());
        assertThat(read.getModel().getSignature().getKeyId()).isEqualTo(trainer.keyId());

        // the same content with its maps built in the opposite order verifies too
        ModelVersion reordered = ModelVersion.newBuilder(read.getModel())
                .setHyperparameters(new LinkedHashMap<>(Map.of("c", "8", "lr", "0.001"))).build();
        trainer.asTrusted().verify(reordered);
    }

    @Test
    void everySignedFieldOfAnUpdateIsCovered() {
        ModelUpdate signed = evaluator.sign(update(version()));
        TrustedKeys trusted = evaluator.asTrusted();
        List<UnaryOperator<ModelUpdate.Builder>> forgeries = List.of(
                b -> b.setVersion(1004),
                b -> b.setAction(UpdateAction.ROLLBACK),
                b -> b.setPreviousVersion(null),
                b -> b.setTask("other"),
                b -> b.setReason("forged"),
                b -> b.setValidationMetrics(Map.of("macro_f1", 0.99, "accuracy", 0.95)),
                b -> b.setTimestamp(T.plusSeconds(1)),
                b -> b.setModel(ModelVersion.newBuilder(b.getModel()).setDelta(Delta.newBuilder(b.getModel().getDelta())
                        .setSha256("00".repeat(32)).build()).build()),
                b -> b.setModel(ModelVersion.newBuilder(b.getModel()).setDelta(Delta.newBuilder(b.getModel().getDelta())
                        .setSizeBytes(5).build()).build()),
                b -> b.setModel(ModelVersion.newBuilder(b.getModel()).setLabels(List.of("spam", "ham")).build()),
                b -> b.setModel(ModelVersion.newBuilder(b.getModel()).setTechnique("lora").build()),
                b -> b.setModel(ModelVersion.newBuilder(b.getModel()).setHyperparameters(Map.of("lr", "0.1", "c", "8"))
                        .build()),
                b -> b.setModel(ModelVersion.newBuilder(b.getModel()).setBase(new BaseModel("all-MiniLM-L6-v2",
                        "aa".repeat(32))).build()),
                b -> b.setModel(ModelVersion.newBuilder(b.getModel()).setOffsetRanges(
                        List.of(new OffsetRange("examples.train", 0, 100L, 201L))).build()),
                b -> b.setModel(ModelVersion.newBuilder(b.getModel()).setVersion(4).build()));
        for (int i = 0; i < forgeries.size(); i++) {
            ModelUpdate forged = forgeries.get(i).apply(ModelUpdate.newBuilder(signed)).build();
            assertThatThrownBy(() -> trusted.verify(forged)).as("forgery %d", i)
                    .isInstanceOfSatisfying(SignatureRefusedException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
        }
        // where the delta lies is not signed: the same bytes moved to the artifact store still verify
        ModelUpdate moved = ModelUpdate.newBuilder(signed).setModel(ModelVersion.newBuilder(signed.getModel())
                .setDelta(Delta.newBuilder(signed.getModel().getDelta()).setInline(null).setUri("file:///d/x").build())
                .build()).build();
        trusted.verify(moved);
    }

    @Test
    void unsignedUnknownKeyWrongAlgorithmAndJunkSignaturesAreRefusedEachWithItsReason() {
        TrustedKeys trusted = evaluator.asTrusted();
        ModelUpdate unsigned = update(version());
        assertThatThrownBy(() -> trusted.verify(unsigned)).isInstanceOfSatisfying(SignatureRefusedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.UNSIGNED));

        ModelUpdate byForger = SigningKey.generate().sign(unsigned);
        assertThatThrownBy(() -> trusted.verify(byForger)).isInstanceOfSatisfying(SignatureRefusedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY)).hasMessageContaining(byForger.getSignature()
                        .getKeyId());

        // a forger who copies the evaluator's key id onto their own signature
        ModelUpdate claimed = ModelUpdate.newBuilder(byForger).setSignature(Signature.newBuilder(byForger.getSignature())
                .setKeyId(evaluator.keyId()).build()).build();
        assertThatThrownBy(() -> trusted.verify(claimed)).isInstanceOfSatisfying(SignatureRefusedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));

        ModelUpdate signed = evaluator.sign(unsigned);
        for (byte[] junk : List.of(new byte[0], new byte[63], new byte[64], new byte[65])) {
            ModelUpdate bad = ModelUpdate.newBuilder(signed).setSignature(Signature.newBuilder(signed.getSignature())
                    .setValue(ByteBuffer.wrap(junk)).build()).build();
            assertThatThrownBy(() -> trusted.verify(bad)).as("%d junk bytes", junk.length)
                    .isInstanceOfSatisfying(SignatureRefusedException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
        }
        ModelUpdate rsa = ModelUpdate.newBuilder(signed).setSignature(Signature.newBuilder(signed.getSignature())
                .setAlgorithm("RSA").build()).build();
        assertThatThrownBy(() -> trusted.verify(rsa)).isInstanceOfSatisfying(SignatureRefusedException.class,
                e -> assertThat(e.reason()).isEqualTo(Reason.UNSUPPORTED_ALGORITHM));

        // the trainer's signature on a version is not an evaluator's signature on an update (different domains)
        assertThatThrownBy(() -> trainer.asTrusted().verify(ModelUpdate.newBuilder(unsigned)
                .setSignature(trainer.sign(version()).getSignature()).build()))
                .isInstanceOfSatisfying(SignatureRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BAD_SIGNATURE));
    }

    @Test
    void keysRotateByTrustingOldAndNewAtOnce(@TempDir Path dir) throws Exception {
        SigningKey old = KeyFiles.ensure(dir, "evaluator-2026a");
        SigningKey rotated = KeyFiles.ensure(dir, "evaluator-2026b");
        TrustedKeys both = TrustedKeys.load(List.of(dir));
        assertThat(both.keyIds()).containsExactlyInAnyOrder(old.keyId(), rotated.keyId());
        both.verify(old.sign(update(version())));
        both.verify(rotated.sign(update(version())));

        TrustedKeys onlyNew = TrustedKeys.load(List.of(dir.resolve("evaluator-2026b.pub")));
        assertThatThrownBy(() -> onlyNew.verify(old.sign(update(version()))))
                .isInstanceOfSatisfying(SignatureRefusedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
    }

    @Test
    void ensureCreatesAnOwnerOnlyKeyOnceAndReadsTheSameKeyAfterwards(@TempDir Path dir) throws Exception {
        SigningKey first = KeyFiles.ensure(dir.resolve("keys"), "trainer");
        SigningKey again = KeyFiles.ensure(dir.resolve("keys"), "trainer");
        assertThat(again.keyId()).isEqualTo(first.keyId());
        assertThat(Files.getPosixFilePermissions(dir.resolve("keys/trainer.key")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.readString(dir.resolve("keys/trainer.pub"))).startsWith("-----BEGIN PUBLIC KEY-----")
                .doesNotContain("PRIVATE");
        // what one process signs with the key file, another verifies with the .pub alone
        TrustedKeys.load(List.of(dir.resolve("keys/trainer.pub"))).verify(first.sign(version()));
        TrustedKeys.load(List.of(dir.resolve("keys/trainer.pub"))).verify(again.sign(version()));
    }

    @Test
    void badKeyFilesAreClearErrorsNamingTheFile(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> TrustedKeys.load(List.of())).hasMessageContaining("--trusted-key");
        assertThatThrownBy(() -> TrustedKeys.load(List.of(dir.resolve("missing.pub"))))
                .hasMessageContaining("missing.pub").hasMessageContaining("does not exist");
        Path empty = Files.writeString(dir.resolve("empty.pub"), "hello\n");
        assertThatThrownBy(() -> TrustedKeys.load(List.of(empty))).hasMessageContaining("empty.pub")
                .hasMessageContaining("no PUBLIC KEY");
        Path huge = Files.write(dir.resolve("huge.pub"), new byte[(int) KeyFiles.MAX_FILE_BYTES + 1]);
        assertThatThrownBy(() -> TrustedKeys.load(List.of(huge))).hasMessageContaining("limit is 65536");

        // a key file whose halves belong to different pairs
        SigningKey a = KeyFiles.ensure(dir, "a");
        KeyFiles.ensure(dir, "b");
        String aPrivate = Files.readString(dir.resolve("a.key")).replaceAll("(?s)-----BEGIN PUBLIC KEY-----.*", "");
        Path mixed = Files.writeString(dir.resolve("mixed.key"), aPrivate + Files.readString(dir.resolve("b.pub")));
        assertThatThrownBy(() -> KeyFiles.readSigningKey(mixed)).hasMessageContaining("mixed.key")
                .hasMessageContaining("not the public half");
        assertThat(a.keyId()).hasSize(16);
    }

    @Test
    void entryPointsResolveKeysFromTheFlagOrTheDataDirectory(@TempDir Path dir) {
        SigningKey byDefault = KeyFiles.signingKey(null, dir, KeyFiles.TRAINER);
        assertThat(dir.resolve("keys/trainer.key")).exists();
        assertThat(KeyFiles.trustedKeys(List.of(), dir, KeyFiles.TRAINER).keyIds()).containsExactly(byDefault.keyId());
        assertThatThrownBy(() -> KeyFiles.trustedKeys(List.of(), dir, KeyFiles.EVALUATOR))
                .hasMessageContaining("--trusted-key").hasMessageContaining("STREAMTUNE_TRUSTED_KEYS")
                .hasMessageContaining("keys/evaluator.pub");

        Path own = dir.resolve("evaluator-volume/evaluator.key");
        SigningKey created = KeyFiles.signingKey(own, dir, KeyFiles.EVALUATOR);
        assertThat(KeyFiles.signingKey(own, dir, KeyFiles.EVALUATOR).keyId()).isEqualTo(created.keyId());
        assertThat(KeyFiles.trustedKeys(KeyFiles.paths(" " + dir.resolve("evaluator-volume/evaluator.pub") + ", ,"),
                dir, KeyFiles.EVALUATOR).keyIds()).containsExactly(created.keyId());
        assertThat(KeyFiles.paths(null)).isEmpty();
    }
}
