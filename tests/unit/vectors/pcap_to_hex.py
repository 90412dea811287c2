#!/usr/bin/env python3
"""pcap_to_hex.py - split the BGP messages out of a tcpdump capture.

Reads a classic pcap (tcpdump -w) of TCP port 179 on loopback (Ethernet
link type, or Linux cooked), reassembles each direction's byte stream by
TCP sequence number and prints one line per BGP message:
  SRC:PORT>DST:PORT TYPE HEX
Framing follows RFC 4271 4.1 (16-octet marker, 2-octet length, 1-octet
type). Only the standard library; used by capture_gobgp.sh.
"""
import struct
import sys


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    linktype = struct.unpack(end + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(end + "IIII", data[off:off + 16])
        off += 16
        yield linktype, data[off:off + caplen]
        off += caplen


def tcp_segments(path):
    for linktype, pkt in packets(path):
        if linktype == 1:          # DLT_EN10MB
            if len(pkt) < 14 or struct.unpack("!H", pkt[12:14])[0] != 0x0800:
                continue
            ip = pkt[14:]
        elif linktype == 113:      # DLT_LINUX_SLL
            ip = pkt[16:]
        else:
            sys.exit("unsupported link type %d" % linktype)
        if len(ip) < 20 or ip[0] >> 4 != 4 or ip[9] != 6:
            continue
        ihl = (ip[0] & 15) * 4
        tot = struct.unpack("!H", ip[2:4])[0]
        src = ".".join(map(str, ip[12:16]))
        dst = ".".join(map(str, ip[16:20]))
        tcp = ip[ihl:tot]
        sport, dport, seq = struct.unpack("!HHI", tcp[:8])
        doff = (tcp[12] >> 4) * 4
        flags = tcp[13]
        yield ("%s:%d>%s:%d" % (src, sport, dst, dport), seq, flags, tcp[doff:])


def main():
    streams = {}
    order = []
    for key, seq, flags, payload in tcp_segments(sys.argv[1]):
        st = streams.get(key)
        if st is None:
            st = streams[key] = {"next": None, "buf": b"", "segs": {}}
            order.append(key)
        if flags & 0x02:           # SYN consumes one sequence number
            st["next"] = (seq + 1) & 0xffffffff
            continue
        if payload:
            st["segs"][seq] = payload
        while st["next"] is not None and st["next"] in st["segs"]:
            p = st["segs"].pop(st["next"])
            st["buf"] += p
            st["next"] = (st["next"] + len(p)) & 0xffffffff
    out = []
    for key in order:
        buf = streams[key]["buf"]
        while len(buf) >= 19:
            ln = struct.unpack("!H", buf[16:18])[0]
            if ln < 19 or len(buf) < ln:
                break
            out.append("%s %d %s" % (key, buf[18], buf[:ln].hex()))
            buf = buf[ln:]
    print("\n".join(out))


main()
