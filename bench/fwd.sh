#!/bin/bash
# fwd.sh - forwarding rate, workload to workload on another host: vtepd
# against the kernel's bridge + VXLAN and against a plain routed veth.
#
#   bench/fwd.sh [--quick] [--seconds S] [--runs K] [--routes N] OUT.jsonl
#   (FWD_SYSTEMS="routed bridge_vxlan vtepd vtepd_routes" picks systems)
#
# The topology and the three systems are bench/topo.sh's (namespaces
# $BN_PFX-*, bn-* by default). bench/gen sends 64-byte UDP frames (60 bytes
# + FCS) from w1's eth0 at line rate; w2's eth0 drops them at TC ingress (bench/sink.bpf.c) and its receive
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
# shellcheck source=bench/topo.sh
. "$ROOT/bench/topo.sh"
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

# The topology (bench/topo.sh) plus what the generated frames need: NAPI on
# the receiving port (see progcost.sh's napi_check) and the sink in w2.
base_topo() {
	bn_stats_set 0
	topo_base || return 1
	bn_xdp_pass "$TH1" p1 && bn_tc "$TW2" eth0 sink
}

# run_system NAME ROUTES RUN: builds the system, warms it up, measures one
# run, tears it down. Rounds alternate the systems, so the noise of a busy
# machine falls on all of them alike.
run_system() {
	local sys=$1 n=$2 i=$3 r0 r1 g c0='{}' c1='{}' alive=null
	bn_log "fwd: $sys (run $i)"
	base_topo || bn_die "topology for $sys"
	case $sys in
	routed) topo_routed ;;
	bridge_vxlan) topo_bridge ;;
	vtepd*) topo_vtepd "$n" ;;
	esac || bn_die "setup $sys"
	local G=(ip netns exec "$TW1" "$BN_GEN" -i eth0 -C 0 -j --smac "$W1_MAC" --dmac "$DMAC"
		 --sip "$W1_IP" --dip "$W2_IP")
	# Warm up (caches, neighbour entries).
	"${G[@]}" -n 10000 >/dev/null || bn_die "gen"
	[[ $sys == vtepd* ]] && c0=$(jq -nc --argjson a "$(bn_counters "$BN_RUN/h1")" \
		--argjson b "$(bn_counters "$BN_RUN/h2")" '{h1: $a, h2: $b}')
	r0=$(bn_rx_packets "$TW2" eth0)
	g=$("${G[@]}" "${GEN_LEN[@]}") || bn_die "gen"
	r1=$(bn_rx_packets "$TW2" eth0)
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
