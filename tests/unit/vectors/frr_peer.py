#!/usr/bin/env python3
"""frr_peer.py - the BGP peer capture_frr.sh puts in front of FRR, and the
helpers that script uses to read what FRR sent. Only used to capture golden
vectors; never part of the test suite.

  frr_peer.py listen ADDR SECONDS CMDDIR
      Listens on ADDR:179 for one connection (FRR connects), sends an OPEN
      (AS 65001, router id 198.51.100.1, hold 90) with Multiprotocol L2VPN
      EVPN (RFC 4760 8, RFC 7432 5), route refresh (RFC 2918), 4-octet AS
      (RFC 6793) and graceful restart for L2VPN EVPN (RFC 4724 3, so FRR
      sends End-of-RIB), then a KEEPALIVE; answers KEEPALIVEs. Prints
      "HEX <type> <hex>" per message received. Files CMDDIR/NN.hex (hex of
      whole messages, sent in name order once each) make it send more,
      e.g. an UPDATE or a malformed message. Stops when FRR closes or after
      SECONDS.
  frr_peer.py macip MAC SEQ
      Prints the hex of an UPDATE advertising a type-2 MAC-only route for
      MAC in VNI 100 from VTEP 198.51.100.1 with MAC Mobility sequence SEQ
      (RFC 7432 7.7, 15): it makes FRR's local MAC move away.
  frr_peer.py malformed
      Prints an UPDATE whose Total Path Attribute Length runs past the
      message (RFC 4271 6.3: UPDATE Message Error / Malformed Attribute
      List), which FRR answers with a NOTIFICATION.
  frr_peer.py has OUT TAG [N]
      Succeeds when the HEX lines of OUT hold at least N (default 1)
      messages tagged TAG by describe() (e.g. t2ip, t3, t5, eor, unreach2).
"""
import os
import select
import socket
import struct
import sys
import time

MY_AS = 65001
ROUTER_ID = bytes([198, 51, 100, 1])


def msg(mtype, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def cap(code, value):
    return struct.pack("!BB", code, len(value)) + value


def open_msg():
    caps = (cap(1, struct.pack("!HBB", 25, 0, 70))            # MP: L2VPN EVPN
            + cap(2, b"")                                     # route refresh
            + cap(65, struct.pack("!I", MY_AS))               # 4-octet AS
            + cap(64, struct.pack("!HHBB", 120, 25, 70, 0)))  # GR: 120 s, EVPN
    params = struct.pack("!BB", 2, len(caps)) + caps
    return msg(1, struct.pack("!BHH4sB", 4, MY_AS, 90, ROUTER_ID, len(params)) + params)


def attr(flags, typ, value):
    if len(value) > 255:
        return struct.pack("!BBH", flags | 0x10, typ, len(value)) + value
    return struct.pack("!BBB", flags, typ, len(value)) + value


def macip_update(mac, seq):
    vtep = bytes(ROUTER_ID)
    rd = struct.pack("!H4sH", 1, vtep, 100)                   # RD type 1 198.51.100.1:100
    mac_b = bytes(int(x, 16) for x in mac.split(":"))
    nlri_v = rd + bytes(10) + struct.pack("!IB", 0, 48) + mac_b + b"\x00" + struct.pack("!I", 100)[1:]
    nlri = struct.pack("!BB", 2, len(nlri_v)) + nlri_v
    mp = struct.pack("!HBB", 25, 70, 4) + vtep + b"\x00" + nlri
    ext = (struct.pack("!BBHI", 0, 2, MY_AS, 100)             # RT 65001:100
           + struct.pack("!BBIH", 3, 12, 0, 8)                # encapsulation VXLAN
           + struct.pack("!BBBBI", 6, 0, 0, 0, seq))          # MAC Mobility
    attrs = (attr(0x80, 14, mp) + attr(0x40, 1, b"\x00")
             + attr(0x40, 2, struct.pack("!BBI", 2, 1, MY_AS))
             + attr(0xc0, 16, ext))
    return msg(2, struct.pack("!H", 0) + struct.pack("!H", len(attrs)) + attrs)


def malformed():
    # Withdrawn Routes Length 0, Total Path Attribute Length 16, no octets.
    return msg(2, struct.pack("!HH", 0, 16))


def attrs_of(m):
    body = m[19:]
    wl = struct.unpack("!H", body[:2])[0]
    al = struct.unpack("!H", body[2 + wl:4 + wl])[0]
    a = body[4 + wl:4 + wl + al]
    out = {}
    while len(a) >= 3:
        fl, ty = a[0], a[1]
        ln, h = (struct.unpack("!H", a[2:4])[0], 4) if fl & 0x10 else (a[2], 3)
        out[ty] = a[h:h + ln]
        a = a[h + ln:]
    return out


def describe(m):
    """Tags for one message: what it is and what its EVPN routes are."""
    t = m[18]
    if t != 2:
        return [{1: "open", 3: "notification", 4: "keepalive", 5: "route-refresh"}.get(t, "?")]
    body = m[19:]
    wl = struct.unpack("!H", body[:2])[0]
    if 4 + wl > len(body) or 4 + wl + struct.unpack("!H", body[2 + wl:4 + wl])[0] > len(body):
        return ["malformed"]
    at = attrs_of(m)
    tags = []
    for ty in (14, 15):
        if ty not in at:
            continue
        v = at[ty]
        nl = v[4 + v[3] + 1:] if ty == 14 else v[3:]
        if ty == 15 and not nl:
            tags.append("eor")
        while len(nl) >= 2:
            rt, ln = nl[0], nl[1]
            tag = "t%d" % rt
            if rt == 2:
                iplen = nl[2 + 8 + 10 + 4 + 1 + 6]
                tag = "t2ip" if iplen else "t2mac"
            tags.append(tag if ty == 14 else "unreach" + tag[1:])
            # IPv6 (capture_frr6.sh): MAC+IPv6, and a type 5 of 58 octets
            if rt == 2 and nl[2 + 8 + 10 + 4 + 1 + 6] == 128:
                tags.append("t2ip6" if ty == 14 else "unreach2ip6")
            if rt == 5 and ln == 58:
                tags.append("t5v6" if ty == 14 else "unreach5v6")
            nl = nl[2 + ln:]
    if 16 in at:
        e = at[16]
        if any(e[i] == 6 and e[i + 1] == 0 for i in range(0, len(e), 8)):
            tags.append("mm")
            if "t2ip" in tags:
                tags.append("t2ipmm")
        # RFC 9047 ARP/ND community (type 0x06, sub-type 0x08), R flag
        if any(e[i] == 6 and e[i + 1] == 8 and e[i + 2] & 1 for i in range(0, len(e), 8)):
            tags.append("ndr")
    if not tags and len(m) == 23:
        tags.append("eor4")
    return tags or ["update"]


def what(m):
    tags = describe(m)
    if m[18] != 2:
        return tags[0].upper()
    names = {"t2mac": "type 2 MAC only", "t2ip": "type 2 MAC+IP", "t3": "type 3",
             "t5": "type 5", "unreach2mac": "withdraw type 2 MAC only",
             "unreach2ip": "withdraw type 2 MAC+IP", "unreach3": "withdraw type 3",
             "unreach5": "withdraw type 5", "eor": "End-of-RIB L2VPN EVPN",
             "eor4": "End-of-RIB IPv4 unicast", "mm": "MAC Mobility",
             "malformed": "malformed (attribute length past the end)",
             "t2ip6": "IPv6", "unreach2ip6": "IPv6", "t5v6": "IPv6",
             "unreach5v6": "IPv6", "ndr": "ND Router flag"}
    return "UPDATE " + ", ".join(names.get(x, x) for x in tags if x != "t2ipmm")


def listen(addr, seconds, cmddir):
    deadline = time.monotonic() + seconds
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, 179))
    ls.listen(1)
    ls.settimeout(max(0.1, deadline - time.monotonic()))
    conn, peer = ls.accept()
    ls.close()
    print("CONNECTED", peer[0], flush=True)
    buf = b""
    sent_open = False
    done = set()
    while time.monotonic() < deadline:
        if sent_open:
            for f in sorted(os.listdir(cmddir)):
                if f.endswith(".hex") and f not in done:
                    done.add(f)
                    with open(os.path.join(cmddir, f)) as fh:
                        conn.sendall(bytes.fromhex(fh.read().strip()))
                    print("SENT", f, flush=True)
        r, _, _ = select.select([conn], [], [], 0.1)
        if not r:
            continue
        try:
            data = conn.recv(65536)
        except OSError:
            break
        if not data:
            break
        buf += data
        while len(buf) >= 19:
            ln = struct.unpack("!H", buf[16:18])[0]
            if ln < 19 or len(buf) < ln:
                break
            m, buf = buf[:ln], buf[ln:]
            print("HEX", m[18], m.hex(), flush=True)
            if m[18] == 1 and not sent_open:
                conn.sendall(open_msg() + msg(4, b""))
                sent_open = True
            elif m[18] == 4:
                conn.sendall(msg(4, b""))
    conn.close()
    print("DONE", flush=True)


def has(out, tag, n):
    c = 0
    with open(out) as f:
        for line in f:
            p = line.split()
            if len(p) == 3 and p[0] == "HEX" and tag in describe(bytes.fromhex(p[2])):
                c += 1
    return c >= n


def main():
    cmd = sys.argv[1]
    if cmd == "listen":
        listen(sys.argv[2], float(sys.argv[3]), sys.argv[4])
    elif cmd == "macip":
        print(macip_update(sys.argv[2], int(sys.argv[3])).hex())
    elif cmd == "malformed":
        print(malformed().hex())
    elif cmd == "has":
        sys.exit(0 if has(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 1) else 1)
    else:
        sys.exit("usage: see the docstring")


if __name__ == "__main__":
    main()
