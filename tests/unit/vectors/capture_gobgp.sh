#!/bin/bash
# capture_gobgp.sh - regenerate the GoBGP golden vectors (gobgp_session.hex
# and gobgp_vectors.h beside this script). Not part of the test suite: the
# captured bytes are committed, tests only decode them.
#
# In a namespace of its own (bc-vec), gobgpd (AS 65002, router id 192.0.2.2)
# peers over loopback with capture_peer.py (AS 65001), which completes the
# OPEN exchange for L2VPN EVPN so gobgpd sends its RIB: type-2 routes
# (IPv4, MAC-only, IPv6 with an ESI, two labels, router's MAC, default
# gateway), type-3 with a PMSI tunnel, type-5 IPv4 and IPv6, plus type-1 and
# type-4 routes that vtepd must skip. Then one route is withdrawn
# (MP_UNREACH_NLRI) and the neighbor is shut down with a reason (NOTIFICATION
# Cease/Administrative Shutdown, RFC 9003). tcpdump records the TCP stream on
# lo; pcap_to_hex.py splits it into BGP messages.
# Cleans up by recorded pid and namespace name. Run as root.
set -eu
cd "$(dirname "$0")"
NS=bc-vec
work=$(mktemp -d /tmp/bc-vec.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	ip netns del "$NS" 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds or time runs out.
wait_for() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		[ $SECONDS -lt $end ] || { echo "capture: timed out waiting for: $*" >&2; return 1; }
		sleep 0.1
	done
}

ip netns add "$NS"
ip -n "$NS" link set lo up
ip -n "$NS" addr add 127.0.0.2/8 dev lo
cat > "$work/gobgpd.toml" <<'CONF'
[global.config]
  as = 65002
  router-id = "192.0.2.2"
  port = -1
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = 65001
  [neighbors.transport.config]
    local-address = "127.0.0.2"
  [neighbors.timers.config]
    connect-retry = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
CONF
ip netns exec "$NS" gobgpd -f "$work/gobgpd.toml" > "$work/gobgpd.log" 2>&1 &
pids+=($!)
G() { ip netns exec "$NS" gobgp "$@"; }
wait_for 10 G global >/dev/null 2>&1

E="global rib -a evpn add"
G $E macadv 02:00:00:00:00:21 10.1.0.21 etag 0 label 100 rd 192.0.2.2:100 rt 65001:100 encap vxlan nexthop 192.0.2.2
G $E macadv 02:00:00:00:00:22 0.0.0.0 etag 0 label 100 rd 192.0.2.2:100 rt 65001:100 encap vxlan nexthop 192.0.2.2
G $E macadv 02:00:00:00:00:23 2001:db8::23 esi ARBITRARY 11:22:33:44:55:66:77:88:99 etag 0 label 100,5000 rd 192.0.2.2:100 rt 192.0.2.2:100 4200000000:100 encap vxlan router-mac 02:00:00:00:aa:bb nexthop 192.0.2.2
G $E macadv 02:00:00:00:00:24 10.1.0.24 etag 0 label 100 rd 192.0.2.2:100 rt 192.0.2.2:100 default-gateway encap vxlan nexthop 192.0.2.2
G $E multicast 192.0.2.2 etag 0 rd 192.0.2.2:100 rt 65001:100 encap vxlan pmsi ingress-repl 100 192.0.2.2 nexthop 192.0.2.2
G $E prefix 10.1.0.0/24 gw 0.0.0.0 etag 0 label 100 rd 192.0.2.2:100 rt 65001:100 encap vxlan router-mac 02:00:00:00:aa:bb nexthop 192.0.2.2
G $E prefix 2001:db8:1::/64 gw 2001:db8::1 etag 0 label 200 rd 192.0.2.2:200 rt 65001:200 encap vxlan nexthop 192.0.2.2
G $E a-d esi ARBITRARY 11:22:33:44:55:66:77:88:99 etag 0 label 100 rd 192.0.2.2:100 rt 65001:100 encap vxlan nexthop 192.0.2.2
G $E esi 192.0.2.2 esi ARBITRARY 11:22:33:44:55:66:77:88:99 rd 192.0.2.2:100 rt 65001:100 nexthop 192.0.2.2
n_routes=9

ip netns exec "$NS" tcpdump -i lo -U -s 0 -w "$work/cap.pcap" 'tcp port 179' > "$work/tcpdump.log" 2>&1 &
pids+=($!)
wait_for 10 grep -q 'listening on' "$work/tcpdump.log"
ip netns exec "$NS" python3 ./capture_peer.py 127.0.0.1 60 > "$work/peer.out" 2>&1 &
pids+=($!)
# has_updates N: the peer has received at least N UPDATE messages.
has_updates() { [ "$(grep -c '^HEX 2 ' "$work/peer.out")" -ge "$1" ]; }
wait_for 30 has_updates $n_routes
G global rib -a evpn del macadv 02:00:00:00:00:21 10.1.0.21 etag 0 label 100 rd 192.0.2.2:100
wait_for 10 has_updates $((n_routes + 1))
# "shutdown" (deprecated for "disable", which drops the reason) sends the
# RFC 9003 shutdown communication.
G neighbor 127.0.0.1 shutdown --reason "maintenance window" 2>/dev/null
wait_for 10 grep -q '^DONE' "$work/peer.out"
# tcpdump writes asynchronously: wait until the NOTIFICATION is in the file.
split() { python3 ./pcap_to_hex.py "$work/cap.pcap" > "$work/msgs.txt" && grep -q '^127.0.0.2:[0-9]*>127.0.0.1:179 3 ' "$work/msgs.txt"; }
wait_for 10 split

python3 - "$work/msgs.txt" <<'PY'
import struct, sys

def describe(m):
    t = m[18]
    if t != 2:
        return {1: "OPEN", 3: "NOTIFICATION", 4: "KEEPALIVE", 5: "ROUTE-REFRESH"}.get(t, "?")
    body = m[19:]
    wl = struct.unpack("!H", body[:2])[0]
    al = struct.unpack("!H", body[2 + wl:4 + wl])[0]
    a = body[4 + wl:4 + wl + al]
    while a:
        fl, ty = a[0], a[1]
        ln, h = (struct.unpack("!H", a[2:4])[0], 4) if fl & 0x10 else (a[2], 3)
        v = a[h:h + ln]
        if ty in (14, 15):
            nh = v[4 + v[3] + 1:] if ty == 14 else v[3:]
            return "UPDATE %s EVPN route type %d" % ("MP_REACH" if ty == 14 else "MP_UNREACH", nh[0])
        a = a[h + ln:]
    return "UPDATE"

out = ["# GoBGP 3.x golden vectors, captured by capture_gobgp.sh (do not edit).",
       "# One BGP message per line: DIRECTION TYPE HEX  # what it is",
       "# gobgp = sent by gobgpd (AS 65002), peer = sent by capture_peer.py (AS 65001)."]
hdr = ["/* gobgp_vectors.h - generated by capture_gobgp.sh from gobgp_session.hex; do not edit. */",
       "#ifndef GOBGP_VECTORS_H", "#define GOBGP_VECTORS_H", "",
       "struct gobgp_vector { const char *dir; int type; const char *what; const char *hex; };", "",
       "static const struct gobgp_vector gobgp_vectors[] = {"]
for line in open(sys.argv[1]):
    key, t, hx = line.split()
    d = "gobgp" if key.startswith("127.0.0.2:") else "peer"
    what = describe(bytes.fromhex(hx))
    out.append("%s %s %s  # %s" % (d, t, hx, what))
    chunks = [hx[i:i + 64] for i in range(0, len(hx), 64)]
    hdr.append('\t{ "%s", %s, "%s",' % (d, t, what))
    hdr += ['\t  "%s"' % c for c in chunks[:-1]]
    hdr.append('\t  "%s" },' % chunks[-1])
hdr += ["};", "", "#endif", ""]
open("gobgp_session.hex", "w").write("\n".join(out) + "\n")
open("gobgp_vectors.h", "w").write("\n".join(hdr))
PY
echo "capture: wrote $(grep -vc '^#' gobgp_session.hex) messages to gobgp_session.hex and gobgp_vectors.h"
python3 ../../fuzz/make_corpus.py
