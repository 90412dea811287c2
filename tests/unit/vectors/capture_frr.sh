#!/bin/bash
# capture_frr.sh - regenerate the FRR golden vectors (frr_session.hex and
# frr_vectors.h beside this script). Not part of the test suite: the
# captured bytes are committed, tests/unit/test_frr_vectors.c only decodes
# them, so FRR is not needed to run it.
#
# FRR 8.4 (zebra + bgpd, AS 65002, router id and VTEP 192.0.2.2) runs as an
# EVPN leaf in namespace xi-frr: bridge br100 with VXLAN device vx100 (VNI
# 100, `advertise-all-vni`, RD 192.0.2.2:100, RT 65002:100) and an SVI
# (10.1.0.250/24); host xi-host (02:00:00:00:01:21, 10.1.0.21)
# sits behind the bridge. frr_peer.py (AS 65001) in xi-peer is its eBGP
# neighbor over a veth and records what FRR sends, in this order:
#   1. OPEN, then type-3 (PMSI tunnel) and End-of-RIB;
#   2. the host talks to the SVI: type-2 MAC only, then MAC+IP (one label);
#   3. the default VRF gets L3VNI 4000 (`advertise ipv4 unicast`, connected routes):
#      type-5 10.1.0.0/24 with the router's MAC, type-2 MAC+IP again with
#      two labels (L2 and L3 VNI);
#   4. the peer advertises the host's MAC from its own VTEP with MAC Mobility
#      sequence 5: FRR withdraws its routes (MP_UNREACH) and (eBGP, no
#      sender-side loop check) sends the peer's route back with AS_PATH
#      65002 65001; the host talks again and FRR takes the MAC back with
#      sequence 6 (RFC 7432 15), MAC only and MAC+IP;
#   5. the host leaves (port down, fdb entry gone): withdrawal;
#   6. the peer sends a malformed UPDATE: FRR's NOTIFICATION.
# tcpdump records the session on the peer's veth; pcap_to_hex.py splits it.
# Namespaces xi-*, FRR config and state under /etc/frr/xi-frr and
# /var/run/frr/xi-frr; everything is removed by name or recorded pid.
# Run as root. KEEP=1 keeps the work directory (logs, pcap).
set -eu
cd "$(dirname "$0")"
here=$PWD
NF=xi-frr NH=xi-host NP=xi-peer
FRR_DIR=/usr/lib/frr
CONF=/etc/frr/$NF RUN=/var/run/frr/$NF
HOST_MAC=02:00:00:00:01:21
work=$(mktemp -d /tmp/xi-vec.XXXXXX)
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

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds or time runs out.
wait_for() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do
		[ $SECONDS -lt $end ] || { echo "capture: timed out waiting for: $*" >&2; return 1; }
		sleep 0.1
	done
}
F() { ip netns exec $NF "$@"; }
vty() { vtysh -N $NF "$@"; }
# has TAG [N]: the peer has received N messages tagged TAG (frr_peer.py describe()).
has() { python3 ./frr_peer.py has "$work/peer.out" "$@"; }
# need SECONDS TAG [N]: has, within SECONDS, or show what FRR holds and fail.
need() { local t=$1; shift; wait_for "$t" has "$@" || { diag; exit 1; }; }
# send NAME HEX: the peer sends HEX (whole messages) once.
send() { echo "$2" >"$work/cmd/$1.tmp" && mv "$work/cmd/$1.tmp" "$work/cmd/$1.hex"; }
# frr_local: FRR holds the host's IP as a local neighbour on VNI 100.
frr_local() {
	local j
	j=$(vty -c "show evpn arp-cache vni 100 ip 10.1.0.21 json" 2>/dev/null)
	# (jq -e succeeds on empty input: vtysh prints nothing for an unknown IP.)
	[ -n "$j" ] && jq -e '.type == "local"' >/dev/null <<<"$j"
}
# host_talks: the host pings the SVI until FRR holds its MAC and IP as local.
host_talks() {
	local end=$((SECONDS + 20))
	until frr_local; do
		[ $SECONDS -lt $end ] || { echo "capture: FRR did not learn the host" >&2; return 1; }
		ip netns exec $NH ping -n -q -c 1 -W 1 10.1.0.250 >/dev/null 2>&1 || true
		sleep 0.2
	done
}

# diag: what FRR holds, for a step that did not happen.
diag() {
	local c
	for c in "show evpn mac vni 100" "show evpn arp-cache vni 100" "show bgp l2vpn evpn" \
		"show evpn vni detail" "show bgp l2vpn evpn summary"; do
		echo "== $c" >&2; vty -c "$c" >&2 || true
	done
	# HOLD=SECONDS: leave the namespaces up that long for a look.
	sleep "${HOLD:-0}"
}

# What a killed run left: its FRR daemons (by their pid files), namespaces.
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

# FRR <-> peer: 198.51.100.2/30 <-> .1; FRR's VTEP address on lo.
ip -n $NF addr add 192.0.2.2/32 dev lo
ip -n $NF link add peer0 type veth peer name eth0 netns $NP
ip -n $NF addr add 198.51.100.2/30 dev peer0
ip -n $NP addr add 198.51.100.1/30 dev eth0
ip -n $NF link set peer0 up
ip -n $NP link set eth0 up
# The host behind the bridge.
ip -n $NF link add w1 type veth peer name eth0 netns $NH
ip -n $NH link set eth0 address $HOST_MAC
ip -n $NH addr add 10.1.0.21/24 dev eth0
ip -n $NH link set eth0 up
# L2 VNI 100: bridge + VXLAN (no learning: FRR programs remote MACs) + SVI.
# (The default VRF: this kernel has no VRF device support, so the L3 VNI of
# step 3 is the default VRF's.)
ip -n $NF link add br100 type bridge
ip -n $NF link set br100 address 02:00:00:00:02:fe
ip -n $NF link add vx100 type vxlan id 100 local 192.0.2.2 dstport 4789 nolearning
ip -n $NF link set vx100 master br100
ip -n $NF link set w1 master br100
ip -n $NF link set dev vx100 type bridge_slave neigh_suppress on learning off
ip -n $NF addr add 10.1.0.250/24 dev br100
for l in vx100 w1 br100; do ip -n $NF link set $l up; done

ip netns exec $NP tcpdump -i eth0 -U -s 0 -w "$work/cap.pcap" 'tcp port 179' >"$work/tcpdump.log" 2>&1 &
pids+=($!)
wait_for 10 grep -qs 'listening on' "$work/tcpdump.log"
ip netns exec $NP python3 "$here/frr_peer.py" listen 198.51.100.1 120 "$work/cmd" >"$work/peer.out" 2>&1 &
pids+=($!)
wait_for 10 sh -c "ip netns exec $NP ss -Hltn 'sport = :179' | grep -q 179"

mkdir -p "$CONF" "$RUN"
cat >"$CONF/bgpd.conf" <<'EOF'
frr version 8.4
frr defaults datacenter
hostname xi-frr
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
echo "hostname xi-frr" >"$CONF/zebra.conf"
: >"$CONF/vtysh.conf"
chown -R frr:frr "$CONF" "$RUN"
for d in zebra bgpd; do
	F "$FRR_DIR/$d" -d -N $NF -f "$CONF/$d.conf" -i "$RUN/$d.pid" \
		--log "file:$RUN/$d.log" --log-level debug
	wait_for 10 test -s "$RUN/$d.pid"
	frr_pids+=("$(cat "$RUN/$d.pid")")
	[ $d = zebra ] && wait_for 10 test -S "$RUN/zserv.api"
done

# 1. Session, type-3, End-of-RIB.
need 30 open
need 30 t3
need 30 eor
# 2. The host: type-2 MAC only, MAC+IP.
host_talks
need 20 t2mac
need 20 t2ip
# 3. L3 VNI 4000 for the default VRF (zebra first, so vx4000 is never taken
# for an L2 VNI), advertise-ipv4-unicast of the connected routes.
vty -c "configure terminal" -c "vni 4000"
ip -n $NF link add br4000 type bridge
ip -n $NF link set br4000 address 02:00:00:00:40:00
ip -n $NF link add vx4000 type vxlan id 4000 local 192.0.2.2 dstport 4789 nolearning
ip -n $NF link set vx4000 master br4000
ip -n $NF link set dev vx4000 type bridge_slave learning off
for l in vx4000 br4000; do ip -n $NF link set $l up; done
vty -c "configure terminal" -c "router bgp 65002" \
	-c "address-family ipv4 unicast" -c "redistribute connected" -c "exit-address-family" \
	-c "address-family l2vpn evpn" -c "rd 192.0.2.2:4000" \
	-c "route-target import 65001:4000" -c "route-target export 65002:4000" \
	-c "advertise ipv4 unicast" -c "exit-address-family"
need 30 t5
need 20 t2ip 2
# 4. MAC mobility: the peer claims the host's MAC with sequence 5, FRR
# withdraws (and sends the peer's route back to it); the host talks again
# and FRR advertises it with sequence 6.
send 10 "$(python3 ./frr_peer.py macip $HOST_MAC 5)"
need 20 unreach2mac
# The remote MAC is in the bridge now; the host's next frame moves it back.
end=$((SECONDS + 20))
until has mm; do
	[ $SECONDS -lt $end ] || { echo "capture: no MAC Mobility from FRR" >&2; diag; exit 1; }
	ip netns exec $NH ping -n -q -c 1 -W 1 10.1.0.250 >/dev/null 2>&1 || true
	sleep 0.2
done
# FRR withdrew the MAC+IP route with the MAC; a new neighbour entry for
# the host brings it back, with the MAC's sequence number.
ip -n $NF neigh flush dev br100
end=$((SECONDS + 15))
until has t2ipmm; do
	[ $SECONDS -lt $end ] || { echo "capture: no MAC+IP with MAC Mobility" >&2; diag; exit 1; }
	ip netns exec $NH ping -n -q -c 1 -W 1 10.1.0.250 >/dev/null 2>&1 || true
	sleep 0.2
done
# 5. The host leaves: FRR withdraws its type-2 routes.
ip -n $NF link set w1 down
ip netns exec $NF bridge fdb del $HOST_MAC dev w1 master 2>/dev/null || true
need 20 unreach2mac 2
need 10 unreach2ip 2
# 6. A malformed UPDATE: FRR's NOTIFICATION closes the session.
send 20 "$(python3 ./frr_peer.py malformed)"
wait_for 10 grep -q '^DONE' "$work/peer.out"
# tcpdump writes asynchronously: wait until FRR's NOTIFICATION is in the file.
split() { python3 ./pcap_to_hex.py "$work/cap.pcap" >"$work/msgs.txt" && grep -q '^198.51.100.2:[0-9]*>198.51.100.1:179 3 ' "$work/msgs.txt"; }
wait_for 10 split
vty -c "show bgp l2vpn evpn" >"$work/frr-rib.txt" 2>&1 || true

python3 - "$work/msgs.txt" <<'PY'
import sys
sys.path.insert(0, ".")
from frr_peer import what

out = ["# FRR 8.4 golden vectors, captured by capture_frr.sh (do not edit).",
       "# One BGP message per line: DIRECTION TYPE HEX  # what it is",
       "# frr = sent by FRR bgpd (AS 65002), peer = sent by frr_peer.py (AS 65001)."]
hdr = ["/* frr_vectors.h - generated by capture_frr.sh from frr_session.hex; do not edit. */",
       "#ifndef FRR_VECTORS_H", "#define FRR_VECTORS_H", "",
       "struct frr_vector { const char *dir; int type; const char *what; const char *hex; };", "",
       "static const struct frr_vector frr_vectors[] = {"]
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
open("frr_session.hex", "w").write("\n".join(out) + "\n")
open("frr_vectors.h", "w").write("\n".join(hdr))
PY
echo "capture: wrote $(grep -vc '^#' frr_session.hex) messages to frr_session.hex and frr_vectors.h"
