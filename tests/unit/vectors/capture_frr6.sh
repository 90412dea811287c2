#!/bin/bash
# capture_frr6.sh - regenerate the FRR IPv6 golden vectors (frr6_session.hex
# and frr6_vectors.h beside this script). Not part of the test suite: the
# captured bytes are committed, tests/unit/test_vectors6.c only decodes
# them, so FRR is not needed to run it.
#
# capture_frr.sh's leaf made dual-stack: FRR 8.4 (zebra + bgpd, AS 65002,
# router id and VTEP 192.0.2.2) in namespace xi6-frr, bridge br100 with
# VXLAN device vx100 (VNI 100, `advertise-all-vni`, RD 192.0.2.2:100, RT
# 65002:100) and an IPv6 SVI (2001:db8:100::250/64); host xi6-host
# (02:00:00:00:01:21, 2001:db8:100::21) behind the bridge. frr_peer.py
# (AS 65001) in xi6-peer is its eBGP neighbor and records, in this order:
#   1. OPEN, type-3 (PMSI tunnel), End-of-RIB;
#   2. the host talks to the SVI over IPv6: type-2 MAC only, then MAC+IPv6
#      (RFC 7432 7.2, IP Address Length 128);
#   3. the host becomes a router (forwarding on: its NAs carry R, RFC 4861
#      4.4): FRR sends MAC+IPv6 again with the ARP/ND extended community's
#      Router flag (RFC 9047, type 0x06 sub-type 0x08);
#   4. the default VRF gets L3VNI 4000 with `advertise ipv6 unicast` of the
#      connected routes: type-5 2001:db8:100::/64 (RFC 9136 3.1, 58 octets)
#      with the router's MAC (RFC 9135 8.1), MAC+IPv6 with two labels;
#   5. the host leaves: withdrawals (MP_UNREACH) of its type-2 routes;
#   6. the peer sends a malformed UPDATE: FRR's NOTIFICATION ends it.
# tcpdump records the session on the peer's veth; pcap_to_hex.py splits it.
# Namespaces xi6-*, FRR config and state under /etc/frr/xi6-frr and
# /var/run/frr/xi6-frr; everything is removed by name or recorded pid.
# Run as root. KEEP=1 keeps the work directory (logs, pcap).
set -eu
cd "$(dirname "$0")"
here=$PWD
NF=xi6-frr NH=xi6-host NP=xi6-peer
FRR_DIR=/usr/lib/frr
CONF=/etc/frr/$NF RUN=/var/run/frr/$NF
HOST_MAC=02:00:00:00:01:21
HOST6=2001:db8:100::21 SVI6=2001:db8:100::250
work=$(mktemp -d /tmp/xi6-vec.XXXXXX)
pids=()
frr_pids=()

cleanup() {
	local p
	for p in "${frr_pids[@]}"; do
		case "$(cat /proc/"$p"/comm 2>/dev/null)" in
		zebra|bgpd) kill "$p" 2>/dev/null || true;;
		esac
	done
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	for p in "${frr_pids[@]}"; do
		wait_for 5 sh -c "! kill -0 $p 2>/dev/null" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
	done
	cp "$RUN"/*.log "$work/" 2>/dev/null || true
	for n in $NF $NH $NP; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$CONF" "$RUN"
	if [ -n "${KEEP:-}" ]; then echo "capture: work directory $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

wait_for() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		[ $SECONDS -lt $end ] || { echo "capture: timed out waiting for: $*" >&2; return 1; }
		sleep 0.1
	done
}
F() { ip netns exec $NF "$@"; }
vty() { vtysh -N $NF "$@"; }
has() { python3 ./frr_peer.py has "$work/peer.out" "$@"; }
need() { local t=$1; shift; wait_for "$t" has "$@" || { diag; exit 1; }; }
send() { echo "$2" >"$work/cmd/$1.tmp" && mv "$work/cmd/$1.tmp" "$work/cmd/$1.hex"; }
# host_talks6 TAG [N]: the host pings the SVI over IPv6 until the peer has
# N messages tagged TAG.
host_talks6() {
	local end=$((SECONDS + 25))
	until has "$@"; do
		[ $SECONDS -lt $end ] || { echo "capture: no $* from FRR" >&2; diag; return 1; }
		ip netns exec $NH ping -6 -n -q -c 1 -W 1 $SVI6 >/dev/null 2>&1 || true
		sleep 0.2
	done
}
diag() {
	local c
	for c in "show evpn mac vni 100" "show evpn arp-cache vni 100" "show bgp l2vpn evpn" \
		"show evpn vni detail" "show bgp l2vpn evpn summary"; do
		echo "== $c" >&2; vty -c "$c" >&2 || true
	done
	ip -n $NF -6 neigh show dev br100 >&2 || true
	sleep "${HOLD:-0}"
}

for f in "$RUN"/zebra.pid "$RUN"/bgpd.pid; do
	[ -f "$f" ] || continue
	p=$(cat "$f")
	case "$(cat /proc/"$p"/comm 2>/dev/null)" in
	zebra|bgpd) kill -KILL "$p" 2>/dev/null || true;;
	esac
done
for n in $NF $NH $NP; do ip netns del "$n" 2>/dev/null || true; done
rm -rf "$CONF" "$RUN"
for n in $NF $NH $NP; do ip netns add "$n"; ip -n "$n" link set lo up; done
mkdir -p "$work/cmd"

ip -n $NF addr add 192.0.2.2/32 dev lo
ip -n $NF link add peer0 type veth peer name eth0 netns $NP
ip -n $NF addr add 198.51.100.2/30 dev peer0
ip -n $NP addr add 198.51.100.1/30 dev eth0
ip -n $NF link set peer0 up
ip -n $NP link set eth0 up
ip -n $NF link add w1 type veth peer name eth0 netns $NH
ip -n $NH link set eth0 address $HOST_MAC
ip -n $NH addr add $HOST6/64 dev eth0 nodad
ip -n $NH link set eth0 up
ip -n $NF link add br100 type bridge
ip -n $NF link set br100 address 02:00:00:00:02:fe
ip -n $NF link add vx100 type vxlan id 100 local 192.0.2.2 dstport 4789 nolearning
ip -n $NF link set vx100 master br100
ip -n $NF link set w1 master br100
ip -n $NF link set dev vx100 type bridge_slave neigh_suppress on learning off
ip -n $NF addr add $SVI6/64 dev br100 nodad
for l in vx100 w1 br100; do ip -n $NF link set $l up; done

ip netns exec $NP tcpdump -i eth0 -U -s 0 -w "$work/cap.pcap" 'tcp port 179' >"$work/tcpdump.log" 2>&1 &
pids+=($!)
wait_for 10 grep -qs 'listening on' "$work/tcpdump.log"
ip netns exec $NP python3 "$here/frr_peer.py" listen 198.51.100.1 150 "$work/cmd" >"$work/peer.out" 2>&1 &
pids+=($!)
wait_for 10 sh -c "ip netns exec $NP ss -Hltn 'sport = :179' | grep -q 179"

mkdir -p "$CONF" "$RUN"
cat >"$CONF/bgpd.conf" <<'EOF'
frr version 8.4
frr defaults datacenter
hostname xi6-frr
!
router bgp 65002
 bgp router-id 192.0.2.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 bgp graceful-restart
 neighbor 198.51.100.1 remote-as 65001
 neighbor 198.51.100.1 timers connect 1
 !
 address-family l2vpn evpn
  neighbor 198.51.100.1 activate
  advertise-all-vni
  vni 100
   rd 192.0.2.2:100
   route-target import 65001:100
   route-target export 65002:100
  exit-vni
 exit-address-family
exit
!
EOF
echo "hostname xi6-frr" >"$CONF/zebra.conf"
: >"$CONF/vtysh.conf"
chown -R frr:frr "$CONF" "$RUN"
for d in zebra bgpd; do
	F "$FRR_DIR/$d" -d -N $NF -f "$CONF/$d.conf" -i "$RUN/$d.pid" \
		--log "file:$RUN/$d.log" --log-level debug
	wait_for 10 test -s "$RUN/$d.pid"
	frr_pids+=("$(cat "$RUN/$d.pid")")
	[ $d = zebra ] && wait_for 10 test -S "$RUN/zserv.api"
done

# 1.
need 30 open
need 30 t3
need 30 eor
# 2. The host over IPv6: MAC only, then MAC+IPv6.
host_talks6 t2mac
host_talks6 t2ip6
# 3. The host a router: its NA carries R; a new neighbour entry on the SVI
# (flushed, learned again) gets NTF_ROUTER and FRR the Router flag.
ip netns exec $NH sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n $NF -6 neigh flush dev br100
host_talks6 ndr
# 4. L3 VNI 4000 for the default VRF, IPv6 unicast of the connected routes.
vty -c "configure terminal" -c "vni 4000"
ip -n $NF link add br4000 type bridge
ip -n $NF link set br4000 address 02:00:00:00:40:00
ip -n $NF link add vx4000 type vxlan id 4000 local 192.0.2.2 dstport 4789 nolearning
ip -n $NF link set vx4000 master br4000
ip -n $NF link set dev vx4000 type bridge_slave learning off
for l in vx4000 br4000; do ip -n $NF link set $l up; done
vty -c "configure terminal" -c "router bgp 65002" \
	-c "address-family ipv6 unicast" -c "redistribute connected" -c "exit-address-family" \
	-c "address-family l2vpn evpn" -c "rd 192.0.2.2:4000" \
	-c "route-target import 65001:4000" -c "route-target export 65002:4000" \
	-c "advertise ipv6 unicast" -c "exit-address-family"
need 30 t5v6
# 5. The host leaves.
ip -n $NF link set w1 down
ip netns exec $NF bridge fdb del $HOST_MAC dev w1 master 2>/dev/null || true
ip -n $NF -6 neigh flush dev br100
need 20 unreach2mac
need 20 unreach2ip6
# 6.
send 20 "$(python3 ./frr_peer.py malformed)"
wait_for 10 grep -q '^DONE' "$work/peer.out"
split() { python3 ./pcap_to_hex.py "$work/cap.pcap" >"$work/msgs.txt" && grep -q '^198.51.100.2:[0-9]*>198.51.100.1:179 3 ' "$work/msgs.txt"; }
wait_for 10 split
vty -c "show bgp l2vpn evpn" >"$work/frr-rib.txt" 2>&1 || true

python3 - "$work/msgs.txt" <<'PY'
import sys
sys.path.insert(0, ".")
from frr_peer import what

out = ["# FRR 8.4 IPv6 golden vectors, captured by capture_frr6.sh (do not edit).",
       "# One BGP message per line: DIRECTION TYPE HEX  # what it is",
       "# frr = sent by FRR bgpd (AS 65002), peer = sent by frr_peer.py (AS 65001)."]
hdr = ["/* frr6_vectors.h - generated by capture_frr6.sh from frr6_session.hex; do not edit. */",
       "#ifndef FRR6_VECTORS_H", "#define FRR6_VECTORS_H", "",
       "struct frr6_vector { const char *dir; int type; const char *what; const char *hex; };", "",
       "static const struct frr6_vector frr6_vectors[] = {"]
for line in open(sys.argv[1]):
    key, t, hx = line.split()
    d = "frr" if key.startswith("198.51.100.2:") else "peer"
    w = what(bytes.fromhex(hx))
    out.append("%s %s %s  # %s" % (d, t, hx, w))
    chunks = [hx[i:i + 64] for i in range(0, len(hx), 64)]
    hdr.append('\t{ "%s", %s, "%s",' % (d, t, w))
    hdr += ['\t  "%s"' % c for c in chunks[:-1]]
    hdr.append('\t  "%s" },' % chunks[-1])
hdr += ["};", "", "#endif", ""]
open("frr6_session.hex", "w").write("\n".join(out) + "\n")
open("frr6_vectors.h", "w").write("\n".join(hdr))
PY
echo "capture: wrote $(grep -vc '^#' frr6_session.hex) messages to frr6_session.hex and frr6_vectors.h"
python3 ../../fuzz/make_corpus6.py
