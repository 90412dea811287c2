#!/usr/bin/python3
"""netpkt.py - the few packet tools the network tests need and Debian does not
ship as one command (no arping, no scapy): run inside a namespace with
`ip netns exec NS python3 netpkt.py CMD ...`. Standard library only.

  arp IFACE TARGET [--sender IP] [--timeout S]
        one ARP request from IFACE's MAC; prints the MAC of the first reply
        whose sender is TARGET, exit 1 when none comes before the timeout.
  send IFACE --src-ip A --dst-ip B --dst-mac M [--src-mac M] [--count N]
        ICMP echo requests with whatever source we like (anti-spoofing tests).
  sniff IFACE --src-ip A --timeout S --ready FILE
        counts IPv4 packets from A received on IFACE; writes FILE once the
        socket is open (so the test knows it can send), prints the count.
  tap IFNAME --mac M --ip A --gw-mac M --dst B [--count N] [--timeout S]
           [--serve S]
        a workload behind a tap: attaches to IFNAME through /dev/net/tun,
        answers ARP for its own IP and ICMP echo requests, sends N ICMP
        echoes to B through the gateway MAC; exits 0 when all were answered
        (after serving others for at least S seconds from the start).
  na IFACE IP6 [--count N]
        unsolicited Neighbor Advertisements (RFC 4861 4.4, 7.2.6: S clear,
        O set, target IP6, target link-layer address IFACE's MAC) from IP6
        to all-nodes: the IPv6 announcement a moved workload makes, the
        counterpart of a gratuitous ARP.
  pcap FILE
        one JSON object per frame of a pcap file (Ethernet), with the outer
        IPv4/UDP/VXLAN fields and the inner frame decoded (in_ethertype; ARP, IPv4, or
        IPv6 with its upper layer behind extension headers and the ICMPv6
        type): the tests assert on them with jq.
  tcp-server ADDR PORT --ready FILE   echo one connection, then exit
  tcp-client ADDR PORT [--bytes N]    send N bytes, expect them back
        (ADDR IPv4 or IPv6)
"""
import argparse
import fcntl
import json
import os
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_ARP = 0x0806
SIOCGIFHWADDR = 0x8927
SIOCGIFADDR = 0x8915
TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def mac_bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def mac_str(b):
    return ":".join("%02x" % x for x in b)


def csum(data):
    """RFC 1071 Internet checksum."""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def if_mac(ifname):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r = fcntl.ioctl(s.fileno(), SIOCGIFHWADDR, struct.pack("256s", ifname.encode()))
    s.close()
    return r[18:24]


def if_ip(ifname):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    r = fcntl.ioctl(s.fileno(), SIOCGIFADDR, struct.pack("256s", ifname.encode()))
    s.close()
    return r[20:24]


def eth(dst, src, etype):
    return dst + src + struct.pack("!H", etype)


def arp_frame(op, smac, sip, tmac, tip, dst):
    body = struct.pack("!HHBBH6s4s6s4s", 1, ETH_P_IP, 6, 4, op, smac, sip, tmac, tip)
    return eth(dst, smac, ETH_P_ARP) + body


def icmp_echo(src_mac, dst_mac, src_ip, dst_ip, ident, seq, payload=b"vtepd-netpkt"):
    icmp = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + payload
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), seq & 0xFFFF, 0x4000,
                     64, 1, 0, src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return eth(dst_mac, src_mac, ETH_P_IP) + ip + icmp


ETH_P_IPV6 = 0x86DD


def na_unsolicited(mac, ip6):
    """An unsolicited NA for ip6 (16 octets) from mac to ff02::1, hop limit
    255 (RFC 4861 7.1.2), flags O, option 2 (target link-layer address)."""
    dst = socket.inet_pton(socket.AF_INET6, "ff02::1")
    body = struct.pack("!BBHI", 136, 0, 0, 0x20000000) + ip6 + struct.pack("!BB", 2, 1) + mac
    pseudo = ip6 + dst + struct.pack("!I3xB", len(body), 58)
    body = body[:2] + struct.pack("!H", csum(pseudo + body)) + body[4:]
    hdr = struct.pack("!IHBB", 6 << 28, len(body), 58, 255) + ip6 + dst
    return eth(b"\x33\x33\x00\x00\x00\x01", mac, ETH_P_IPV6) + hdr + body


def raw_socket(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    return s


def cmd_arp(a):
    s = raw_socket(a.iface)
    mac = if_mac(a.iface)
    sip = socket.inet_aton(a.sender) if a.sender else if_ip(a.iface)
    tip = socket.inet_aton(a.target)
    s.send(arp_frame(1, mac, sip, b"\0" * 6, tip, b"\xff" * 6))
    deadline = time.monotonic() + a.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            return 1
        f = s.recv(2048)
        if len(f) < 42 or struct.unpack("!H", f[12:14])[0] != ETH_P_ARP:
            continue
        op = struct.unpack("!H", f[20:22])[0]
        if op == 2 and f[28:32] == tip:
            print(mac_str(f[22:28]))
            return 0


def cmd_send(a):
    s = raw_socket(a.iface)
    smac = mac_bytes(a.src_mac) if a.src_mac else if_mac(a.iface)
    for i in range(a.count):
        s.send(icmp_echo(smac, mac_bytes(a.dst_mac), socket.inet_aton(a.src_ip),
                         socket.inet_aton(a.dst_ip), 0x7674, i + 1))
    return 0


def cmd_na(a):
    s = raw_socket(a.iface)
    f = na_unsolicited(if_mac(a.iface), socket.inet_pton(socket.AF_INET6, a.ip6))
    for _ in range(a.count):
        s.send(f)
    return 0


def cmd_sniff(a):
    s = raw_socket(a.iface)
    src = socket.inet_aton(a.src_ip)
    with open(a.ready, "w") as f:
        f.write("ready\n")
    n = 0
    deadline = time.monotonic() + a.timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([s], [], [], left)[0]:
            break
        f = s.recv(65535)
        if len(f) >= 34 and struct.unpack("!H", f[12:14])[0] == ETH_P_IP and f[26:30] == src:
            n += 1
    print(n)
    return 0


def icmp_echo_reply(req, mac):
    """The echo reply to an IPv4 ICMP echo request frame, from mac."""
    ihl = (req[14] & 0xF) * 4
    icmp = bytearray(req[14 + ihl:14 + struct.unpack("!H", req[16:18])[0]])
    icmp[0], icmp[2:4] = 0, b"\0\0"
    icmp[2:4] = struct.pack("!H", csum(bytes(icmp)))
    ip = bytearray(req[14:14 + 20])
    ip[0], ip[8] = 0x45, 64
    ip[2:4] = struct.pack("!H", 20 + len(icmp))
    ip[12:16], ip[16:20] = req[30:34], req[26:30]
    ip[10:12] = b"\0\0"
    ip[10:12] = struct.pack("!H", csum(bytes(ip)))
    return eth(req[6:12], mac, ETH_P_IP) + bytes(ip) + bytes(icmp)


def cmd_tap(a):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", a.ifname.encode(), IFF_TAP | IFF_NO_PI))
    mac, ip = mac_bytes(a.mac), socket.inet_aton(a.ip)
    gw, dst = mac_bytes(a.gw_mac), socket.inet_aton(a.dst)
    answered, served = set(), 0
    start = time.monotonic()
    deadline = start + a.timeout
    serve_until = start + a.serve
    next_send, seq = 0.0, 0
    while True:
        now = time.monotonic()
        if now >= deadline or (len(answered) >= a.count and now >= serve_until):
            break
        # One echo every 200 ms until each has its reply: the port may be
        # attached a moment after the tap came up.
        if len(answered) < a.count and now >= next_send:
            seq += 1
            os.write(fd, icmp_echo(mac, gw, ip, dst, 0x7461, seq))
            next_send = now + 0.2
        if not select.select([fd], [], [], 0.05)[0]:
            continue
        f = os.read(fd, 65535)
        if len(f) < 14:
            continue
        etype = struct.unpack("!H", f[12:14])[0]
        if etype == ETH_P_ARP and len(f) >= 42:
            op = struct.unpack("!H", f[20:22])[0]
            if op == 1 and f[38:42] == ip:  # someone asks for our IP: answer
                os.write(fd, arp_frame(2, mac, ip, f[22:28], f[28:32], f[6:12]))
        elif etype == ETH_P_IP and len(f) >= 42 and f[23] == 1 and f[30:34] == ip:
            ihl = (f[14] & 0xF) * 4
            icmp = f[14 + ihl:]
            if len(icmp) < 8:
                continue
            if icmp[0] == 8:  # echo request to us: answer like a workload
                os.write(fd, icmp_echo_reply(f, mac))
                served += 1
            elif icmp[0] == 0 and f[26:30] == dst and struct.unpack("!H", icmp[4:6])[0] == 0x7461:
                n = struct.unpack("!H", icmp[6:8])[0]
                if len(answered) < a.count:
                    answered.add(n)
                print("reply from %s seq %d, frame %s -> %s"
                      % (a.dst, n, mac_str(f[6:12]), mac_str(f[0:6])), flush=True)
    os.close(fd)
    print("%d/%d answered, %d echo requests served" % (len(answered), a.count, served))
    return 0 if len(answered) >= a.count else 1


def decode_ipv4(b, out, pfx):
    if len(b) < 20 or b[0] >> 4 != 4:
        return None
    ihl = (b[0] & 0xF) * 4
    if len(b) < ihl:
        return None
    frag = struct.unpack("!H", b[6:8])[0]
    out.update({pfx + "src": socket.inet_ntoa(b[12:16]), pfx + "dst": socket.inet_ntoa(b[16:20]),
                pfx + "ttl": b[8], pfx + "proto": b[9], pfx + "df": bool(frag & 0x4000),
                pfx + "ip_csum_ok": csum(b[:ihl]) == 0,
                pfx + "ip_len": struct.unpack("!H", b[2:4])[0]})
    return b[ihl:]


# IPv6 extension headers walked to the upper layer: hop-by-hop options,
# routing, destination options (length in 8-octet units after the first 8),
# fragment (8 octets; only the first fragment carries the upper layer).
IP6_EXT = (0, 43, 60)
IP6_FRAG = 44


def decode_ipv6(b, out, pfx):
    """The fixed header and the upper layer behind any extension headers:
    pfx+src/dst (RFC 5952 text), hlim, nh (the upper layer's protocol),
    frag (a fragment header was present), icmp6_type/icmp6_code when the
    upper layer is ICMPv6 and its header is in the capture."""
    if len(b) < 40 or b[0] >> 4 != 6:
        return None
    out.update({pfx + "src": socket.inet_ntop(socket.AF_INET6, b[8:24]),
                pfx + "dst": socket.inet_ntop(socket.AF_INET6, b[24:40]),
                pfx + "hlim": b[7], pfx + "ip6": True,
                pfx + "ip6_plen": struct.unpack("!H", b[4:6])[0]})
    nh, off, frag = b[6], 40, False
    for _ in range(8):
        if nh in IP6_EXT and len(b) >= off + 2:
            nh, off = b[off], off + (b[off + 1] + 1) * 8
        elif nh == IP6_FRAG and len(b) >= off + 8:
            frag = True
            first = (struct.unpack("!H", b[off + 2:off + 4])[0] >> 3) == 0
            nh, off = b[off], off + 8
            if not first:
                out.update({pfx + "nh": nh, pfx + "frag": True})
                return None
        else:
            break
    out.update({pfx + "nh": nh, pfx + "frag": frag})
    if nh == 58 and len(b) >= off + 2:
        out.update({pfx + "icmp6_type": b[off], pfx + "icmp6_code": b[off + 1]})
    return b[off:]


def decode_frame(f):
    """Outer Ethernet/IPv4/UDP/VXLAN and the inner frame, as flat keys."""
    o = {"len": len(f)}
    if len(f) < 14:
        return o
    o.update({"eth_dst": mac_str(f[0:6]), "eth_src": mac_str(f[6:12]),
              "ethertype": struct.unpack("!H", f[12:14])[0]})
    if o["ethertype"] == ETH_P_ARP and len(f) >= 42:
        o.update({"arp_op": struct.unpack("!H", f[20:22])[0],
                  "arp_sip": socket.inet_ntoa(f[28:32]), "arp_tip": socket.inet_ntoa(f[38:42])})
        return o
    if o["ethertype"] != ETH_P_IP:
        return o
    l4 = decode_ipv4(f[14:], o, "")
    if l4 is None or o["proto"] != 17 or len(l4) < 8:
        return o
    sport, dport, ulen, ucs = struct.unpack("!HHHH", l4[:8])
    o.update({"udp_sport": sport, "udp_dport": dport, "udp_len": ulen, "udp_csum": ucs})
    vx = l4[8:]
    if dport != 4789 or len(vx) < 8:
        return o
    o.update({"vx_flags": vx[0], "vni": int.from_bytes(vx[4:7], "big"), "vx_rsvd": vx[7]})
    inner = vx[8:]
    if len(inner) < 14:
        return o
    o.update({"in_eth_dst": mac_str(inner[0:6]), "in_eth_src": mac_str(inner[6:12]),
              "in_ethertype": struct.unpack("!H", inner[12:14])[0]})
    if o["in_ethertype"] == ETH_P_IP:
        decode_ipv4(inner[14:], o, "in_")
    elif o["in_ethertype"] == ETH_P_IPV6:
        decode_ipv6(inner[14:], o, "in_")
    elif o["in_ethertype"] == ETH_P_ARP and len(inner) >= 42:
        o.update({"in_arp_op": struct.unpack("!H", inner[20:22])[0],
                  "in_arp_sip": socket.inet_ntoa(inner[28:32]),
                  "in_arp_tip": socket.inet_ntoa(inner[38:42])})
    return o


def cmd_pcap(a):
    with open(a.file, "rb") as fh:
        data = fh.read()
    if len(data) < 24:
        return 0  # tcpdump had not written its header: no frames
    magic = struct.unpack("<I", data[:4])[0]
    endian = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    if linktype != 1:
        print("netpkt: linktype %d is not Ethernet" % linktype, file=sys.stderr)
        return 1
    off = 24
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        if len(frame) < caplen:
            break  # truncated last record (capture still being written)
        print(json.dumps(decode_frame(frame)))
    return 0


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def cmd_tcp_server(a):
    s = socket.socket(family(a.addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.addr, a.port))
    s.listen(1)
    with open(a.ready, "w") as f:
        f.write("ready\n")
    s.settimeout(a.timeout)
    c, peer = s.accept()
    c.settimeout(a.timeout)
    n = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        c.sendall(d)
        n += len(d)
    c.close()
    print("echoed %d bytes to %s" % (n, peer[0]))
    return 0


def cmd_tcp_client(a):
    payload = os.urandom(a.bytes)
    c = socket.create_connection((a.addr, a.port), timeout=a.timeout)
    c.sendall(payload)
    c.shutdown(socket.SHUT_WR)
    got = bytearray()
    while True:
        d = c.recv(65536)
        if not d:
            break
        got += d
    c.close()
    ok = bytes(got) == payload
    print("sent %d, received %d, %s" % (len(payload), len(got), "equal" if ok else "DIFFERENT"))
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser(description="packet tools for the vtepd network tests")
    sub = p.add_subparsers(dest="cmd", required=True)
    x = sub.add_parser("arp")
    x.add_argument("iface")
    x.add_argument("target")
    x.add_argument("--sender")
    x.add_argument("--timeout", type=float, default=1.0)
    x = sub.add_parser("send")
    x.add_argument("iface")
    x.add_argument("--src-ip", required=True)
    x.add_argument("--dst-ip", required=True)
    x.add_argument("--dst-mac", required=True)
    x.add_argument("--src-mac")
    x.add_argument("--count", type=int, default=3)
    x = sub.add_parser("na")
    x.add_argument("iface")
    x.add_argument("ip6")
    x.add_argument("--count", type=int, default=1)
    x = sub.add_parser("sniff")
    x.add_argument("iface")
    x.add_argument("--src-ip", required=True)
    x.add_argument("--timeout", type=float, default=2.0)
    x.add_argument("--ready", required=True)
    x = sub.add_parser("tap")
    x.add_argument("ifname")
    x.add_argument("--mac", required=True)
    x.add_argument("--ip", required=True)
    x.add_argument("--gw-mac", required=True)
    x.add_argument("--dst", required=True)
    x.add_argument("--count", type=int, default=3)
    x.add_argument("--timeout", type=float, default=10.0)
    x.add_argument("--serve", type=float, default=0.0)
    x = sub.add_parser("pcap")
    x.add_argument("file")
    x = sub.add_parser("tcp-server")
    x.add_argument("addr")
    x.add_argument("port", type=int)
    x.add_argument("--ready", required=True)
    x.add_argument("--timeout", type=float, default=20.0)
    x = sub.add_parser("tcp-client")
    x.add_argument("addr")
    x.add_argument("port", type=int)
    x.add_argument("--bytes", type=int, default=1 << 20)
    x.add_argument("--timeout", type=float, default=10.0)
    a = p.parse_args()
    return {"arp": cmd_arp, "send": cmd_send, "na": cmd_na, "sniff": cmd_sniff, "tap": cmd_tap,
            "pcap": cmd_pcap, "tcp-server": cmd_tcp_server,
            "tcp-client": cmd_tcp_client}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
