#!/bin/bash
# fwd.sh - forwarding rate, workload to workload on another host: vtepd
# against the kernel's bridge + VXLAN and against a plain routed veth.
#
#   bench/fwd.sh [--quick] [--seconds S] [--runs K] [--routes N] OUT.jsonl
#   (FWD_SYSTEMS="routed bridge_vxlan vtepd vtepd6 vtepd_tc vtepd_xdp vtepd_routes"
#    picks systems; FWD_UPLINK=auto|xdp|tc is vtep.uplink_attach of vtepd and
#    vtepd_routes, default auto: vtepd's own default)
#
# The topology and the three systems are bench/topo.sh's (namespaces
# $BN_PFX-*, bn-* by default). bench/gen sends 64-byte UDP frames (60 bytes
# + FCS) from w1's eth0 at line rate; w2's eth0 drops them at TC ingress (bench/sink.bpf.c) and its receive
# counter says how many made it. Each system is built from scratch:
#   routed        h1 and h2 route w2's /32 over the link (ip_forward)
#   bridge_vxlan  a Linux bridge with the port and a VXLAN device (VNI 100,
#                 static fdb entries, no learning) on each host
#   vtepd         vtepd on each host, a static route for the other workload,
#                 uplink_attach FWD_UPLINK (auto: vtepd picks the mode)
#   vtepd6        vtepd as above, the frames IPv6/UDP (62 bytes, the
#                 smallest IPv6 UDP frame) between the workloads' IPv6
#                 addresses (static /128 routes): IPv4 and IPv6 encapsulation
#                 and decapsulation in the same rounds
#   vtepd_routes  the same with --routes N extra remote routes loaded on h1
#   vtepd_tc      vtepd with uplink_attach "tc", whatever FWD_UPLINK says
#   vtepd_xdp     vtepd with uplink_attach "xdp", whatever FWD_UPLINK says
#   *_b           any vtepd system with the vtepd binary FWD_VTEPD_B instead
#                 (another build: old and new datapath in the same rounds)
# Every vtepd record carries uplink_attach (what was configured), uplink_mode
# (what the vtepd on both hosts chose, from `vtepctl -j status`: tc, xdp,
# xdp-generic, or mixed), uplink_reason (h2's reason: h2 decapsulates) and
# uplinks (each host's answer); the kernel systems have them null. A system
# configured "xdp" where the XDP uplink cannot run (`vtepd --probe -j`:
# .xdp_program is not "loaded"; vtepd would refuse to start) is not run: it
# writes one record {kind, system, skipped: REASON} and a SKIP line.
# The path runs on one CPU (0). With live frames (the generator's default
# where the kernel allows them) everything runs there (-C 0): the test runs
# schedule the veth NAPI of the receiving port on that CPU, and the whole
# path follows, so the received rate is the rate one CPU forwards at (the
# generator's own cost is a small, equal share for every system). Where the
# kernel refuses live frames, the generator sends through AF_XDP
# (bench/xsk_tx.h), which costs its CPU an skb per frame: it then runs on
# CPU 1 (FWD_GEN_CPU), into a veth pair gx0/gx1 in w1 whose gx1 end
# redirects each frame in XDP out of w1's eth0 (gen --relay), and p1's NAPI
# runs in a thread bound to CPU 0 (bn_napi_pin). p1 then receives
# xdp_frames exactly as from live frames, the socket's skbs are freed on
# CPU 1, and CPU 0 does the whole path and nothing else of ours. Each record
# names the generator mode. bpf_stats stay off here, so
# vtepd pays no accounting the kernel paths do not.
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
FWD_UPLINK=${FWD_UPLINK:-auto}
case $FWD_UPLINK in auto|xdp|tc) ;; *) echo "$0: FWD_UPLINK must be auto, xdp or tc" >&2; exit 2 ;; esac
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
	bn_xdp_pass "$TH1" p1 && bn_tc "$TW2" eth0 sink || return 1
	[ "$FWD_GEN" = live ] && return 0
	bn_veth "$TW1" gx0 "$TW1" gx1 && bn_napi_pin "$TH1" p1 0
}

# stats_were_on ID STATS_BEFORE STATS_AFTER: did the sink program's
# run_time_ns grow? Run-time statistics are global (kernel/bpf: the
# bpf_stats_enabled_key static key, on while the sysctl is 1 or any process
# holds a BPF_ENABLE_STATS fd, as bench/gen --stats does), and each program
# run then reads sched_clock() twice (kvm pvclock on the development VM, where
# progcost's empty TC program measures 45-53 ns a run): vtepd pays that for
# its two programs on top of the XDP_PASS and sink programs every system runs.
# There, 6 alternating rounds with and without statistics moved the path CPU
# time per packet by about +110 ns for both vtepd_tc and routed (run-to-run
# spread +-100 ns): small, but such runs are not the runs fwd.sh means.
# base_topo() sets the sysctl to 0; another process's fd still wins.
stats_were_on() {
	jq -nr --arg id "$1" --argjson a "$2" --argjson b "$3" \
		'(($b[$id].run_time_ns // 0) - ($a[$id].run_time_ns // 0)) > 0'
}

# The uplink_attach a system configures vtepd with; empty for the kernel ones.
sys_attach() {
	case $1 in
	vtepd_tc*) echo tc ;;
	vtepd_xdp*) echo xdp ;;
	vtepd*) echo "$FWD_UPLINK" ;;
	esac
}

# The vtepd binary a system runs.
sys_vtepd() {
	if [[ $1 == vtepd*_b ]]; then
		echo "${FWD_VTEPD_B:?"$1 needs FWD_VTEPD_B (a vtepd binary)"}"
	else
		echo "$BN_BUILD/vtepd"
	fi
}

# run_system NAME ROUTES RUN: builds the system, warms it up, measures one
# run, tears it down. Rounds alternate the systems, so the noise of a busy
# machine falls on all of them alike.
run_system() {
	local sys=$1 n=$2 i=$3 r0 r1 g c0='{}' c1='{}' alive=null attach t0 t1 sink s0 s1 stats_on load
	attach=$(sys_attach "$sys")
	BN_VTEPD=$(sys_vtepd "$sys")
	TOPO_UPLINKS=null
	TOPO_UPLINK_MODE=
	bn_log "fwd: $sys${attach:+ (uplink_attach $attach)} (run $i)"
	base_topo || bn_die "topology for $sys"
	case $sys in
	routed) topo_routed ;;
	bridge_vxlan) topo_bridge ;;
	vtepd*) topo_vtepd "$n" "$attach" ;;
	esac || bn_die "setup $sys"
	local relay=() ip6=()
	[ "$FWD_GEN" = xsk ] && relay=(--relay gx0:gx1)
	# vtepd6: the same frames with an IPv6 header (gen builds the checksum).
	[[ $sys == vtepd6* ]] && ip6=(--sip6 "$W1_IP6" --dip6 "$W2_IP6")
	local G=(ip netns exec "$TW1" "$BN_GEN" -i eth0 -C "$FWD_GEN_CPU" -j --mode "$FWD_GEN"
		 "${relay[@]}" --smac "$W1_MAC" --dmac "$DMAC"
		 --sip "$W1_IP" --dip "$W2_IP" "${ip6[@]}")
	# Warm up (caches, neighbour entries).
	"${G[@]}" -n 10000 >/dev/null || bn_die "gen"
	[[ $sys == vtepd* ]] && c0=$(jq -nc --argjson a "$(bn_counters "$BN_RUN/h1")" \
		--argjson b "$(bn_counters "$BN_RUN/h2")" '{h1: $a, h2: $b}')
	sink=$(bn_prog_id "$TW2" eth0 tc)
	s0=$(bn_prog_stats "$sink")
	r0=$(bn_rx_packets "$TW2" eth0)
	t0=$(bn_path_cpu_ns)
	g=$("${G[@]}" "${GEN_LEN[@]}") || bn_die "gen"
	t1=$(bn_path_cpu_ns)
	load=$(bn_loadavg)
	r1=$(bn_rx_packets "$TW2" eth0)
	s1=$(bn_prog_stats "$sink")
	stats_on=$(stats_were_on "$sink" "$s0" "$s1")
	[ "$stats_on" = true ] && bn_log "warning: BPF run-time statistics were on during this run" \
		"(kernel.bpf_stats_enabled or another process's BPF_ENABLE_STATS): vtepd's" \
		"two programs paid for them on top of the bench's own, which every system runs"
	if [[ $sys == vtepd* ]]; then
		alive=$(bn_vtepd_alive && echo true || echo false)
		c1=$(jq -nc --argjson a "$(bn_counters "$BN_RUN/h1")" \
			--argjson b "$(bn_counters "$BN_RUN/h2")" '{h1: $a, h2: $b}')
	fi
	emit "$(jq -nc --arg sys "$sys" --argjson n "$n" --argjson run "$i" \
		--argjson gen "$g" --argjson rx $((r1 - r0)) --argjson c0 "$c0" --argjson c1 "$c1" \
		--argjson alive "$alive" --arg attach "$attach" --argjson cpu $((t1 - t0)) \
		--arg vtepd "$([[ $sys == vtepd* ]] && sha256sum "$BN_VTEPD" | cut -c1-12)" \
		--argjson stats_on "$stats_on" --argjson uplinks "$TOPO_UPLINKS" \
		--arg mode "$TOPO_UPLINK_MODE" --argjson load "$load" '
		def delta($h; $k): (($c1[$h][$k] // 0) - ($c0[$h][$k] // 0));
		{kind: "fwd", system: $sys, routes: $n, run: $run,
		 vtepd_sha256: (if $vtepd == "" then null else $vtepd end),
		 uplink_attach: (if $attach == "" then null else $attach end),
		 uplink_mode: (if $mode == "" then null else $mode end),
		 uplink_reason: (if $uplinks == null then null else ($uplinks.h2.reason // null) end),
		 uplinks: $uplinks, loadavg_1m: $load,
		 frames_sent: $gen.frames,
		 seconds: $gen.seconds, gen_pps: $gen.pps, gen_mode: ($gen.mode // "live"), received: $rx,
		 rx_pps: ($rx / $gen.seconds | round), vtepd_running: $alive,
		 path_cpu_ns_per_pkt: (if $gen.mode == "xsk" and $rx > 0 then ($cpu / $rx | round) else null end),
		 bpf_stats_on: $stats_on,
		 counters: (if $c1 == {} then null else
			{h1_fwd_encap: delta("h1"; "fwd_encap"),
			 h2_decap_deliver: delta("h2"; "decap_deliver")} end)}')"
	tail -n1 "$RESULTS" | jq -r '"bench: fwd \(.system)" +
		(if .uplink_mode then " (uplink \(.uplink_mode))" else "" end) + " run \(.run): \(.rx_pps) pps" +
		" received (generator \(.gen_pps | round) pps" +
		(if .path_cpu_ns_per_pkt then ", path CPU \(.path_cpu_ns_per_pkt) ns/pkt" else "" end) + ")"' >&2
	bn_cleanup
}

[ -x "$BN_GEN" ] || bn_die "bench tools missing (make bench-tools)"
FWD_GEN=${FWD_GEN:-$(bn_gen_mode)} || bn_die "gen --probe"
if [ "$FWD_GEN" = xsk ]; then FWD_GEN_CPU=${FWD_GEN_CPU:-1}; else FWD_GEN_CPU=${FWD_GEN_CPU:-0}; fi
bn_log "fwd: generator $FWD_GEN on CPU $FWD_GEN_CPU, path on CPU 0"
# Even rounds run the systems in reverse order (A B, B A, ...): on a shared
# machine whose load drifts during the runs, a fixed order would hand the
# later systems of every round the same bias.
read -r -a WANT <<<"${FWD_SYSTEMS:-routed bridge_vxlan vtepd vtepd6 vtepd_tc vtepd_xdp vtepd_routes}"
# A system configured "xdp" where this kernel cannot run the XDP uplink
# (vtepd would refuse to start): one record saying why, instead of its runs.
SYSTEMS=()
for s in "${WANT[@]}"; do
	why=
	[ "$(sys_attach "$s")" = xdp ] && why=$(bn_xdp_refusal "$(sys_vtepd "$s")")
	if [ -n "$why" ]; then
		emit "$(jq -nc --arg sys "$s" --arg why "$why" '{kind: "fwd", system: $sys, skipped: $why}')"
		echo "SKIP bench-fwd-$s: $why" >&2
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
		case $s in
		vtepd_routes*) run_system "$s" "$nroutes" "$run" ;;
		*) run_system "$s" 0 "$run" ;;
		esac
	done
done
exit 0
