#!/usr/bin/env python3
"""make_corpus.py - write fuzz_bgp's seed corpus (tests/fuzz/corpus/bgp/)
from the GoBGP and FRR captures (tests/unit/vectors/{gobgp,frr}_session.hex):
one file per distinct message (OPEN, KEEPALIVE, an UPDATE per route type, the
withdrawal, the NOTIFICATION), plus the whole stream each daemon sent as one
seed, since the fuzz target reads its input as a TCP stream. Run by
capture_gobgp.sh (and by hand after capture_frr.sh).
"""
import os
import re

here = os.path.dirname(os.path.abspath(__file__))
dst = os.path.join(here, "corpus", "bgp")
os.makedirs(dst, exist_ok=True)
for f in os.listdir(dst):
    if f.startswith(("gobgp_", "frr_", "peer_")):
        os.remove(os.path.join(dst, f))

seen = set()
for daemon in ("gobgp", "frr"):
    src = os.path.join(here, "..", "unit", "vectors", daemon + "_session.hex")
    stream = b""
    for line in open(src):
        if line.startswith("#") or not line.strip():
            continue
        head, _, what = line.partition("#")
        who, mtype, hx = head.split()
        msg = bytes.fromhex(hx)
        if who == daemon:
            stream += msg
        if msg in seen:
            continue
        seen.add(msg)
        name = re.sub(r"[^a-z0-9]+", "_", what.strip().lower()).strip("_")
        base = "%s_%s" % (who if who != "peer" else daemon + "_peer", name)
        n = 1
        while os.path.exists(os.path.join(dst, "%s_%d.bin" % (base, n))):
            n += 1
        with open(os.path.join(dst, "%s_%d.bin" % (base, n)), "wb") as f:
            f.write(msg)
    with open(os.path.join(dst, daemon + "_stream.bin"), "wb") as f:
        f.write(stream)
print("make_corpus: %d seeds in %s" % (len(os.listdir(dst)), dst))
