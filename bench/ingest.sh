#!/bin/bash
# ingest.sh - route ingestion: N EVPN type-2 routes over one BGP session on
# loopback into vtepd, gobgpd and FRR's bgpd, from one feeder (bench/feeder).
#
#   bench/ingest.sh [--quick] [--routes "100000 1000000"] [--runs K]
#                   [--timeout S] [--gobgp-timeout S] OUT.jsonl
#   (INGEST_SYSTEMS="vtepd gobgp frr" picks systems)
#
# Each receiver runs alone in a fresh namespace (bn2-ing, BN_PFX) with both
# session addresses on lo (bench/peers.sh); the feeder connects, sends N
# routes packed as many per UPDATE as fit, then End-of-RIB, and keeps the
# session up. The clock starts at the feeder's first UPDATE write and stops
# when the receiver holds every route:
#   vtepd   every route is in the vtep_routes map (the feeder polls the map
#           itself: the last route's key, then all keys)
#   gobgp   `gobgp -j neighbor` counts N accepted routes (polled)
#   frr     `show bgp l2vpn evpn summary json` counts N received (polled)
# Polls run every 50 ms; a poll's own cost (a gobgp or vtysh call, tens of
# ms) is the resolution of the GoBGP and FRR figures.
# CPU: the receiver's user + system time (/proc/PID/stat, all its threads)
# from just before the feed to the end of the measurement, as cpu_seconds and
# routes_per_cpu_s: on a shared machine the wall-clock rate moves with what
# else runs, the CPU a receiver spent per route much less. (gobgpd/bgpd are
# polled by CLI calls meanwhile, which costs them some CPU too.)
# Memory per route: the receiver's RSS after minus before, divided by N;
# vtepd also pays its maps: the growth of the bytes_memlock of the maps
# a route writes (vtep_routes, and vtep_fdb for MAC-only routes), over N, is added to its figure;
# what the empty maps take at the configured capacity is recorded apart
# (maps_bytes_before).
# A receiver that does not hold every route by the deadline (--timeout,
# default 600 s; GoBGP's own --gobgp-timeout, default 60 s: its rate falls
# as its EVPN table grows, measured ~5k routes/s at 10k routes and under
# 200/s past 50k) is recorded as incomplete with the routes it held and the
# rate so far. Rounds alternate the systems. Never pass/fail.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)

quick=0
routes="100000 1000000"
runs=3
timeout=600
GOBGP_TIMEOUT=60
while [ $# -gt 1 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--routes) routes=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	--gobgp-timeout) GOBGP_TIMEOUT=$2; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 1 ]; then
	echo "usage: $0 [--quick] [--routes LIST] [--runs K] [--timeout S] OUT.jsonl" >&2
	exit 2
fi
RESULTS=$1
OUT=$(dirname "$RESULTS")
export BN_PFX=${BN_PFX:-bn2} BN_RUN=${BN_RUN:-/run/vtepd-bench2}
BN_NS_ALL="$BN_PFX-ing"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
# shellcheck source=bench/peers.sh
. "$ROOT/bench/peers.sh"
if [ $quick = 1 ]; then
	routes=10000
	runs=1
fi
NS=$BN_PFX-ing
[ -x "$BN_FEEDER" ] || bn_die "no $BN_FEEDER (make bench-tools)"

trap peers_cleanup EXIT
trap 'exit 130' INT TERM
peers_cleanup

emit() { echo "$1" >> "$RESULTS"; }
# cpu_s PID: user + system seconds the process has used (all threads).
cpu_s() {
	# Fields 14 and 15 (utime, stime), counted after comm's ")".
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); split($0, f, " ");
		printf "%.3f\n", (f[12] + f[13]) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0
}
now() { date +%s.%N; }

# poll_count SECONDS N CMD...: polls CMD (prints a count) every 50 ms until
# it prints N. Prints "WALL_TIME COUNT" when it did, "- COUNT" (the last
# count, at the deadline) when it did not.
poll_count() {
	local end=$((SECONDS + $1)) n=$2 c=0; shift 2
	while [ $SECONDS -lt $end ]; do
		c=$("$@" 2>/dev/null)
		c=${c:-0}
		if [ "$c" -ge "$n" ] 2>/dev/null; then echo "$(now) $c"; return 0; fi
		kill -0 "$FEEDER_PID" 2>/dev/null || break
		sleep 0.05
	done
	echo "$(now)- $c"
}

# measure SYS N RUN: one receiver, one feed; emits the record.
measure() {
	local sys=$1 n=$2 run=$3 log=$OUT/feeder-$1.jsonl pid rss0 rss1 t_done="" got=0 \
		maps='{}' maps0='{}' extra='{}' err=null sent inst cpu0 cpu1
	bn_log "ingest: $sys, $n routes (run $run)"
	peer_ns "$NS" || bn_die "namespace $NS"
	case $sys in
	gobgp)
		peer_gobgp_start "$NS" || bn_die "gobgpd did not start"
		pid=$GOBGP_PID ;;
	frr)
		peer_frr_start "$NS" || bn_die "FRR did not start"
		pid=$FRR_BGPD_PID ;;
	vtepd)
		if ! { ip -n "$NS" link add u1 type veth peer name u0 &&
			ip -n "$NS" link set u1 up && ip -n "$NS" link set u0 up; }; then
			bn_die "uplink"
		fi
		bn_bpffs ing || bn_die "bpffs"
		peer_vtepd_cfg ing > "$BN_RUN/ing.json"
		bn_vtepd_start ing "$BN_RUN/ing.json"
		pid=${BN_PIDS[-1]} ;;
	esac
	sleep 0.5
	rss0=$(peer_rss "$pid")
	[ "$sys" = vtepd ] && maps0=$(peer_map_bytes "$BN_RUN/ing")
	cpu0=$(cpu_s "$pid")
	case $sys in
	vtepd)
		peer_feeder "$NS" "$log" -n "$n" --wait-map "$BN_RUN/ing" --timeout "$timeout"
		while kill -0 "$FEEDER_PID" 2>/dev/null && [ -z "$(peer_event "$log" installed)" ] &&
			[ -z "$(peer_event "$log" "done")" ]; do
			sleep 0.05
		done
		inst=$(peer_event "$log" installed)
		if [ -n "$inst" ] && ! jq -e '.timeout' <<<"$inst" >/dev/null; then
			t_done=$(jq -r 'if .missing_after_last == 0 then .t_last_key else .t_all end' <<<"$inst")
			got=$n
		else
			t_done="$(now)-"
			got=$(peer_in_map "$BN_RUN/ing" "$n")
		fi
		maps=$(peer_map_bytes "$BN_RUN/ing")
		extra=$(jq -nc --argjson inst "${inst:-null}" --argjson m0 "$maps0" '
			{installed: $inst, maps_bytes_before: $m0}') ;;
	gobgp)
		peer_feeder "$NS" "$log" -n "$n"
		read -r t_done got < <(poll_count "$GOBGP_TIMEOUT" "$n" peer_gobgp_count "$NS")
		extra=$(jq -nc --argjson s "$(peer_gobgp "$NS" -j global rib -a evpn summary)" \
			'{rib_summary: $s}') ;;
	frr)
		peer_feeder "$NS" "$log" -n "$n"
		read -r t_done got < <(poll_count "$timeout" "$n" peer_frr_count "$NS")
		extra=$(jq -nc --argjson z "$(peer_rss "$FRR_ZEBRA_PID")" '{zebra_rss: $z}') ;;
	esac
	cpu1=$(cpu_s "$pid")
	rss1=$(peer_rss "$pid")
	sent=$(peer_event "$log" sent)
	if [ -z "$sent" ] || [[ $t_done == *- ]]; then
		err=$(jq -Rsc . < "$log.err")
		[ "$err" = '""' ] && err="\"$got of $n routes held at the deadline\""
		bn_log "ingest: $sys incomplete: $err"
	fi
	emit "$(jq -nc --arg sys "$sys" --argjson n "$n" --argjson run "$run" \
		--argjson sent "${sent:-null}" --arg t_done "${t_done%-}" --argjson rss0 "$rss0" \
		--argjson complete "$([[ $t_done == *- ]] && echo false || echo true)" --argjson got "${got:-0}" \
		--argjson rss1 "$rss1" --argjson maps "$maps" --argjson x "$extra" --argjson err "$err" \
		--argjson cpu "$(awk -v a="$cpu1" -v b="$cpu0" 'BEGIN { printf "%.3f", a - b }')" '
		def m3: [.vtep_routes, .vtep_fdb] | map(. // 0) | add;
		(($maps | m3) - ($x.maps_bytes_before // {} | m3)) as $m3 |
		(if $sent and $t_done != "" then ($t_done | tonumber) - $sent.t_first else null end) as $s |
		{kind: "ingest", system: $sys, routes: $n, run: $run, complete: $complete,
		 held: $got,
		 seconds: (if $s then ($s * 1000 | round) / 1000 else null end),
		 routes_per_s: (if $s and $s > 0 then ($got / $s | round) else null end),
		 feeder_write_seconds: ($sent.seconds // null), updates: ($sent.updates // null),
		 cpu_seconds: $cpu,
		 routes_per_cpu_s: (if $cpu > 0 then ($got / $cpu | round) else null end),
		 rss_before: $rss0, rss_after: $rss1,
		 rss_bytes_per_route: (if $got > 0 then (($rss1 - $rss0) / $got * 10 | round) / 10
			else null end),
		 maps_bytes: (if $maps == {} then null else $maps end),
		 map_bytes_per_route: (if $maps == {} or $got == 0 then null else
			(($m3 / $got) * 10 | round) / 10 end),
		 bytes_per_route: (if $got > 0 then ((($rss1 - $rss0) / $got +
			(if $maps == {} then 0 else $m3 / $got end)) * 10 | round) / 10
			else null end),
		 error: $err} + $x')"
	tail -n1 "$RESULTS" | jq -r '"bench: ingest \(.system) \(.routes): \(.routes_per_s) routes/s" +
		" (\(.held) routes in \(.seconds) s\(if .complete then "" else ", INCOMPLETE" end)," +
		" \(.routes_per_cpu_s) routes per CPU second)," +
		" \(.bytes_per_route) bytes/route"' >&2
	peers_cleanup
}

for n in $routes; do
	for ((run = 1; run <= runs; run++)); do
		for s in ${INGEST_SYSTEMS:-vtepd gobgp frr}; do
			measure "$s" "$n" "$run"
		done
	done
done
exit 0
