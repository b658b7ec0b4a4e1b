package dev.streamtune.trainer.service;

import dev.streamtune.avro.FeatureVector;
import dev.streamtune.model.hybrid.LexicalTerms;
import dev.streamtune.avro.LabelledExample;
import dev.streamtune.avro.Split;
import dev.streamtune.schemas.serde.AvroDeserializer;
import dev.streamtune.trainer.TrainingExample;
import java.util.function.Function;

/**
 * The part of the trainer service that depends on what the technique is fed: which topic holds
 * the task's train examples and how one record becomes a {@link TrainingExample}. Head-only reads
 * pooled features ({@link Features}); the encoder techniques read text and tokenize it ({@link Texts}).
 * Everything else (offsets, checkpoints, versions, transactions) is the same for both.
 */
sealed interface TrainingInput permits TrainingInput.Features, TrainingInput.Texts {

    /** The topic whose offsets a version's ranges cover. */
    String topic();

    /** Decodes one record; a bad encoding throws. */
    Decoded decode(String topic, byte[] value);

    /** Why a decoded example of this task cannot be trained on, or null when it can. */
    String problem(Decoded decoded);

    /** The trainer's example; throws IllegalArgumentException for values it refuses (a non-finite feature). */
    TrainingExample example(Decoded decoded, int labelIndex);

    /** The fields every input kind has, and the kind's own payload. */
    record Decoded(CharSequence task, Split split, String exampleId, String label, double weight, Object payload) {
    }

    /** Pooled embeddings of the frozen backbone from {@code features.<backbone>}. */
    record Features(String topic, AvroDeserializer<FeatureVector> deserializer, int width) implements TrainingInput {
        @Override
        public Decoded decode(String recordTopic, byte[] value) {
            FeatureVector vector = deserializer.deserialize(recordTopic, value);
            if (vector == null) {
                return null;
            }
            return new Decoded(vector.getTask(), vector.getSplit(), String.valueOf(vector.getExampleId()),
                    String.valueOf(vector.getLabel()), vector.getWeight(), vector);
        }

        @Override
        public String problem(Decoded decoded) {
            FeatureVector vector = (FeatureVector) decoded.payload();
            if (vector.getVector().size() != width || !(vector.getWeight() >= 0) || Double.isInfinite(vector.getWeight())) {
                return "vector width " + vector.getVector().size() + " (expected " + width + "), weight "
                        + vector.getWeight();
            }
            return null;
        }

        @Override
        public TrainingExample example(Decoded decoded, int labelIndex) {
            FeatureVector vector = (FeatureVector) decoded.payload();
            float[] features = new float[vector.getVector().size()];
            for (int i = 0; i < features.length; i++) {
                features[i] = vector.getVector().get(i);
            }
            return new TrainingExample(features, labelIndex, (float) vector.getWeight(),
                    LexicalTerms.of(vector.getTerms(), vector.getTermCounts()));
        }
    }

    /**
     * Labelled text from {@code examples.train}, tokenized with the backbone's tokenizer to the
     * technique's {@code max_tokens}. A record without a weight weighs 1, as ingest documents.
     */
    record Texts(String topic, AvroDeserializer<LabelledExample> deserializer, Function<String, int[]> tokenizer)
            implements TrainingInput {
        @Override
        public Decoded decode(String recordTopic, byte[] value) {
            LabelledExample example = deserializer.deserialize(recordTopic, value);
            if (example == null) {
                return null;
            }
            double weight = example.getWeight() == null ? 1.0 : example.getWeight();
            return new Decoded(example.getTask() == null ? "" : example.getTask(), example.getSplit(),
                    String.valueOf(example.getId()), String.valueOf(example.getLabel()), weight, example);
        }

        @Override
        public String problem(Decoded decoded) {
            LabelledExample example = (LabelledExample) decoded.payload();
            if (example.getLabel() == null) {
                return "no label";
            }
            if (example.getText() == null || example.getText().toString().isBlank()) {
                return "empty text";
            }
            if (!(decoded.weight() >= 0) || Double.isInfinite(decoded.weight())) {
                return "weight " + decoded.weight() + " (must be finite and >= 0)";
            }
            return null;
        }

        @Override
        public TrainingExample example(Decoded decoded, int labelIndex) {
            String text = ((LabelledExample) decoded.payload()).getText().toString();
            return TrainingExample.tokens(tokenizer.apply(text), labelIndex, (float) decoded.weight());
        }
    }
}
