#!/usr/bin/env python3
"""make_corpus6.py - write fuzz_bgp's IPv6 seeds (tests/fuzz/corpus/bgp/,
frr6_* and gobgp6_*) from the IPv6 captures (tests/unit/vectors/
{frr6,gobgp6}_session.hex, capture_frr6.sh and capture_gobgp6.sh): one file
per distinct message, plus the whole stream each daemon sent, as
make_corpus.py does for the IPv4 captures. libFuzzer reads the corpus
directory recursively, so the seeds count wherever the corpus is rooted.
"""
import os
import re

here = os.path.dirname(os.path.abspath(__file__))
dst = os.path.join(here, "corpus", "bgp")
os.makedirs(dst, exist_ok=True)
daemons = [d for d in ("frr6", "gobgp6")
           if os.path.exists(os.path.join(here, "..", "unit", "vectors", d + "_session.hex"))]
for f in os.listdir(dst):
    if f.startswith(tuple(d + "_" for d in daemons)):
        os.remove(os.path.join(dst, f))

# Messages the IPv4 seeds already have (an OPEN, a KEEPALIVE) are not
# written twice.
seen = set()
for root, _, files in os.walk(os.path.join(here, "corpus")):
    for f in files:
        if not f.startswith(tuple(d + "_" for d in daemons)):
            with open(os.path.join(root, f), "rb") as fh:
                seen.add(fh.read())
for daemon in daemons:
    src = os.path.join(here, "..", "unit", "vectors", daemon + "_session.hex")
    me = daemon[:-1]   # "frr" or "gobgp", as the capture names the sender
    stream = b""
    for line in open(src):
        if line.startswith("#") or not line.strip():
            continue
        head, _, what = line.partition("#")
        who, mtype, hx = head.split()
        msg = bytes.fromhex(hx)
        if who == me:
            stream += msg
        if msg in seen:
            continue
        seen.add(msg)
        name = re.sub(r"[^a-z0-9]+", "_", what.strip().lower()).strip("_")
        base = "%s_%s" % (daemon if who == me else daemon + "_peer", name)
        n = 1
        while os.path.exists(os.path.join(dst, "%s_%d.bin" % (base, n))):
            n += 1
        with open(os.path.join(dst, "%s_%d.bin" % (base, n)), "wb") as f:
            f.write(msg)
    with open(os.path.join(dst, daemon + "_stream.bin"), "wb") as f:
        f.write(stream)
print("make_corpus6: %d seeds in %s" % (len(os.listdir(dst)), dst))
