"""scikit-learn's answers for the cases SklearnCrossCheckTest writes; the test compares them with Java's.

Usage: /usr/bin/python3 sklearn_reference.py CASES_FILE
Input, per case: a line "case K N", then N lines "TRUE_INDEX P_0 ... P_{K-1}".
Output: a line "sklearn VERSION", then per case a line "case I" and lines "NAME V1 V2 ..." with repr() floats
(which round-trip exactly into Java's Double.parseDouble).

Conventions asked of sklearn, matching ClassificationMetrics:
- predicted class = numpy.argmax (ties to the lowest index);
- macro-F1 = f1_score(average="macro", zero_division=0) with labels left to sklearn (the union of true and
  predicted labels);
- per-class precision/recall/F1 and confusion over labels=range(K), zero_division=0;
- log_loss with labels=range(K) and eps=1e-15 (sklearn >= 1.5 dropped eps; then the rows are clipped to
  [1e-15, 1 - 1e-15] and renormalised here, which is what older sklearn did inside log_loss).
"""
import sys
import warnings

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, log_loss, precision_recall_fscore_support

EPS = 1e-15


def read_cases(path):
    cases = []
    with open(path) as f:
        lines = [line.split() for line in f if line.strip()]
    i = 0
    while i < len(lines):
        assert lines[i][0] == "case", lines[i]
        k, n = int(lines[i][1]), int(lines[i][2])
        rows = lines[i + 1:i + 1 + n]
        y = np.array([int(r[0]) for r in rows])
        p = np.array([[float(v) for v in r[1:]] for r in rows])
        assert p.shape == (n, k), (p.shape, n, k)
        cases.append((k, y, p))
        i += 1 + n
    return cases


def clipped_log_loss(y, p, labels):
    try:
        return log_loss(y, p, labels=labels, eps=EPS)
    except TypeError:  # sklearn >= 1.5
        q = np.clip(p, EPS, 1 - EPS)
        q = q / q.sum(axis=1, keepdims=True)
        return log_loss(y, q, labels=labels)


def fmt(values):
    return " ".join(repr(float(v)) for v in np.ravel(values))


def main():
    warnings.simplefilter("ignore")
    print("sklearn", sklearn.__version__)
    for index, (k, y, p) in enumerate(read_cases(sys.argv[1])):
        labels = list(range(k))
        pred = np.argmax(p, axis=1)
        precision, recall, f1, support = precision_recall_fscore_support(
            y, pred, labels=labels, zero_division=0)
        print("case", index)
        print("accuracy", fmt([accuracy_score(y, pred)]))
        print("macro_f1", fmt([f1_score(y, pred, average="macro", zero_division=0)]))
        print("log_loss", fmt([clipped_log_loss(y, p, labels)]))
        print("precision", fmt(precision))
        print("recall", fmt(recall))
        print("f1", fmt(f1))
        print("support", fmt(support))
        print("confusion", fmt(confusion_matrix(y, pred, labels=labels)))


if __name__ == "__main__":
    main()
