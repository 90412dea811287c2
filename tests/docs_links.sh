#!/bin/bash
# docs_links.sh - every relative link and image in README.md and docs/*.md
# resolves: the file (or directory) exists inside the repository, and an
# #anchor names a heading of the target file (GitHub's slug rules) or an
# explicit <a id/name>. Links in fenced code blocks and inline code are not
# links; http(s) and mailto links are not checked (no network in tests).
# Prints each broken link as FILE:LINE: TARGET: why, and exits 1 if any.
#
#   tests/docs_links.sh            README.md and docs/*.md of this checkout
#   tests/docs_links.sh FILE...    only these (paths relative to the top)
set -u
cd "$(dirname "$0")/.." || exit 2
exec python3 - "$@" <<'EOF'
import os, re, sys, unicodedata

top = os.path.realpath(".")
files = sys.argv[1:] or ["README.md"] + sorted(
    os.path.join("docs", f) for f in os.listdir("docs") if f.endswith(".md"))

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$")
HTML_ANCHOR = re.compile(r"""<a\s[^>]*(?:id|name)\s*=\s*["']([^"']+)["']""", re.I)
INLINE = re.compile(r"!?\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REFDEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
IMG_SRC = re.compile(r"""<img\s[^>]*src\s*=\s*["']([^"']+)["']""", re.I)


def prose_lines(path):
    """(line number, text) of the lines outside fenced code blocks."""
    fence = None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            m = FENCE.match(line)
            if fence:
                if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                    fence = None
                continue
            if m:
                fence = m.group(1)
                continue
            yield n, line


def strip_code(text):
    """The text without inline code spans (a link inside backticks is text);
    newlines are kept so that line numbers stay right."""
    return re.sub(r"(`+)(.+?)\1", lambda m: "\n" * m.group(0).count("\n"), text,
                  flags=re.S)


def slug(text):
    """GitHub's heading anchor: markup dropped, lower case, punctuation
    removed except '-' and '_', spaces to '-'."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)   # links: their text
    text = re.sub(r"<[^>]+>", "", text)                      # inline HTML
    text = text.replace("`", "")
    out = []
    for ch in text.lower():
        cat = unicodedata.category(ch)
        if ch in "-_" or cat[0] in "LN" or cat[0] == "M":
            out.append(ch)
        elif ch == " ":
            out.append("-")
    return "".join(out)


anchors_cache = {}


def anchors(path):
    if path not in anchors_cache:
        seen, found = {}, set()
        for _, line in prose_lines(path):
            m = HEADING.match(line)
            if m:
                s = slug(m.group(2))
                k = seen.get(s, 0)
                seen[s] = k + 1
                found.add(s if k == 0 else "%s-%d" % (s, k))
            for a in HTML_ANCHOR.findall(line):
                found.add(a)
        anchors_cache[path] = found
    return anchors_cache[path]


def blocks(path):
    """(first line number, text) of each run of non-blank prose lines: a
    link's text may wrap onto the next line."""
    start, buf, last = None, [], None
    for n, line in prose_lines(path):
        if not line.strip() or (last is not None and n != last + 1):
            if buf:
                yield start, "\n".join(buf)
            start, buf = None, []
        if line.strip():
            if start is None:
                start = n
            buf.append(line)
        last = n
    if buf:
        yield start, "\n".join(buf)


def targets(block):
    """(line offset in the block, target) of each link and image."""
    text = strip_code(block)
    for m in INLINE.finditer(text):
        yield text.count("\n", 0, m.start()), m.group(2)
    for i, line in enumerate(text.split("\n")):
        m = REFDEF.match(line)
        if m:
            yield i, m.group(1)
        for src in IMG_SRC.findall(line):
            yield i, src


broken = checked = 0
for f in files:
    if not os.path.isfile(f):
        print("%s: no such file" % f)
        broken += 1
        continue
    base = os.path.dirname(f)
    for start, block in blocks(f):
        for off, t in targets(block):
            n = start + off
            if not t or re.match(r"^[a-z][a-z0-9+.-]*:", t, re.I):
                continue   # http:, https:, mailto: ...
            checked += 1
            path, _, frag = t.partition("#")
            dest = os.path.normpath(os.path.join(base, path)) if path else f
            real = os.path.realpath(dest)
            why = None
            if real != top and not real.startswith(top + os.sep):
                why = "outside the repository"
            elif not os.path.exists(dest):
                why = "no such file"
            elif frag and os.path.isfile(dest) and dest.endswith(".md") \
                    and frag not in anchors(dest):
                why = "no heading #%s in %s" % (frag, dest)
            if why:
                print("%s:%d: %s: %s" % (f, n, t, why))
                broken += 1

print("docs links: %d checked in %d files, %d broken" % (checked, len(files), broken))
sys.exit(1 if broken else 0)
EOF
