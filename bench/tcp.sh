#!/bin/bash
# tcp.sh - TCP throughput workload to workload across hosts, through the
# tunnel: vtepd against the kernel's bridge + VXLAN and a plain routed veth.
#
#   bench/tcp.sh [--quick] [--seconds S] [--runs K] [--streams P] OUT.jsonl
#   (TCP_SYSTEMS="routed bridge_vxlan vtepd vtepd_tc vtepd_xdp" picks systems)
#
# The topology and the systems are bench/topo.sh's, in namespaces bn2-*
# (BN_PFX), with the underlay link at MTU 1600 so 1500-octet workload packets
# fit after the 50 octets of VXLAN on every system (a fabric's jumbo MTU;
# vtepd would otherwise answer ICMP fragmentation-needed and the bridge
# would drop). The workloads' ARP entries for each other are static (the
# MAC each system forwards on), so no system's first packets wait on ARP.
# iperf3 in w2 serves, iperf3 in w1 sends P streams for S seconds (the first
# second omitted: slow start); the rate is what the receiver got. Each system
# is built from scratch for each run, and even rounds run the systems in
# reverse order (a load that drifts during the runs does not always fall on
# the same system). vtepd runs in each uplink mode: `vtepd` with
# vtep.uplink_attach "auto" (the default; on these veth uplinks vtepd picks
# tc), `vtepd_tc` with "tc", `vtepd_xdp` with "xdp": an XDP program on the
# receiving veth makes the sending end segment GSO packets before they cross
# (veth_xdp_set() clears NETIF_F_GSO_SOFTWARE on the peer), a TC one does
# not. vtepd records carry uplink_attach (configured), uplink_mode and
# uplink_reason (what vtepd chose, `vtepctl -j status`). Where the XDP
# uplink cannot run (`vtepd --probe -j`: .xdp_program is not "loaded"), a
# system configured "xdp" writes one record {kind, system, skipped: REASON}
# and a SKIP line instead of its runs. Never pass/fail.
#
# Jumbo variants (not in the default list): a system name with the suffix
# _jumbo (vtepd_jumbo, vtepd_tc_jumbo, vtepd_xdp_jumbo, bridge_vxlan_jumbo,
# routed_jumbo)
# runs on a 9000-octet underlay with 8950-octet workload links, the MTU a
# fabric usually has; native XDP on a veth takes that only with a
# multi-buffer program (bpf/uplink_xdp.bpf.c). Each record says its MTUs.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)

quick=0
seconds=5
runs=5
streams=4
while [ $# -gt 1 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--seconds) seconds=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--streams) streams=$2; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 1 ]; then
	echo "usage: $0 [--quick] [--seconds S] [--runs K] [--streams P] OUT.jsonl" >&2
	exit 2
fi
RESULTS=$1
OUT=$(dirname "$RESULTS")
export BN_PFX=${BN_PFX:-bn2} BN_RUN=${BN_RUN:-/run/vtepd-bench2}
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
# shellcheck source=bench/topo.sh
. "$ROOT/bench/topo.sh"
TOPO_UNDERLAY_MTU=1600
if [ $quick = 1 ]; then
	runs=1
	seconds=1
	streams=2
fi
command -v iperf3 >/dev/null || bn_die "iperf3 missing (make deps)"

IPERF_PID=
tcp_cleanup() {
	if [ -n "$IPERF_PID" ]; then
		kill "$IPERF_PID" 2>/dev/null
		wait "$IPERF_PID" 2>/dev/null
		IPERF_PID=
	fi
	bn_cleanup
}
trap tcp_cleanup EXIT
trap 'exit 130' INT TERM
tcp_cleanup

emit() { echo "$1" >> "$RESULTS"; }

# The uplink_attach a system configures vtepd with; empty for the kernel ones.
sys_attach() {
	case ${1%_jumbo} in
	vtepd_tc) echo tc ;;
	vtepd_xdp) echo xdp ;;
	vtepd) echo auto ;;
	esac
}

run_system() {
	local sys=$1 i=$2 j log=$OUT/iperf3-$1.json base=${1%_jumbo} umtu=1600 wmtu=1500 h attach load
	attach=$(sys_attach "$sys")
	TOPO_UPLINKS=null
	TOPO_UPLINK_MODE=
	bn_log "tcp: $sys${attach:+ (uplink_attach $attach)} (run $i)"
	bn_stats_set 0
	if [ "$base" != "$sys" ]; then
		umtu=9000
		wmtu=8950
	fi
	TOPO_UNDERLAY_MTU=$umtu
	topo_base || bn_die "topology for $sys"
	if [ $wmtu != 1500 ] && ! { ip -n "$TW1" link set eth0 mtu $wmtu &&
		ip -n "$TH1" link set p1 mtu $wmtu && ip -n "$TW2" link set eth0 mtu $wmtu &&
		ip -n "$TH2" link set p2 mtu $wmtu; }; then
		bn_die "workload MTU $wmtu for $sys"
	fi
	case $base in
	routed) topo_routed ;;
	bridge_vxlan) topo_bridge ;;
	vtepd|vtepd_tc|vtepd_xdp) topo_vtepd 0 "$attach" ;;
	*) bn_die "unknown TCP system $sys" ;;
	esac || bn_die "setup $sys"
	if [ "$base" = bridge_vxlan ] && [ $wmtu != 1500 ]; then
		for h in "$TH1" "$TH2"; do ip -n "$h" link set vx0 mtu $wmtu || bn_die "vx0 MTU"; done
	fi
	ip -n "$TW1" neigh replace "$W2_IP" lladdr "$DMAC" dev eth0 nud permanent
	ip -n "$TW2" neigh replace "$W1_IP" lladdr "$DMAC2" dev eth0 nud permanent
	# One server for one test; its pid recorded (nsenter execs iperf3).
	nsenter --net=/run/netns/"$TW2" iperf3 -s -1 -B "$W2_IP" -p 5201 \
		>"$OUT/iperf3-server.log" 2>&1 &
	IPERF_PID=$!
	for ((j = 0; j < 50; j++)); do
		bn_in "$TW2" ss -Hltn 'sport = :5201' | grep -q . && break
		sleep 0.1
	done
	load=$(bn_loadavg)
	if ! bn_in "$TW1" iperf3 -c "$W2_IP" -p 5201 -P "$streams" -t "$((seconds + 1))" -O 1 \
		-J >"$log" 2>&1; then
		bn_log "tcp: iperf3 failed for $sys: $(jq -r '.error // empty' "$log" 2>/dev/null)"
	fi
	# The server (-1) ends with the client's test; one the client never
	# reached would wait forever: 10 s, then it is stopped.
	for ((j = 0; j < 100; j++)); do
		kill -0 "$IPERF_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$IPERF_PID" 2>/dev/null
	wait "$IPERF_PID" 2>/dev/null
	IPERF_PID=
	local up=(--arg attach "$attach" --arg mode "$TOPO_UPLINK_MODE" --argjson uplinks "$TOPO_UPLINKS"
		  --argjson load "$(bn_loadavg)" --argjson load0 "$load")
	# jq text, spliced into both programs below.
	# shellcheck disable=SC2016
	local upj='uplink_attach: (if $attach == "" then null else $attach end),
		 uplink_mode: (if $mode == "" then null else $mode end),
		 uplink_reason: (if $uplinks == null then null else ($uplinks.h2.reason // null) end),
		 uplinks: $uplinks, loadavg_1m: ([$load0, $load] | add / 2 * 100 | round / 100)'
	emit "$(jq -c --arg sys "$sys" --argjson run "$i" --argjson p "$streams" \
		--argjson umtu $umtu --argjson wmtu $wmtu "${up[@]}" '
		{kind: "tcp", system: $sys, run: $run, streams: $p,
		 underlay_mtu: $umtu, workload_mtu: $wmtu, '"$upj"',
		 seconds: (.end.sum_received.seconds // 0),
		 gbps: (((.end.sum_received.bits_per_second // 0) / 1e9 * 1000 | round) / 1000),
		 retransmits: (.end.sum_sent.retransmits // null),
		 bytes: (.end.sum_received.bytes // 0),
		 error: (.error // null)}' "$log" 2>/dev/null ||
		jq -nc --arg sys "$sys" --argjson run "$i" --argjson p "$streams" \
			--argjson umtu $umtu --argjson wmtu $wmtu "${up[@]}" \
			'{kind: "tcp", system: $sys, run: $run, streams: $p,
			  underlay_mtu: $umtu, workload_mtu: $wmtu, '"$upj"', gbps: 0, bytes: 0,
			  error: "iperf3 gave no JSON"}')"
	tail -n1 "$RESULTS" | jq -r '"bench: tcp \(.system)" +
		(if .uplink_mode then " (uplink \(.uplink_mode))" else "" end) +
		" run \(.run): \(.gbps) Gbit/s," +
		" \(.retransmits) retransmits"' >&2
	tcp_cleanup
}

read -r -a WANT <<<"${TCP_SYSTEMS:-routed bridge_vxlan vtepd vtepd_tc vtepd_xdp}"
# A system configured "xdp" where this kernel cannot run the XDP uplink
# (vtepd would refuse to start): one record saying why, instead of its runs.
SYSTEMS=()
for s in "${WANT[@]}"; do
	why=
	[ "$(sys_attach "$s")" = xdp ] && why=$(bn_xdp_refusal "$BN_VTEPD")
	if [ -n "$why" ]; then
		emit "$(jq -nc --arg sys "$s" --arg why "$why" '{kind: "tcp", system: $sys, skipped: $why}')"
		echo "SKIP bench-tcp-$s: $why" >&2
	else
		SYSTEMS+=("$s")
	fi
done
for ((run = 1; run <= runs; run++)); do
	order=("${SYSTEMS[@]}")
	if ((run % 2 == 0)); then
		for ((k = 0; k < ${#SYSTEMS[@]}; k++)); do order[k]=${SYSTEMS[${#SYSTEMS[@]} - 1 - k]}; done
	fi
	for s in "${order[@]}"; do
		run_system "$s" "$run"
	done
done
exit 0
