#!/bin/bash
# progcost.sh - what each verdict path of vtepd's datapath costs, in ns per
# packet, with 1k, 100k and 1M remote routes loaded.
#
#   bench/progcost.sh [--quick] [--routes "1000 100000 1000000"]
#                     [--seconds S] [--uplink auto|xdp|tc] [--paths "floor port uplink"]
#                     [--working-sets "1000 10000 100000 1000000"] OUT.jsonl
#
# --uplink is vtep.uplink_attach (default auto, vtepd's own default). The
# uplink paths are named by the mode vtepd actually runs (`vtepctl -j
# status`): decap, uplink_pass, ... for XDP (the XDP half plus the TC half),
# decap_tc, uplink_pass_tc, ... for TC, so both modes can share one report
# (auto on this topology's veth uplink runs TC: *_tc). Every record carries
# uplink_attach (configured) and uplink_mode (running). --uplink xdp where
# the XDP uplink cannot run (`vtepd --probe -j`: .xdp_program is not
# "loaded") writes one record {kind: "progcost", uplink_attach: "xdp",
# skipped: REASON} and a SKIP line, and exits 0.
# PC_ONLY="encap floor_tc" measures only the paths named (A/B runs of one
# path); BN_PFX / BN_RUN name the namespaces and the state directory
# (bench/lib.sh), so several runs can share a machine.
#
# One simulated host (namespace $BN_PFX-h1, bn-h1 by default) runs vtepd with
# two workload ports (-w1, -w2), a third workload (-wf) on a port that runs
# only the empty TC program bench/floor.bpf.c, and an uplink to a fabric
# namespace (-fab). The floor group also puts the encapsulation floors of
# floor.bpf.c on that port for a run each (paths encap_floor and
# encap_floor_noadj: what any TC VXLAN encapsulation costs here, with and
# without bpf_skb_adjust_room; compare with encap).
# bench/gen sends a crafted frame at line rate from a workload's eth0 (port
# paths) or from the fabric (uplink paths); bench/fill loads the routes.
#
# Timing is the kernel's own (kernel.bpf_stats_enabled=1: run_time_ns and
# run_cnt of each program, read with bpftool before and after a run); ns per
# packet = the programs' time delta / the packets that entered the path. The
# generator also holds the statistics on itself (gen --stats), so another
# benchmark that resets the global sysctl meanwhile cannot blank a run.
# Each run also reads the datapath counters, so a row whose frames did not
# take the intended verdict is marked (verdict_ok false) instead of reported
# as that path's cost. Nothing here passes or fails on a time.
#
# The working-set table (with the port paths, at the largest route count):
# encapsulation and ARP reply with W active destinations out of the routes
# loaded, for each W of --working-sets, the destinations either sent in turn
# (uniform: every one as often) or drawn Zipf-distributed (gen --zipf 1: rank
# k in proportion to 1/k, a few hot destinations and a long tail); records
# {kind: "progcost", path: "encap_ws" / "arp_reply_ws", working_set: W,
# dist}. Beside each W, the machine's own latency of one dependent random
# load in a table of W route-map elements (bench/memlat, 96-byte entries,
# with 4 KiB and 2 MiB pages, on the CPU the path runs on): {kind: "memlat"}.
# A miss of the route lookup at that working set costs about that much.
#
# Writes one JSON object per line to OUT.jsonl (bench/run.sh builds the
# report from them).
# The path groups are called indirectly ("${p}_paths").
# shellcheck disable=SC2317
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)

quick=0
routes=
seconds=2
uplink=auto
paths="floor port uplink"
wsets=
while [ $# -gt 1 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--routes) routes=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--uplink) uplink=$2; shift 2 ;;
	--paths) paths=$2; shift 2 ;;
	--working-sets) wsets=$2; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 1 ]; then
	echo "usage: $0 [--quick] [--routes LIST] [--seconds S] [--uplink auto|xdp|tc]" \
		"[--paths LIST] OUT.jsonl" >&2
	exit 2
fi
case $uplink in auto|xdp|tc) ;; *) echo "$0: --uplink must be auto, xdp or tc" >&2; exit 2 ;; esac
RESULTS=$1
OUT=$(dirname "$RESULTS")
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
NS_H1=$BN_PFX-h1; NS_W1=$BN_PFX-w1; NS_W2=$BN_PFX-w2; NS_WF=$BN_PFX-wf; NS_FAB=$BN_PFX-fab
if [ $quick = 1 ]; then
	routes=${routes:-1000}
	wsets=${wsets:-100 1000}
	GEN_LEN=(-n 20000)
else
	routes=${routes:-1000 100000 1000000}
	wsets=${wsets:-1000 10000 100000 1000000}
	GEN_LEN=(-d "$seconds")
fi

trap bn_cleanup EXIT
trap 'exit 130' INT TERM
bn_cleanup

emit() { echo "$1" >> "$RESULTS"; }

# ---- topology --------------------------------------------------------------
topo() {
	local ns
	for ns in "$NS_H1" "$NS_W1" "$NS_W2" "$NS_WF" "$NS_FAB"; do bn_ns_add "$ns" || return 1; done
	bn_veth "$NS_H1" p1 "$NS_W1" eth0 "" "$W1_MAC" &&
	bn_veth "$NS_H1" p2 "$NS_W2" eth0 "" "$W2_MAC" &&
	bn_veth "$NS_H1" pf "$NS_WF" eth0 "" "$WF_MAC" &&
	bn_veth "$NS_H1" u1 "$NS_FAB" u0 "$U1_MAC" "$U2_MAC" || return 1
	ip -n "$NS_W1" addr add "$W1_IP/8" dev eth0
	ip -n "$NS_W2" addr add "$W2_IP/8" dev eth0
	ip -n "$NS_WF" addr add "$WF_IP/8" dev eth0
	ip -n "$NS_H1" addr add "$VTEP1/32" dev lo
	ip -n "$NS_H1" addr add "$U1_IP/30" dev u1
	# Encapsulation's bpf_fib_lookup runs in input mode on the port
	# (bpf/encap.h), which the kernel refuses while the port does not
	# forward (BPF_FIB_LKUP_RET_FWD_DISABLED).
	bn_in "$NS_H1" sysctl -qw net.ipv4.conf.all.forwarding=1
	# With no route at all the kernel's lookup answers as for a local
	# address and vtepd passes the packet to the host (bpf/route.h); a real
	# host has a default route, this one an unreachable one.
	ip -n "$NS_H1" route add unreachable default metric 4294967295
	ip -n "$NS_FAB" addr add "$U2_IP/30" dev u0
	ip -n "$NS_FAB" addr add "$VTEP2/32" dev lo
	# Every remote VTEP (192.0.2.0/24) sits behind the fabric; static
	# neighbours, because the sinks below drop ARP too.
	ip -n "$NS_H1" route add 192.0.2.0/24 via "$U2_IP" dev u1
	ip -n "$NS_H1" neigh replace "$U2_IP" lladdr "$U2_MAC" dev u1 nud permanent
	ip -n "$NS_FAB" route add "$VTEP1/32" via "$U1_IP" dev u0
	ip -n "$NS_FAB" neigh replace "$U1_IP" lladdr "$U1_MAC" dev u0 nud permanent
}

# Does a frame XDP-redirected into a veth arrive without an XDP program on
# the receiving end? (DESIGN.md says no; record what this kernel does.)
napi_check() {
	local n=2000 before a b
	before=$(bn_rx_packets "$NS_H1" pf)
	ip netns exec "$NS_WF" "$BN_GEN" -i eth0 -n $n -C 0 --smac "$WF_MAC" --dmac "$GW_MAC" \
		--sip "$WF_IP" --dip "$W2_IP" >/dev/null || return 1
	a=$(( $(bn_rx_packets "$NS_H1" pf) - before ))
	bn_xdp_pass "$NS_H1" pf || return 1
	before=$(bn_rx_packets "$NS_H1" pf)
	ip netns exec "$NS_WF" "$BN_GEN" -i eth0 -n $n -C 0 --smac "$WF_MAC" --dmac "$GW_MAC" \
		--sip "$WF_IP" --dip "$W2_IP" >/dev/null || return 1
	b=$(( $(bn_rx_packets "$NS_H1" pf) - before ))
	emit "$(jq -nc --argjson n $n --argjson a "$a" --argjson b "$b" \
		'{kind: "napi_check", sent: $n, received_without_xdp: $a, received_with_xdp_pass: $b,
		  xdp_pass_needed: ($a < $n and $b >= $a)}')"
	bn_log "napi check: $a of $n frames arrived without XDP on the receiving veth end," \
		"$b with XDP_PASS"
}

# ---- one measurement -------------------------------------------------------
# measure NAME ROUTES EXPECT NS IFACE "IDS" GEN_ARGS...
# IDS: the programs on the path, the first one being where packets enter.
measure() {
	local name=$1 nroutes=$2 expect=$3 ns=$4 ifc=$5 ids=$6; shift 6
	local p0 p1 c0 c1 g
	# PC_ONLY="encap floor_tc" measures just the named paths.
	[ -n "${PC_ONLY:-}" ] && [[ " $PC_ONLY " != *" $name "* ]] && return 0
	# shellcheck disable=SC2086
	p0=$(bn_prog_stats $ids) && c0=$(bn_counters "$BN_RUN/h1") ||
		{ bn_log "reading stats failed for $name"; return 1; }
	g=$(ip netns exec "$ns" "$BN_GEN" -i "$ifc" -C 0 -j --stats "${GEN_LEN[@]}" "$@") ||
		{ bn_log "gen failed for $name"; return 1; }
	# shellcheck disable=SC2086
	p1=$(bn_prog_stats $ids) && c1=$(bn_counters "$BN_RUN/h1") ||
		{ bn_log "reading stats failed for $name"; return 1; }
	emit "$(jq -nc --arg name "$name" --argjson routes "$nroutes" --arg expect "$expect" \
		--argjson ws "${WS:-null}" --arg dist "${WS_DIST:-}" --arg rc "${RC:-}" --arg rt "${RT:-}" \
		--arg ids "$ids" --argjson p0 "$p0" --argjson p1 "$p1" --argjson c0 "$c0" \
		--argjson c1 "$c1" --argjson gen "$g" --arg uplink "$uplink" --arg mode "$UP_MODE" \
		--arg why "$UP_REASON" '
		($ids | split(" ") | map(select(. != ""))) as $ids |
		[ $ids[] | {id: tonumber, name: $p1[.].name,
			runs: ($p1[.].run_cnt - $p0[.].run_cnt),
			ns: ($p1[.].run_time_ns - $p0[.].run_time_ns)} |
		  .ns_per_run = (if .runs > 0 then (.ns / .runs * 10 | round / 10) else null end) ]
		as $progs |
		($progs[0].runs) as $pkts |
		([$c1 | to_entries[] | {key, value: (.value - ($c0[.key] // 0))} | select(.value != 0)]
		 | from_entries) as $cnt |
		{kind: "progcost", path: $name, routes: $routes, uplink_attach: $uplink, uplink_mode: $mode,
		 uplink_reason: $why} +
		(if $ws == null then {} else {working_set: $ws, dist: $dist} end) +
		(if $rc == "" then {} else {route_cache: $rc} end) +
		(if $rt == "" then {} else {route_table: $rt} end) + {
		 frames_sent: $gen.frames, gen_pps: $gen.pps, seconds: $gen.seconds,
		 packets: $pkts, programs: $progs,
		 ns_per_pkt: (if $pkts > 0 then (([$progs[].ns] | add) / $pkts * 10 | round / 10)
			      else null end),
		 expect: (if $expect == "" then null else $expect end),
		 counters: $cnt,
		 verdict_ok: (if $expect == "" then null
			      else (($cnt[$expect] // 0) >= 0.95 * $pkts and $pkts > 0) end)}')"
	tail -n1 "$RESULTS" | jq -r '"bench: \(.path) routes=\(.routes)" +
		(if .working_set then " ws=\(.working_set) \(.dist)" else "" end) + ": \(.ns_per_pkt) ns/pkt" +
		" over \(.packets) pkts" +
		(if .verdict_ok == false then " (VERDICT MISMATCH: \(.counters))" else "" end)' >&2
}

# ---- the paths ---------------------------------------------------------------
# port NAME COUNTER [GEN OPTIONS]: a frame from w1 into its port. The default
# frame (w1's MAC and IP, UDP to w2 through the gateway MAC) comes first on
# gen's command line, so the options given override it.
port() {
	local name=$1 expect=$2; shift 2
	measure "$name" "$R" "$expect" "$NS_W1" eth0 "$ID_PORT" \
		--smac "$W1_MAC" --sip "$W1_IP" --dmac "$GW_MAC" --dip "$W2_IP" "$@"
}

# uplink NAME COUNTER [GEN OPTIONS]: VXLAN from the fabric into the uplink,
# by default VTEP2 -> VTEP1, VNI 100, the remote workload to w1.
uplink() {
	local name=$1$UP_SUFFIX expect=$2; shift 2
	measure "$name" "$R" "$expect" "$NS_FAB" u0 "$ID_UP" \
		--osmac "$U2_MAC" --odmac "$U1_MAC" --osip "$VTEP2" --odip "$VTEP1" --vxlan "$VNI" \
		--smac "$R_MAC" --sip "$R_IP" --dmac "$W1_MAC" --dip "$W1_IP" "$@"
}

ARP=(--arp --dmac ff:ff:ff:ff:ff:ff)

# port6 NAME COUNTER [GEN OPTIONS]: the IPv6 twin of port: w1's IPv6
# address to w2's (--sip6/--dip6 make gen's frame IPv6).
port6() {
	local name=$1 expect=$2; shift 2
	port "$name" "$expect" --sip6 "$W1_IP6" --dip6 "$W2_IP6" "$@"
}

# The IPv6 twins of the IPv4 paths above them (report.sh pairs them): an
# NS's destination follows its target, so gen cannot walk it over the
# routes (nd_reply asks for the first loaded /128, arp_reply walks them).
port6_paths() {
	port  icmp_echo_gw    icmp_echo_reply  --icmp --dip "$GW_IP"
	port6 icmp6_echo_gw   icmp6_echo_reply --icmp --dip6 "$GW_IP6"
	port6 local6          fwd_local
	port6 encap6          fwd_encap        --dip6 "$FILL_BASE6" --spread "$R"
	port6 nd_reply_gw     nd_reply         --ns --dip6 "$GW_IP6"
	port6 nd_reply        nd_reply         --ns --dip6 "$FILL_BASE6"
}

port_paths() {
	port arp_reply        arp_reply        "${ARP[@]}" --dip "$FILL_BASE" --spread "$R"
	port arp_reply_gw     arp_reply        "${ARP[@]}" --dip "$GW_IP"
	port local            fwd_local
	port encap            fwd_encap        --dip "$FILL_BASE" --spread "$R"
	port drop_no_route    drop_no_route    --dip 10.200.0.1
	port6_paths
	[ "$quick" = 1 ] && return 0
	port drop_spoof_mac   drop_spoof_mac   --smac 02:00:00:00:09:09
	port drop_spoof_ip    drop_spoof_ip    --sip 10.1.0.99
	port drop_arp_unknown drop_arp_unknown "${ARP[@]}" --dip 10.200.0.1
	port drop_bcast       drop_bcast       --dmac ff:ff:ff:ff:ff:ff
	port drop_vlan        drop_vlan        --vlan 5
	port drop_ethertype   drop_ethertype   --ethertype 0x88b5
	port drop_malformed   drop_malformed   --truncate 24
}

uplink_paths() {
	uplink decap           decap_deliver
	uplink decap6          decap_deliver    --sip6 "$R_IP6" --dip6 "$W1_IP6"
	# Not VXLAN: passed to the host (BGP, SSH, underlay ARP...).
	measure "uplink_pass$UP_SUFFIX" "$R" uplink_pass "$NS_FAB" u0 "$ID_UP" \
		--smac "$U2_MAC" --dmac "$U1_MAC" --sip "$U2_IP" --dip "$U1_IP"
	[ "$quick" = 1 ] && return 0
	uplink decap_by_ip     decap_deliver    --dmac "$GW_MAC"
	uplink drop_vx_vtep    drop_vx_vtep     --osip 192.0.2.99
	uplink drop_vx_vni     drop_vx_vni      --vxlan 999
	uplink drop_vx_dst     drop_vx_dst      --odip 192.0.2.77
	uplink drop_vx_no_dest drop_vx_no_dest  --dmac 02:00:00:00:09:09 --dip 10.1.0.99
}

# The route cache (docs/design.md "The route cache") off for one run and
# back: vtep_rcache_ctl's gen 0, as limits.route_cache 0 has it, then
# vtepd's value again. Nothing writes vtep_routes meanwhile, so the copies
# filled under that gen are still right when it returns.
RC_CTL=
rc_off() {
	RC_CTL=$(bpftool -j map dump pinned "$BN_RUN/h1/vtep_rcache_ctl" |
		jq -r '.[0].value | map(ltrimstr("0x")) | join(" ")') && [ -n "$RC_CTL" ] &&
		bpftool map update pinned "$BN_RUN/h1/vtep_rcache_ctl" key 0 0 0 0 \
			value 0 0 0 0 0 0 0 0
}
rc_on() {
	# shellcheck disable=SC2086
	[ -z "$RC_CTL" ] || bpftool map update pinned "$BN_RUN/h1/vtep_rcache_ctl" key 0 0 0 0 \
		value hex $RC_CTL
}

# The flat route table (docs/design.md "The flat route table") off for one
# run and back: its header's epoch 0 (every lookup reads vtep_routes, as
# before the table), then the header vtepd wrote. Nothing writes vtep_routes
# meanwhile, so the table is still whole when it returns.
RT_HDR=
rt_off() {
	RT_HDR=$(bpftool -j map lookup pinned "$BN_RUN/h1/vtep_rtab" key 0 0 0 0 |
		jq -r '.value | map(ltrimstr("0x")) | join(" ")') && [ -n "$RT_HDR" ] &&
		bpftool map update pinned "$BN_RUN/h1/vtep_rtab" key 0 0 0 0 \
			value hex 00 00 00 00 ${RT_HDR#* * * * }
}
rt_on() {
	# shellcheck disable=SC2086
	[ -z "$RT_HDR" ] || bpftool map update pinned "$BN_RUN/h1/vtep_rtab" key 0 0 0 0 \
		value hex $RT_HDR
}

# ws_paths: the working-set table at the routes loaded now (R): encap and
# ARP reply over W destinations, uniform and Zipf, encap also without the
# route cache, and without both the cache and the flat route table (what
# vtep_routes alone costs), and memlat for W.
ws_paths() {
	local w d m zipf
	for w in $wsets; do
		[ "$w" -le "$R" ] || continue
		for m in 4k 2m; do
			emit "$("$BN_MEMLAT" -n "$w" -b 96 --pages "$m" -C 0 -j |
				jq -c --argjson r "$R" '{kind: "memlat", routes: $r} + .')"
		done
		# and the W entries scattered among R, as the map holds them
		if [ "$w" -lt "$R" ]; then emit "$("$BN_MEMLAT" -n "$w" -b 96 --pages 4k --among "$R" -C 0 -j |
				jq -c --argjson r "$R" '{kind: "memlat", routes: $r} + .')"; fi
		for d in uniform zipf; do
			zipf=()
			[ "$d" = zipf ] && zipf=(--zipf 1)
			WS=$w WS_DIST=$d port encap_ws fwd_encap --dip "$FILL_BASE" --spread "$w" "${zipf[@]}"
			if rc_off; then
				WS=$w WS_DIST=$d RC=off port encap_ws fwd_encap --dip "$FILL_BASE" \
					--spread "$w" "${zipf[@]}"
				if rt_off; then
					WS=$w WS_DIST=$d RC=off RT=off port encap_ws fwd_encap \
						--dip "$FILL_BASE" --spread "$w" "${zipf[@]}"
					rt_on || bn_die "cannot turn the flat route table back on"
				else
					bn_log "cannot turn the flat route table off: no run without it"
				fi
				rc_on || bn_die "cannot turn the route cache back on"
			else
				bn_log "cannot turn the route cache off: no run without it"
			fi
			WS=$w WS_DIST=$d port arp_reply_ws arp_reply "${ARP[@]}" --dip "$FILL_BASE" \
				--spread "$w" "${zipf[@]}"
		done
	done
	tail -n 40 "$RESULTS" | jq -r 'select(.kind == "memlat") |
		"bench: memlat \(.entries) entries (\(.pages) pages): \(.ns_per_load) ns per load"' >&2
}

# The same frames through the empty TC program (and the XDP_PASS before it),
# then through the encapsulation floors.
floor_paths() {
	local frame=(--smac "$WF_MAC" --sip "$WF_IP" --dmac "$GW_MAC" --dip "$W2_IP")
	measure floor_tc "$R" "" "$NS_WF" eth0 "$ID_FLOOR" "${frame[@]}"
	measure floor_xdp "$R" "" "$NS_WF" eth0 "$ID_FLOOR_XDP" "${frame[@]}"
	encap_floor encap_floor bench_encap_floor "${frame[@]}"
	# In place, the headers need a frame as long as the encapsulated one
	# (60 + 50 bytes): its bounds check goes to the inner IPv4 header.
	encap_floor encap_floor_noadj bench_encap_floor_noadj "${frame[@]}" --size 110
}

# encap_floor NAME PROG GEN_ARGS...: PROG of bench/floor.bpf.c (the least
# work a TC program that encapsulates in VXLAN must do: no lookups,
# bpf_skb_adjust_room with encap_vxlan's flags, every header written) in
# place of the empty program on pf, redirecting to the uplink u1 as vtepd's
# encap does (the fabric's sink drops the frames), then the empty program
# back. Records {kind: "encap_floor_check", fabric_rx} beside the row: the
# frames that reached the fabric, which should be the packets the program ran
# on (a program that dropped them would look cheap).
encap_floor() {
	local name=$1 prog=$2 id rx0 rx1; shift 2
	[ -n "${PC_ONLY:-}" ] && [[ " $PC_ONLY " != *" $name "* ]] && return 0
	id=$(bn_in "$NS_H1" "$BN_FLOORLOAD" -d pf -p "$prog" -r u1 \
		--osmac "$U1_MAC" --odmac "$U2_MAC" --osip "$VTEP1" --odip "$VTEP2" --vni "$VNI" \
		--ismac "$WF_MAC" --idmac "$R_MAC") && [ -n "$id" ] || bn_die "floorload $prog"
	rx0=$(bn_rx_packets "$NS_FAB" u0)
	measure "$name" "$R" "" "$NS_WF" eth0 "$id" "$@"
	rx1=$(bn_rx_packets "$NS_FAB" u0)
	emit "$(tail -n1 "$RESULTS" | jq -c --argjson rx $((rx1 - rx0)) \
		'{kind: "encap_floor_check", path, routes, packets, fabric_rx: $rx}')"
	bn_log "$name: $((rx1 - rx0)) frames reached the fabric"
	bn_tc "$NS_H1" pf floor || bn_die "floor back on pf"
	ID_FLOOR=$(bn_prog_id "$NS_H1" pf tc)
}

# ---- main ------------------------------------------------------------------
for p in $paths; do
	case $p in floor|port|uplink) ;; *) bn_die "unknown path group $p" ;; esac
done
[ -x "$BN_GEN" ] && [ -x "$BN_FILL" ] && [ -x "$BN_FLOORLOAD" ] || bn_die "bench tools missing (make bench-tools)"
if [ "$uplink" = xdp ]; then
	why=$(bn_xdp_refusal "$BN_VTEPD")
	if [ -n "$why" ]; then
		emit "$(jq -nc --arg why "$why" '{kind: "progcost", uplink_attach: "xdp", skipped: $why}')"
		echo "SKIP bench-progcost-uplink-xdp: $why" >&2
		exit 0
	fi
fi
topo || bn_die "topology"
napi_check || bn_die "napi check"
bn_bpffs h1 || bn_die "bpffs"
CFG=$BN_RUN/h1.json
bn_vtepd_cfg h1 "$VTEP1" u1 "$uplink" \
	"$(jq -nc --arg a "$W1_IP" --arg b "$W2_IP" --argjson v "$VNI" \
		--arg a6 "$W1_IP6" --arg b6 "$W2_IP6" \
		'[{ifname: "p1", vni: $v, ip: $a, ip6: $a6, mac: "auto"},
		  {ifname: "p2", vni: $v, ip: $b, ip6: $b6, mac: "auto"}]')" \
	"$(jq -nc --arg p "$R_IP/32" --arg p6 "$R_IP6/128" --arg t "$VTEP2" --arg m "$R_MAC" \
		--argjson v "$VNI" \
		'[{vni: $v, prefix: $p, vtep: $t, mac: $m}, {vni: $v, prefix: $p6, vtep: $t, mac: $m}]')" \
	> "$CFG"
bn_vtepd_start h1 "$CFG"
bn_wait_tc "$NS_H1" p1
bn_wait_tc "$NS_H1" p2
# The mode vtepd runs its uplink in names the uplink paths.
UPLINKS=$(bn_uplinks h1)
UP_MODE=$(jq -r '.h1.mode // empty' <<<"$UPLINKS")
case $UP_MODE in
xdp) UP_SUFFIX= ;;
tc) UP_SUFFIX=_tc ;;
*) bn_die "uplink mode unknown: $UPLINKS" ;;
esac
UP_REASON=$(jq -r '.h1.reason // ""' <<<"$UPLINKS")
bn_log "uplink_attach $uplink: u1 runs $UP_MODE ($UP_REASON)"

# Generator frames reach a port only with NAPI on it (napi_check above).
bn_xdp_pass "$NS_H1" p1 || bn_die "xdp pass on p1"
[ "$UP_MODE" = tc ] && { bn_xdp_pass "$NS_H1" u1 || bn_die "xdp pass on u1"; }
bn_tc "$NS_H1" pf floor || bn_die "floor"
for s in "$NS_W1 eth0" "$NS_W2 eth0" "$NS_FAB u0"; do
	# shellcheck disable=SC2086
	bn_tc $s sink || bn_die "sink on $s"
done
ID_PORT=$(bn_prog_id "$NS_H1" p1 tc)
ID_UP="$(bn_prog_id "$NS_H1" u1 xdp) $(bn_prog_id "$NS_H1" u1 tc)"
[ "$UP_MODE" = tc ] && ID_UP=$(bn_prog_id "$NS_H1" u1 tc)
ID_FLOOR=$(bn_prog_id "$NS_H1" pf tc)
ID_FLOOR_XDP=$(bn_prog_id "$NS_H1" pf xdp)
[ -n "$ID_PORT" ] && [ -n "${ID_UP// /}" ] && [ -n "$ID_FLOOR" ] || bn_die "program ids"
bn_log "programs: port $ID_PORT, uplink $ID_UP, floor tc $ID_FLOOR, floor xdp $ID_FLOOR_XDP"

bn_stats_set 1
loaded=0
for r in $routes; do
	if [ "$r" -gt "$loaded" ]; then
		f=$("$BN_FILL" -b "$BN_RUN/h1" -j --start "$loaded" -n $((r - loaded)) add) ||
			bn_die "fill $r"
		emit "$(jq -c --argjson r "$r" --arg up "$uplink" --arg mode "$UP_MODE" \
			'{kind: "fill", routes: $r, uplink_attach: $up, uplink_mode: $mode} + .' <<<"$f")"
		# The same routes as IPv6 /128s (vtep_routes6), for the IPv6 paths.
		f=$("$BN_FILL" -b "$BN_RUN/h1" -j --ipv6 --start "$loaded" -n $((r - loaded)) add) ||
			bn_die "fill --ipv6 $r"
		emit "$(jq -c --argjson r "$r" '{kind: "fill6", routes: $r} + .' <<<"$f")"
		loaded=$r
	fi
	R=$r
	for p in $paths; do "${p}_paths"; done
	# The working-set table once, at the largest route count.
	[ "$r" = "${routes##* }" ] && [[ " $paths " == *" port "* ]] && ws_paths
	c=$("$BN_FILL" -b "$BN_RUN/h1" -j count) || bn_die "count"
	alive=$(bn_vtepd_alive && echo true || echo false)
	emit "$(jq -c --argjson r "$r" --argjson alive "$alive" \
		'{kind: "map_count", routes_loaded: $r, vtepd_running: $alive} + .' <<<"$c")"
	jq -e --argjson r "$r" '.routes >= $r' <<<"$c" >/dev/null ||
		bn_log "warning: only $(jq .routes <<<"$c") routes left in the map after the runs"
done
bn_stats_set 0
exit 0
