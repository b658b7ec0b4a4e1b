package dev.streamtune.model.technique;

import java.util.Objects;

/**
 * What a technique is fed for one micro-batch. Head-only training consumes pooled embeddings;
 * techniques that run the backbone (prompts, LoRA, unfrozen layers) consume token ids instead.
 * A technique states which it needs with {@link Technique#inputKind()}.
 */
public sealed interface BatchInput permits BatchInput.PooledFeatures, BatchInput.TokenIds {

    /** Number of examples. */
    int rows();

    InputKind kind();

    /** Row-major pooled embeddings, {@code rows x dim}, kept flat so it crosses to native memory in one copy. */
    record PooledFeatures(float[] values, int rows, int dim) implements BatchInput {
        public PooledFeatures {
            Objects.requireNonNull(values, "values");
            if (rows < 1 || dim < 1) {
                throw new IllegalArgumentException("pooled features need rows >= 1 and dim >= 1, got rows=" + rows
                        + " dim=" + dim);
            }
            if ((long) rows * dim != values.length) {
                throw new IllegalArgumentException("pooled features of " + rows + " x " + dim + " need "
                        + (long) rows * dim + " values, got " + values.length);
            }
        }

        /** Copies rows that must all have the same width. */
        public static PooledFeatures of(float[][] rows) {
            if (rows.length == 0) {
                throw new IllegalArgumentException("pooled features need at least one row");
            }
            int dim = rows[0].length;
            float[] flat = new float[rows.length * dim];
            for (int i = 0; i < rows.length; i++) {
                if (rows[i].length != dim) {
                    throw new IllegalArgumentException("feature row " + i + " has " + rows[i].length
                            + " values, row 0 has " + dim);
                }
                System.arraycopy(rows[i], 0, flat, i * dim, dim);
            }
            return new PooledFeatures(flat, rows.length, dim);
        }

        @Override
        public InputKind kind() {
            return InputKind.POOLED_FEATURES;
        }
    }

    /** Token ids and attention masks, one row per example (rows may differ in length). */
    record TokenIds(int[][] ids, int[][] attentionMask) implements BatchInput {
        /** A batch of tokenized texts, in their order. */
        public static TokenIds of(java.util.List<dev.streamtune.model.backbone.TokenizedText> texts) {
            int[][] ids = new int[texts.size()][];
            int[][] mask = new int[texts.size()][];
            for (int i = 0; i < texts.size(); i++) {
                ids[i] = texts.get(i).intIds();
                mask[i] = texts.get(i).intMask();
            }
            return new TokenIds(ids, mask);
        }

        public TokenIds {
            Objects.requireNonNull(ids, "ids");
            Objects.requireNonNull(attentionMask, "attentionMask");
            if (ids.length == 0 || ids.length != attentionMask.length) {
                throw new IllegalArgumentException("token batch needs as many attention masks as id rows (>= 1), got "
                        + ids.length + " and " + attentionMask.length);
            }
            for (int i = 0; i < ids.length; i++) {
                if (ids[i].length != attentionMask[i].length) {
                    throw new IllegalArgumentException("token row " + i + " has " + ids[i].length + " ids but "
                            + attentionMask[i].length + " mask entries");
                }
            }
        }

        @Override
        public int rows() {
            return ids.length;
        }

        @Override
        public InputKind kind() {
            return InputKind.TOKEN_IDS;
        }
    }

    enum InputKind {
        POOLED_FEATURES,
        TOKEN_IDS
    }
}
