#!/usr/bin/python3
"""Convert the fortune databases of the Debian packages `fortunes` and `fortunes-min` into
Streamtune's labelled-corpus format: label = the fortune file (its category), text = one fortune.

Every fortune of every category file is kept (offensive databases, package fortunes-off, are not
read). Overstriking (x BACKSPACE x for bold, _ BACKSPACE x for underline) is removed, trailing
blanks dropped; the fortune's own line breaks and attributions stay. Ids are category-NNNNN, the
fortune's 1-based position in its file. Output sorted by id with a fixed gzip header.

    apt-get install fortunes fortunes-min
    /usr/bin/python3 datasets/scripts/fortunes_to_jsonl.py \
        datasets/src/main/resources/dev/streamtune/datasets/fortunes.jsonl.gz
"""

import os
import re
import shutil
import subprocess
import sys

import corpus_jsonl

PACKAGES = ("fortunes", "fortunes-min")
FORTUNE_DIR = "/usr/share/games/fortunes/"


def category_files(package):
    """The fortune text files a package installs (not the .dat indexes, not the .u8 links)."""
    listing = subprocess.run(["dpkg", "-L", package], check=True, capture_output=True, text=True).stdout
    files = []
    for path in listing.splitlines():
        if (path.startswith(FORTUNE_DIR) and os.path.isfile(path) and not os.path.islink(path)
                and "." not in os.path.basename(path)):
            files.append(path)
    if not files:
        raise SystemExit(f"package {package} installs no fortune files; is it installed?")
    return sorted(files)


def package_version(package):
    return subprocess.run(["dpkg-query", "-W", "-f=${Version}", package],
                          check=True, capture_output=True, text=True).stdout


def remove_overstriking(text):
    """x BACKSPACE y prints y over x; "___" + three backspaces + "BODY" underlines a word.
    Keep what was printed last, as a terminal would show it."""
    while True:
        struck = re.sub(r"[^\x08]\x08", "", text)
        if struck == text:
            return struck.replace("\x08", "")
        text = struck


def fortunes(path):
    with open(path, "rb") as f:
        content = f.read().decode("utf-8", errors="replace")
    content = content.replace("\r\n", "\n")
    for chunk in re.split(r"^%\s*$", content, flags=re.M):
        text = remove_overstriking(chunk)
        text = "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")
        if text.strip():
            yield text


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    records = []
    for package in PACKAGES:
        print(f"{package} {package_version(package)}", file=sys.stderr)
        for path in category_files(package):
            category = os.path.basename(path)
            for number, text in enumerate(fortunes(path), start=1):
                records.append({"id": f"{category}-{number:05d}", "group": package, "label": category, "text": text})
    corpus_jsonl.write_jsonl_gz(records, argv[1])
    # both packages come from one source package and carry the same copyright file
    shutil.copyfile("/usr/share/doc/fortunes/copyright",
                    os.path.join(os.path.dirname(argv[1]), "fortunes-COPYRIGHT.txt"))
    corpus_jsonl.report(records, argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
