#!/bin/bash
# fwd.sh - forwarding rate, workload to workload on another host: vtepd
# against the kernel's bridge + VXLAN and against a plain routed veth.
#
#   bench/fwd.sh [--quick] [--seconds S] [--runs K] [--routes N] OUT.jsonl
#   (FWD_SYSTEMS="routed bridge_vxlan vtepd vtepd_routes" picks systems)
#
# Two simulated hosts (bn-h1, bn-h2) joined by a veth "fabric" link (u1-u2),
# a workload on each (bn-w1 behind port p1 on h1, bn-w2 behind p2 on h2).
# bench/gen sends 64-byte UDP frames (60 bytes + FCS) from w1's eth0 at line
# rate; w2's eth0 drops them at TC ingress (bench/sink.bpf.c) and its receive
# counter says how many made it. Each system is built from scratch:
#   routed        h1 and h2 route w2's /32 over the link (ip_forward)
#   bridge_vxlan  a Linux bridge with the port and a VXLAN device (VNI 100,
#                 static fdb entries, no learning) on each host
#   vtepd         vtepd on each host, a static route for the other workload
#   vtepd_routes  the same with --routes N extra remote routes loaded on h1
# Everything runs on one CPU (-C 0): the generator's test runs schedule the
# veth NAPI of the receiving port there, and the whole path follows, so the
# received rate is the rate one CPU forwards at (the generator's own cost is
# a small, equal share for every system). bpf_stats stay off here, so vtepd
# pays no accounting the kernel paths do not.
#
# Writes one JSON object per run and system to OUT.jsonl. Never pass/fail.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)

quick=0
seconds=5
runs=5
nroutes=1000000
while [ $# -gt 1 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--seconds) seconds=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--routes) nroutes=$2; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 1 ]; then
	echo "usage: $0 [--quick] [--seconds S] [--runs K] [--routes N] OUT.jsonl" >&2
	exit 2
fi
RESULTS=$1
OUT=$(dirname "$RESULTS")
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
if [ $quick = 1 ]; then
	GEN_LEN=(-n 200000)
	runs=1
	[ "$nroutes" -gt 1000 ] && nroutes=1000
else
	GEN_LEN=(-d "$seconds")
fi

trap bn_cleanup EXIT
trap 'exit 130' INT TERM
bn_cleanup

emit() { echo "$1" >> "$RESULTS"; }

# The part every system shares: namespaces, veths, the underlay link.
base_topo() {
	local ns
	bn_stats_set 0
	for ns in bn-h1 bn-h2 bn-w1 bn-w2; do bn_ns_add "$ns" || return 1; done
	bn_veth bn-h1 p1 bn-w1 eth0 "" "$W1_MAC" &&
	bn_veth bn-h2 p2 bn-w2 eth0 "" "$W2_MAC" &&
	bn_veth bn-h1 u1 bn-h2 u2 "$U1_MAC" "$U2_MAC" || return 1
	ip -n bn-w1 addr add "$W1_IP/8" dev eth0
	ip -n bn-w2 addr add "$W2_IP/8" dev eth0
	ip -n bn-h1 addr add "$VTEP1/32" dev lo
	ip -n bn-h2 addr add "$VTEP2/32" dev lo
	ip -n bn-h1 addr add "$U1_IP/30" dev u1
	ip -n bn-h2 addr add "$U2_IP/30" dev u2
	ip -n bn-h1 route add "$VTEP2/32" via "$U2_IP" dev u1
	ip -n bn-h2 route add "$VTEP1/32" via "$U1_IP" dev u2
	ip -n bn-h1 neigh replace "$U2_IP" lladdr "$U2_MAC" dev u1 nud permanent
	ip -n bn-h2 neigh replace "$U1_IP" lladdr "$U1_MAC" dev u2 nud permanent
	# The generator's frames need NAPI on the receiving port (see
	# progcost.sh's napi_check); the sink ends the path in w2.
	bn_xdp_pass bn-h1 p1 && bn_tc bn-w2 eth0 sink
}

setup_routed() {
	local h
	for h in bn-h1 bn-h2; do bn_in $h sysctl -qw net.ipv4.conf.all.forwarding=1; done
	ip -n bn-h1 route add "$W2_IP/32" via "$U2_IP" dev u1 &&
	ip -n bn-h1 route add "$W1_IP/32" dev p1 &&
	ip -n bn-h2 route add "$W2_IP/32" dev p2 &&
	ip -n bn-h2 neigh replace "$W2_IP" lladdr "$W2_MAC" dev p2 nud permanent || return 1
	DMAC=$(bn_ifmac bn-h1 p1)
}

setup_bridge() {
	local h vtep port other
	for h in 1 2; do
		if [ $h = 1 ]; then vtep=$VTEP1; port=p1; other=$VTEP2
		else vtep=$VTEP2; port=p2; other=$VTEP1; fi
		ip -n bn-h$h link add br0 type bridge &&
		ip -n bn-h$h link add vx0 type vxlan id "$VNI" local "$vtep" dstport 4789 nolearning &&
		ip -n bn-h$h link set vx0 master br0 &&
		ip -n bn-h$h link set $port master br0 &&
		ip -n bn-h$h link set vx0 up && ip -n bn-h$h link set br0 up || return 1
		# Static entries both ways, as an EVPN-fed bridge would have.
		bridge -n bn-h$h fdb replace "$W2_MAC" dev vx0 dst "$other" self permanent
		bridge -n bn-h$h fdb replace "$W1_MAC" dev vx0 dst "$other" self permanent
	done
	bridge -n bn-h1 fdb replace "$W2_MAC" dev vx0 master static &&
	bridge -n bn-h1 fdb replace "$W1_MAC" dev p1 master static &&
	bridge -n bn-h2 fdb replace "$W2_MAC" dev p2 master static &&
	bridge -n bn-h2 fdb replace "$W1_MAC" dev vx0 master static || return 1
	DMAC=$W2_MAC
}

setup_vtepd() {
	local n=$1 h
	# bpf_fib_lookup for encapsulation runs in input mode on the port
	# (bpf/encap.h): the host must forward IPv4.
	for h in bn-h1 bn-h2; do bn_in $h sysctl -qw net.ipv4.conf.all.forwarding=1; done
	bn_bpffs h1 && bn_bpffs h2 || return 1
	bn_vtepd_cfg h1 "$VTEP1" u1 xdp \
		"$(jq -nc --arg a "$W1_IP" --argjson v "$VNI" '[{ifname: "p1", vni: $v, ip: $a, mac: "auto"}]')" \
		"$(jq -nc --arg p "$W2_IP/32" --arg t "$VTEP2" --arg m "$W2_MAC" --argjson v "$VNI" \
			'[{vni: $v, prefix: $p, vtep: $t, mac: $m}]')" > "$BN_RUN/h1.json"
	bn_vtepd_cfg h2 "$VTEP2" u2 xdp \
		"$(jq -nc --arg a "$W2_IP" --argjson v "$VNI" '[{ifname: "p2", vni: $v, ip: $a, mac: "auto"}]')" \
		"$(jq -nc --arg p "$W1_IP/32" --arg t "$VTEP1" --arg m "$W1_MAC" --argjson v "$VNI" \
			'[{vni: $v, prefix: $p, vtep: $t, mac: $m}]')" > "$BN_RUN/h2.json"
	bn_vtepd_start h1 "$BN_RUN/h1.json"
	bn_vtepd_start h2 "$BN_RUN/h2.json"
	bn_wait_tc bn-h1 p1
	bn_wait_tc bn-h2 p2
	if [ "$n" -gt 0 ]; then
		"$BN_FILL" -b "$BN_RUN/h1" -n "$n" add >&2 || return 1
	fi
	DMAC=$GW_MAC
}

# run_system NAME ROUTES RUN: builds the system, warms it up, measures one
# run, tears it down. Rounds alternate the systems, so the noise of a busy
# machine falls on all of them alike.
run_system() {
	local sys=$1 n=$2 i=$3 r0 r1 g c0='{}' c1='{}' alive=null
	bn_log "fwd: $sys (run $i)"
	base_topo || bn_die "topology for $sys"
	case $sys in
	routed) setup_routed ;;
	bridge_vxlan) setup_bridge ;;
	vtepd*) setup_vtepd "$n" ;;
	esac || bn_die "setup $sys"
	local G=(ip netns exec bn-w1 "$BN_GEN" -i eth0 -C 0 -j --smac "$W1_MAC" --dmac "$DMAC"
		 --sip "$W1_IP" --dip "$W2_IP")
	# Warm up (caches, neighbour entries).
	"${G[@]}" -n 10000 >/dev/null || bn_die "gen"
	[[ $sys == vtepd* ]] && c0=$(jq -nc --argjson a "$(bn_counters "$BN_RUN/h1")" \
		--argjson b "$(bn_counters "$BN_RUN/h2")" '{h1: $a, h2: $b}')
	r0=$(bn_rx_packets bn-w2 eth0)
	g=$("${G[@]}" "${GEN_LEN[@]}") || bn_die "gen"
	r1=$(bn_rx_packets bn-w2 eth0)
	if [[ $sys == vtepd* ]]; then
		alive=$(bn_vtepd_alive && echo true || echo false)
		c1=$(jq -nc --argjson a "$(bn_counters "$BN_RUN/h1")" \
			--argjson b "$(bn_counters "$BN_RUN/h2")" '{h1: $a, h2: $b}')
	fi
	emit "$(jq -nc --arg sys "$sys" --argjson n "$n" --argjson run "$i" \
		--argjson gen "$g" --argjson rx $((r1 - r0)) --argjson c0 "$c0" --argjson c1 "$c1" \
		--argjson alive "$alive" '
		def delta($h; $k): (($c1[$h][$k] // 0) - ($c0[$h][$k] // 0));
		{kind: "fwd", system: $sys, routes: $n, run: $run, frames_sent: $gen.frames,
		 seconds: $gen.seconds, gen_pps: $gen.pps, received: $rx,
		 rx_pps: ($rx / $gen.seconds | round), vtepd_running: $alive,
		 counters: (if $c1 == {} then null else
			{h1_fwd_encap: delta("h1"; "fwd_encap"),
			 h2_decap_deliver: delta("h2"; "decap_deliver")} end)}')"
	tail -n1 "$RESULTS" | jq -r '"bench: fwd \(.system) run \(.run): \(.rx_pps) pps" +
		" received (generator \(.gen_pps | round) pps)"' >&2
	bn_cleanup
}

[ -x "$BN_GEN" ] || bn_die "bench tools missing (make bench-tools)"
for ((run = 1; run <= runs; run++)); do
	for s in ${FWD_SYSTEMS:-routed bridge_vxlan vtepd vtepd_routes}; do
		case $s in
		vtepd_routes) run_system "$s" "$nroutes" "$run" ;;
		*) run_system "$s" 0 "$run" ;;
		esac
	done
done
exit 0
