#!/usr/bin/env python3
"""capture_peer.py - the smallest BGP speaker that makes a real peer send
UPDATEs, used only to capture golden vectors (see capture_gobgp.sh).

Listens on ADDR:179, accepts one connection, sends an OPEN with the
Multiprotocol capability for L2VPN EVPN (AFI 25, SAFI 70, RFC 4760 8 /
RFC 7432 5), the 4-octet AS capability (RFC 6793) and route refresh
(RFC 2918), then a KEEPALIVE, answers KEEPALIVEs, and prints every message
it receives as "HEX <type> <hex>" until the peer closes or DEADLINE
seconds pass. Bounded in time; never sends anything but these messages.
"""
import socket
import struct
import sys
import time

addr = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
deadline = time.monotonic() + (float(sys.argv[2]) if len(sys.argv) > 2 else 30.0)
MY_AS = 65001
ROUTER_ID = bytes([192, 0, 2, 1])


def msg(mtype, body):
    return b"\xff" * 16 + struct.pack("!HB", 19 + len(body), mtype) + body


def cap(code, value):
    return struct.pack("!BB", code, len(value)) + value


caps = (cap(1, struct.pack("!HBB", 25, 0, 70))      # MP: L2VPN EVPN
        + cap(2, b"")                               # route refresh
        + cap(65, struct.pack("!I", MY_AS)))        # 4-octet AS
params = struct.pack("!BB", 2, len(caps)) + caps     # one Capabilities parameter
open_body = struct.pack("!BHH4sB", 4, MY_AS, 90, ROUTER_ID, len(params)) + params

ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind((addr, 179))
ls.listen(1)
ls.settimeout(max(0.1, deadline - time.monotonic()))
conn, peer = ls.accept()
print("CONNECTED", peer[0], flush=True)
buf = b""
sent_open = False
while time.monotonic() < deadline:
    conn.settimeout(max(0.1, deadline - time.monotonic()))
    try:
        data = conn.recv(65536)
    except socket.timeout:
        break
    if not data:
        break
    buf += data
    while len(buf) >= 19:
        ln = struct.unpack("!H", buf[16:18])[0]
        if ln < 19 or len(buf) < ln:
            break
        m, buf = buf[:ln], buf[ln:]
        t = m[18]
        print("HEX", t, m.hex(), flush=True)
        if t == 1 and not sent_open:
            conn.sendall(msg(1, open_body) + msg(4, b""))
            sent_open = True
        elif t == 4:
            conn.sendall(msg(4, b""))
conn.close()
ls.close()
print("DONE", flush=True)
