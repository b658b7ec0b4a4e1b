"""Writes Streamtune corpora: gzip'd JSON lines (id, group, label, text), sorted by id, with a
fixed gzip header (no file name, mtime 0) so that re-running a script reproduces the same bytes."""

import collections
import gzip
import io
import json
import os


def write_jsonl_gz(records, output_path):
    records = sorted(records, key=lambda r: r["id"])
    ids = [r["id"] for r in records]
    if len(set(ids)) != len(ids):
        duplicates = sorted(i for i, n in collections.Counter(ids).items() if n > 1)
        raise ValueError(f"duplicate ids: {duplicates[:10]}")
    for record in records:
        for field in ("id", "group", "label", "text"):
            if not isinstance(record.get(field), str) or not record[field].strip():
                raise ValueError(f"record {record.get('id')}: field {field!r} is missing or blank")
    os.makedirs(os.path.dirname(os.path.abspath(output_path)), exist_ok=True)
    with open(output_path, "wb") as raw_out:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw_out, compresslevel=9, mtime=0) as gz:
            with io.TextIOWrapper(gz, encoding="utf-8", newline="\n") as out:
                for record in records:
                    line = {field: record[field] for field in ("id", "group", "label", "text")}
                    out.write(json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n")


def report(records, output_path, long_text_chars=20_000):
    """Counts, text length distribution and output size, printed for the README."""
    lengths = sorted(len(r["text"]) for r in records)
    by_label = collections.Counter(r["label"] for r in records)
    by_group = collections.Counter(r["group"] for r in records)

    def pct(p):
        return lengths[min(len(lengths) - 1, int(p / 100 * len(lengths)))]

    print(f"records: {len(records)}  labels ({len(by_label)}): {dict(sorted(by_label.items()))}")
    print(f"groups: {dict(sorted(by_group.items()))}")
    print(f"text chars: min {lengths[0]}  p50 {pct(50)}  p90 {pct(90)}  p99 {pct(99)}  max {lengths[-1]}")
    over = [r for r in records if len(r["text"]) > long_text_chars]
    print(f"texts over {long_text_chars} chars: {len(over)} "
          f"({dict(sorted(collections.Counter(r['label'] for r in over).items()))})")
    print(f"output: {output_path}  {os.path.getsize(output_path)} bytes")
