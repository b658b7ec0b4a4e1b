package dev.streamtune.loader;

import dev.streamtune.avro.BaseModel;
import dev.streamtune.avro.ModelVersion;
import dev.streamtune.model.backbone.Backbone;
import dev.streamtune.model.backbone.BackboneRegistry;
import dev.streamtune.model.delta.Delta;
import dev.streamtune.model.delta.DeltaCodec;
import dev.streamtune.model.delta.NamedTensor;
import dev.streamtune.model.head.HeadNetwork;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/** Small backbones and hand-made head-only versions for unit tests. */
public final class TestModels {
    public static final String BACKBONE_ID = "test-backbone";
    public static final int DIM = 8;
    public static final Backbone BACKBONE = Backbone.onClasspath(BACKBONE_ID, DIM, 16, "test-backbone-tokenizer.json",
            "test-backbone-weights.bin", TestModels.class);
    public static final BackboneRegistry REGISTRY = BackboneRegistry.of(List.of(() -> BACKBONE));
    public static final List<String> LABELS = List.of("ham", "spam");
    /** The evaluator's key in unit tests: updates it signs are served, any other signer's are refused. */
    public static final dev.streamtune.schemas.signing.SigningKey EVALUATOR = dev.streamtune.schemas.signing.SigningKey.generate();

    private TestModels() {}

    public static ModelLoader loader(TextEncoderProvider encoders) {
        return new ModelLoader(REGISTRY, Optional.empty(), encoders, List.of(new HeadOnlyModelFactory()),
                ModelLoader.DEFAULT_MAX_DELTA_BYTES);
    }

    /** A linear head's delta with weights drawn from {@code seed}. */
    public static Delta linearDelta(int labels, long seed) {
        Random random = new Random(seed);
        float[] weight = new float[labels * DIM];
        float[] bias = new float[labels];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < bias.length; i++) {
            bias[i] = (float) random.nextGaussian() * 0.1f;
        }
        return DeltaCodec.encode(List.of(new NamedTensor(HeadNetwork.OUTPUT_WEIGHT, new long[] {labels, DIM}, weight),
                new NamedTensor(HeadNetwork.OUTPUT_BIAS, new long[] {labels}, bias)));
    }

    public static ModelVersion.Builder version(String task, long number, Delta delta) {
        return ModelVersion.newBuilder().setTask(task).setVersion(number).setTechnique("head")
                .setHyperparameters(Map.of("head", "linear", "lr", "0.001"))
                .setBase(new BaseModel(BACKBONE_ID, BACKBONE.weightsSha256())).setLabels(LABELS)
                .setDelta(dev.streamtune.avro.Delta.newBuilder().setFormat(delta.format()).setSha256(delta.sha256())
                        .setSizeBytes(delta.size()).setInline(ByteBuffer.wrap(delta.bytes())).build())
                .setCreatedAt(Instant.parse("2026-11-26T10:00:00Z"));
    }

    /** The same version with one byte of its inline delta flipped and the digest left as it was. */
    public static ModelVersion tampered(ModelVersion original) {
        byte[] bytes = original.getDelta().getInline().duplicate().array().clone();
        bytes[bytes.length / 2] ^= 0x01;
        ModelVersion copy = ModelVersion.newBuilder(original).build();
        copy.getDelta().setInline(ByteBuffer.wrap(bytes));
        return copy;
    }

    public static float[] features(Random random) {
        float[] x = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }
}
