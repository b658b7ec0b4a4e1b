#!/usr/bin/python3
"""Convert WordNet 3.0 noun glosses (Debian package `wordnet-base`) into Streamtune's
labelled-corpus format: label = the synset's lexicographer file (e.g. noun.animal), text = its
gloss (definition and usage examples, as WordNet writes them).

Six concrete, well separated noun classes are kept, SENSES_PER_CLASS of each, chosen
deterministically: the synsets of a class ordered by SHA-1 of their id, the first ones taken
(independent of Python's random module, so any Python 3 gives the same choice).
Ids are noun-<synset offset in data.noun>, stable for WordNet 3.0.

    apt-get install wordnet-base
    /usr/bin/python3 datasets/scripts/wordnet_to_jsonl.py \
        datasets/src/main/resources/dev/streamtune/datasets/wordnet-senses.jsonl.gz
"""

import hashlib
import os
import re
import subprocess
import sys

import corpus_jsonl

DATA_NOUN = "/usr/share/wordnet/data.noun"

# Lexicographer file numbers of WordNet 3.0 (lexnames(5WN)); only the noun files are needed.
NOUN_LEXNAMES = {
    3: "noun.Tops", 4: "noun.act", 5: "noun.animal", 6: "noun.artifact", 7: "noun.attribute",
    8: "noun.body", 9: "noun.cognition", 10: "noun.communication", 11: "noun.event",
    12: "noun.feeling", 13: "noun.food", 14: "noun.group", 15: "noun.location", 16: "noun.motive",
    17: "noun.object", 18: "noun.person", 19: "noun.phenomenon", 20: "noun.plant",
    21: "noun.possession", 22: "noun.process", 23: "noun.quantity", 24: "noun.relation",
    25: "noun.shape", 26: "noun.state", 27: "noun.substance", 28: "noun.time",
}
CLASSES = ("noun.animal", "noun.artifact", "noun.body", "noun.food", "noun.person", "noun.plant")
SENSES_PER_CLASS = 2_000  # noun.body, the smallest, has 2,016 synsets


def read_synsets(path):
    """(offset, lexname, gloss) for every synset of data.noun; its license header lines start with spaces."""
    with open(path, encoding="utf-8") as data:
        for line in data:
            if line.startswith("  "):
                continue
            fields, _, gloss = line.partition(" | ")
            offset, lex_filenum, ss_type = fields.split(" ")[:3]
            if ss_type != "n":
                raise ValueError(f"synset {offset}: type {ss_type!r} in {path}")
            lexname = NOUN_LEXNAMES.get(int(lex_filenum))
            if lexname is None:
                raise ValueError(f"synset {offset}: lexicographer file {lex_filenum} is not a noun file")
            gloss = gloss.strip()
            if not gloss:
                raise ValueError(f"synset {offset} has no gloss")
            yield offset, lexname, gloss


def write_license(path, output_path):
    """The license header of data.noun, which WordNet's terms require on every copy."""
    with open(path, encoding="utf-8") as data:
        lines = [re.sub(r"^\s+\d+ ?", "", line.rstrip()) for line in data if line.startswith("  ")]
    license_path = os.path.join(os.path.dirname(output_path), "wordnet-LICENSE.txt")
    with open(license_path, "w", encoding="utf-8", newline="\n") as out:
        out.write("Derived from " + path + " (WordNet 3.0, Debian package wordnet-base).\n\n")
        out.write("\n".join(lines).strip() + "\n")


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "wordnet-base"],
                             check=True, capture_output=True, text=True).stdout
    print(f"wordnet-base {version}", file=sys.stderr)
    by_class = {name: [] for name in CLASSES}
    for offset, lexname, gloss in read_synsets(DATA_NOUN):
        if lexname in by_class:
            by_class[lexname].append({"id": f"noun-{offset}", "group": "noun", "label": lexname, "text": gloss})
    records = []
    for lexname, senses in by_class.items():
        print(f"{lexname}: {len(senses)} synsets", file=sys.stderr)
        if len(senses) < SENSES_PER_CLASS:
            raise ValueError(f"{lexname} has {len(senses)} synsets, fewer than {SENSES_PER_CLASS}")
        senses.sort(key=lambda r: hashlib.sha1(r["id"].encode("ascii")).hexdigest())
        records.extend(senses[:SENSES_PER_CLASS])
    corpus_jsonl.write_jsonl_gz(records, argv[1])
    write_license(DATA_NOUN, argv[1])
    corpus_jsonl.report(records, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
