package dev.streamtune.model.peft;

import java.util.List;
import java.util.Objects;

/**
 * One labelled text set as token ids: unpadded rows (special tokens included), their attention
 * masks, and each row's label index into {@code labelNames}.
 */
public record TokenSet(int[][] ids, int[][] mask, int[] labels, List<String> labelNames) {
    public TokenSet {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(labels, "labels");
        labelNames = List.copyOf(labelNames);
        if (mask.length != ids.length || labels.length != ids.length) {
            throw new IllegalArgumentException("ids, mask and labels must have one entry per row; got " + ids.length
                    + ", " + mask.length + " and " + labels.length);
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i].length != mask[i].length) {
                throw new IllegalArgumentException("row " + i + " has " + ids[i].length + " ids but a mask of "
                        + mask[i].length);
            }
            if (labels[i] < 0 || labels[i] >= labelNames.size()) {
                throw new IllegalArgumentException("row " + i + " has label index " + labels[i] + ", must be in [0, "
                        + labelNames.size() + ")");
            }
        }
    }

    public int size() {
        return ids.length;
    }
}
