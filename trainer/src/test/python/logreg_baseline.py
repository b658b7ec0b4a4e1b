#!/usr/bin/python3
"""scikit-learn's LogisticRegression on the same vectors the Java head trains on.

Reads the features file CorpusQualityIT writes (little-endian: int32 rows, int32 dim, then per row
int32 label index, int32 split (0 train, 1 validation), dim float32), fits on the train rows and
prints one JSON line with the validation macro-F1. Run with Debian's /usr/bin/python3
(python3-sklearn).
"""
import json
import struct
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score


def main(path):
    with open(path, "rb") as f:
        rows, dim = struct.unpack("<ii", f.read(8))
        record = np.dtype([("label", "<i4"), ("split", "<i4"), ("x", "<f4", (dim,))])
        data = np.frombuffer(f.read(rows * record.itemsize), dtype=record, count=rows)
    train = data[data["split"] == 0]
    validation = data[data["split"] == 1]
    model = LogisticRegression(max_iter=2000)
    model.fit(train["x"], train["label"])
    predicted = model.predict(validation["x"])
    print(json.dumps({
        "macro_f1": float(f1_score(validation["label"], predicted, average="macro")),
        "train_rows": int(len(train)),
        "validation_rows": int(len(validation)),
    }))


if __name__ == "__main__":
    main(sys.argv[1])
