"""The offline anchors a champion is measured against (DESIGN.md, "Quality: the bar is the offline baseline").

    /usr/bin/python3 anchors.py DUMP.jsonl RESULT.json

DUMP.jsonl: one object a line, {"id", "split": "train"|"validation"|"test", "label", "text", "vector": [float...]},
the split topics joined by example id with the featurizer's vectors. Two anchors, each fit on train and scored on
test with macro-F1 (sklearn f1_score, average="macro"):

  minilm_lr  the frozen MiniLM embeddings + LogisticRegression
  tfidf_lr   TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True) + LogisticRegression

For both, C is chosen on the validation split from C_GRID (best validation macro-F1, the smaller C on a tie),
then the model is refit on train with that C. RESULT.json gets the scores; progress goes to stderr.
Exit status 3 when scikit-learn is missing.
"""
import json
import os
import sys
import time

try:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from joblib import Parallel, delayed
    from sklearn.metrics import f1_score
except ImportError as e:  # pragma: no cover - depends on the machine
    print("anchors: scikit-learn is not importable (%s): install python3-sklearn" % e, file=sys.stderr)
    sys.exit(3)

C_GRID = [0.01, 0.1, 1.0, 10.0, 100.0]
MAX_ITER = 200


def log(message):
    print("anchors: " + message, file=sys.stderr, flush=True)


def macro_f1(y_true, y_pred):
    return float(f1_score(y_true, y_pred, average="macro"))


def fit(x, y, c):
    return LogisticRegression(C=c, max_iter=MAX_ITER).fit(x, y)


def anchor(name, make_features, rows):
    """Chooses C on validation, refits on train with it, scores on test; None fields when it cannot run."""
    train, validation, test = rows["train"], rows["validation"], rows["test"]
    y_train = [r["label"] for r in train]
    if len(set(y_train)) < 2 or not test:
        log("%s: skipped (train has %d label(s), test %d example(s))" % (name, len(set(y_train)), len(test)))
        return {"test_macro_f1": None, "C": None, "validation_macro_f1": None}
    started = time.time()
    x_train, x_validation, x_test = make_features(train, validation, test)
    scores = {}
    if validation:
        y_validation = [r["label"] for r in validation]
        # the grid's fits are independent: one per core; the winner is already fitted on train, so no refit
        models = dict(zip(C_GRID, Parallel(n_jobs=min(len(C_GRID), os.cpu_count() or 1))(
            delayed(fit)(x_train, y_train, c) for c in C_GRID)))
        for c in C_GRID:
            scores[c] = macro_f1(y_validation, models[c].predict(x_validation))
            log("%s: C=%g validation macro-F1 %.4f" % (name, c, scores[c]))
        best = max(C_GRID, key=lambda c: (scores[c], -c))
        model = models[best]
    else:
        best = 1.0
        log("%s: no validation examples; C=1" % name)
        model = fit(x_train, y_train, best)
    test_f1 = macro_f1([r["label"] for r in test], model.predict(x_test))
    log("%s: C=%g test macro-F1 %.4f (%.1f s)" % (name, best, test_f1, time.time() - started))
    return {"test_macro_f1": test_f1, "C": best, "validation_macro_f1": scores.get(best)}


def embeddings(train, validation, test):
    def matrix(rows):
        return np.asarray([r["vector"] for r in rows], dtype=np.float64).reshape(len(rows), -1)
    return matrix(train), matrix(validation), matrix(test)


def tfidf(train, validation, test):
    vectorizer = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)
    x_train = vectorizer.fit_transform([r["text"] for r in train])
    return x_train, vectorizer.transform([r["text"] for r in validation]), vectorizer.transform([r["text"] for r in test])


def main(dump, result):
    rows = {"train": [], "validation": [], "test": []}
    with open(dump, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                rows[r["split"]].append(r)
    counts = {k: len(v) for k, v in rows.items()}
    log("%d train, %d validation, %d test examples" % (counts["train"], counts["validation"], counts["test"]))
    out = {
        "rows": counts,
        "c_grid": C_GRID,
        "minilm_lr": anchor("minilm_lr", embeddings, rows),
        "tfidf_lr": anchor("tfidf_lr", tfidf, rows),
    }
    with open(result, "w", encoding="utf-8") as f:
        json.dump(out, f)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print("usage: anchors.py DUMP.jsonl RESULT.json", file=sys.stderr)
        sys.exit(2)
    main(sys.argv[1], sys.argv[2])
