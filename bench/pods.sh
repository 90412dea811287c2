#!/bin/bash
# pods.sh - `make bench` part "pods": what a Kubernetes node sees of vtepd.
#
#   bench/pods.sh [--quick] OUT.jsonl
#
#   setup latency  ADD to first packet: the CNI ADD of a pod (the plugin
#                  alone, as the runtime execs it, host-local IPAM), then a
#                  ping every 5 ms from a pod already running until the
#                  first answer; p50/p99 over 100 pods (10 with --quick):
#                    vtepd, probe on the other node (ADD, port, type-2 to the
#                    reflector and on to the other node, its map entry);
#                    vtepd, probe on the same node;
#                    Debian's bridge + host-local, probe on the same bridge
#                    (the same host: the plugin that needs no fabric)
#   concurrent     100 ADDs (10 with --quick) started at once, wall time
#                  until the last returned, for vtepd-cni and bridge; then as
#                  many DELs
#   ct cost        ns per packet of h1's uplink program (the kernel's
#                  run_time_ns / run_cnt, kernel.bpf_stats_enabled) while it
#                  decapsulates TCP ACKs for a pod in a VNI with outside
#                  "host": the conntrack lookup off (--test-features
#                  ct_lookup=0), on with no entry (pod to pod), on for a
#                  Service's DNATed flow (steered to the host link); the
#                  difference is the Service fix's cost
# The cluster is tests/net/k8s_lib.sh's (two vtepd nodes, an FRR reflector);
# names bn4-*, /run/vtepd-bench4. Times are recorded, never judged.
set -u
quick=0
[ "${1:-}" = --quick ] && { quick=1; shift; }
OUTF=${1:?usage: pods.sh [--quick] OUT.jsonl}
N=100; CONC=100
[ $quick = 1 ] && { N=10; CONC=10; }
export PFX=${BN_PFX:-bn4}- R=${BN_RUN:-/run/vtepd-bench4}
SCEN=pods
LOGDIR=$(cd "$(dirname "$0")/.." && pwd)/bench/out/pods-logs
. "$(dirname "$0")/../tests/net/k8s_lib.sh"
bgp_begin
record() { printf '%s\n' "$1" >>"$OUTF"; }

k8s_up
pod_add h2 probe2 || die "probe pod on h2"
pod_add h1 probe1 || die "probe pod on h1"
cni_node h1
VCONF=$(jq -c --arg s "$CNI_SOCK" '.plugins[0] + {cniVersion: "1.0.0", name: "bench"}
	| .ipam.ranges[0][0] += {rangeStart: "10.1.1.20", rangeEnd: "10.1.1.250"}' "$CNI_LIST")
H1NS=$(ns_of h1)

# The bridge system: a host namespace of its own with Debian's bridge plugin.
BRH=${PFX}brh
ns_add "$BRH"
BCONF=$(jq -nc --arg d "$R/br-ipam" '{cniVersion: "1.0.0", name: "benchbr", type: "bridge",
	bridge: "bncni0", isGateway: true, ipMasq: false,
	ipam: {type: "host-local", dataDir: $d, ranges: [[{subnet: "10.88.0.0/16"}]]}}')
mkdir -p "$R/br-ipam"

# plugin HOSTNS CMD CONF CID NETNS: one plugin exec as a runtime does it.
plugin() {
	local bin=$CNI_BIN/vtepd-cni
	[ "$(jq -r .type <<<"$3")" = bridge ] && bin=$CNI_SYS/bridge
	printf '%s' "$3" | nsenter --net="/run/netns/$1" -- env -i PATH="$PATH" CNI_COMMAND="$2" \
		CNI_CONTAINERID="$4" CNI_NETNS="$5" CNI_IFNAME=eth0 CNI_PATH="$CNI_BIN:$CNI_SYS" \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=bench;K8S_POD_NAME=$4" "$bin" 2>>"$LOG"
}
ms() { echo "$1 $2" | awk '{printf "%.2f", ($2 - $1) * 1000}'; }
pct() { sort -n | awk -v p="$1" '{a[NR] = $1} END {i = int((NR - 1) * p / 100) + 1; print a[i]}'; }

# latency SYSTEM HOSTNS CONF PROBE_NS: N pods, ADD then first ping answer.
latency() {
	local sys=$1 hns=$2 conf=$3 probe=$4 i ns out ip t0 t1 times=()
	for ((i = 0; i < N; i++)); do
		ns=${PFX}l$sys$i; ip netns add "$ns"; ip -n "$ns" link set lo up
		t0=$EPOCHREALTIME
		out=$(plugin "$hns" ADD "$conf" "l$sys$i" "/run/netns/$ns") || { echo "ADD failed: $out" >>"$LOG"; continue; }
		ip=$(jq -r '.ips[0].address | split("/")[0]' <<<"$out")
		nx "$probe" ping -n -q -c 1 -i 0.005 -w 10 "$ip" >/dev/null 2>&1 || { echo "no answer from $ip" >>"$LOG"; continue; }
		t1=$EPOCHREALTIME
		times+=("$(ms "$t0" "$t1")")
	done
	for ((i = 0; i < N; i++)); do
		plugin "$hns" DEL "$conf" "l$sys$i" "/run/netns/${PFX}l$sys$i" >/dev/null
		ip netns del "${PFX}l$sys$i" 2>/dev/null
	done
	local p50 p99
	p50=$(printf '%s\n' "${times[@]}" | pct 50); p99=$(printf '%s\n' "${times[@]}" | pct 99)
	record "$(jq -nc --arg s "$2" --arg sys "$sys" --argjson n "${#times[@]}" --arg p50 "$p50" --arg p99 "$p99" \
		'{kind: "pods_latency", system: $sys, pods: $n, p50_ms: ($p50 | tonumber), p99_ms: ($p99 | tonumber)}')"
	echo "pods: $sys: ADD to first packet p50 $p50 ms, p99 $p99 ms (${#times[@]} pods)" >&2
}

# concurrent SYSTEM HOSTNS CONF: CONC ADDs at once, then CONC DELs.
concurrent() {
	local sys=$1 hns=$2 conf=$3 i t0 t1 t2 ok=0 pids=()
	for ((i = 0; i < CONC; i++)); do ip netns add "${PFX}c$sys$i"; done
	t0=$EPOCHREALTIME
	for ((i = 0; i < CONC; i++)); do
		plugin "$hns" ADD "$conf" "c$sys$i" "/run/netns/${PFX}c$sys$i" >/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i" && ok=$((ok + 1)); done
	t1=$EPOCHREALTIME
	pids=()
	for ((i = 0; i < CONC; i++)); do
		plugin "$hns" DEL "$conf" "c$sys$i" "/run/netns/${PFX}c$sys$i" >/dev/null &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	t2=$EPOCHREALTIME
	for ((i = 0; i < CONC; i++)); do ip netns del "${PFX}c$sys$i"; done
	record "$(jq -nc --arg sys "$sys" --argjson n "$CONC" --argjson ok "$ok" \
		--arg add "$(ms "$t0" "$t1")" --arg del "$(ms "$t1" "$t2")" \
		'{kind: "pods_concurrent", system: $sys, adds: $n, ok: $ok, add_ms: ($add | tonumber), del_ms: ($del | tonumber)}')"
	echo "pods: $sys: $CONC concurrent ADDs in $(ms "$t0" "$t1") ms ($ok ok), DELs in $(ms "$t1" "$t2") ms" >&2
}

# The bridge host's probe pod.
ip netns add "${PFX}brprobe"; ip -n "${PFX}brprobe" link set lo up
plugin "$BRH" ADD "$BCONF" brprobe "/run/netns/${PFX}brprobe" >/dev/null || die "bridge probe pod"

latency vtepd-across "$H1NS" "$VCONF" "${PFX}probe2"
latency vtepd-local "$H1NS" "$VCONF" "${PFX}probe1"
latency bridge "$BRH" "$BCONF" "${PFX}brprobe"
concurrent vtepd "$H1NS" "$VCONF"
concurrent bridge "$BRH" "$BCONF"
plugin "$BRH" DEL "$BCONF" brprobe "/run/netns/${PFX}brprobe" >/dev/null
ip netns del "${PFX}brprobe"

# ---- the Service fix per packet: the kernel's own program statistics
# (kernel.bpf_stats_enabled, as progcost.sh) of h1's uplink program while
# a1 on h1 sends TCP (iperf3, 3 s) to ib on h2: h1 decapsulates ib's ACKs.
pod_add h1 a1 || die "a1"
pod_add h2 ib || die "ib"
A1=${POD_IP[a1]} IB=${POD_IP[ib]}
bg iperf-ib nx "${PFX}ib" iperf3 -s -p 5201
wait_until 10 nx "${PFX}ib" ss -ltn sport = :5201 || die "iperf3 in ib"
POD_PORT=5201
for h in h1 h2; do kp_load "$h" iptables-nft "$IB" "$IB" || die "kube-proxy rules on $h"; done
old_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1
uplink_prog() { nx "$H1NS" bpftool -j net show dev up0 | jq -r '.[0].tc[] | select(.name | startswith("vtep_uplink")) | .id' | head -n 1; }
prog_stat() { bpftool -j prog show id "$1" | jq -r '"\(.run_time_ns // 0) \(.run_cnt // 0)"'; }
# ct_run CASE DST PORT: ns per packet of h1's uplink program over the run.
ct_run() {
	local id s0 s1 t0 c0 t1 c1 ns
	id=$(uplink_prog)
	s0=$(prog_stat "$id")
	nx "${PFX}a1" iperf3 -c "$2" -p "$3" -t 3 -J >"$LOGDIR/iperf-$3.json" 2>&1
	s1=$(prog_stat "$id")
	read -r t0 c0 <<<"$s0"; read -r t1 c1 <<<"$s1"
	ns=$(awk -v a="$t0" -v b="$t1" -v c="$c0" -v d="$c1" 'BEGIN {printf "%.1f", (d > c ? (b - a) / (d - c) : 0)}')
	echo "pods: ct cost: $1: $ns ns per packet ($((c1 - c0)) packets)" >&2
	record "$(jq -nc --arg c "$1" --arg ns "$ns" --argjson p "$((c1 - c0))" \
		'{kind: "pods_ctcost", case: $c, ns: ($ns | tonumber), packets: $p}')"
}
ct_run "ct lookup on, pod to pod (no conntrack entry)" "$IB" 5201
ct_run "ct lookup on, pod to ClusterIP (DNATed replies steered to the host link)" "$SVC_IP" 80
args=$VTEPD_ARGS
vtepd_stop h1
VTEPD_ARGS="$args --test-features"
VTEPD_TEST_FEATURES=ct_lookup=0 vtepd_start h1
VTEPD_ARGS=$args
ct_run "ct lookup off (--test-features ct_lookup=0), pod to pod" "$IB" 5201
sysctl -qw kernel.bpf_stats_enabled="$old_stats"
vtepd_stop h1
vtepd_start h1
for h in h1 h2; do kp_flush "$h" iptables-nft; done
for p in a1 ib probe1 probe2; do pod_del "$p" >/dev/null 2>&1; done
