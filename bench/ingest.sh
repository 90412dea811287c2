#!/bin/bash
# ingest.sh - route ingestion: N EVPN type-2 routes over one BGP session on
# loopback into vtepd, gobgpd and FRR, from one feeder (bench/feeder), then
# the withdrawal of all of them.
#
#   bench/ingest.sh [--quick] [--routes "100000 1000000"] [--runs K]
#                   [--timeout S] [--gobgp-timeout S] OUT.jsonl
#   (INGEST_SYSTEMS="vtepd gobgp frr frr_fwd" picks systems)
#
# Each receiver runs alone in a fresh namespace (bn2-ing, BN_PFX) with both
# session addresses on lo (bench/peers.sh); the feeder connects, sends N
# routes packed as many per UPDATE as fit, then End-of-RIB, and keeps the
# session up. The clock starts at the feeder's first UPDATE write and stops
# when the receiver holds every route:
#   vtepd   every route is in the vtep_routes map (the feeder polls the map
#           itself: the last route's key, then all keys): forwarding-ready
#   gobgp   `gobgp -j neighbor` counts N accepted routes (polled)
#   frr     `show bgp l2vpn evpn summary json` counts N received (polled):
#           FRR's RIB, nothing installed
#   frr_fwd FRR as a VTEP (zebra + bgpd, advertise-all-vni, a kernel bridge
#           br100 with VXLAN device vx100 for VNI 100; peers.sh
#           peer_frr_vtep): every route's MAC is in vx100's FDB and its
#           MAC+IP in br100's neighbour table (bench/kcount: the last
#           route's two entries polled, then full counts): FRR's own
#           forwarding-ready figure. The feeder sends FRR's auto route
#           target (65000:100) there, so that VNI 100 imports the routes.
# Then, for all but gobgp (which never holds them all), the feeder withdraws
# every route (--withdraw-file) and the same clock runs from its first
# withdrawal written until the receiver holds none of them (vtepd: the map,
# the last route first; frr: bgpd's count; frr_fwd: the kernel's tables,
# the last route first): "withdraw" in the record.
# Polls run every 50 ms; a poll's own cost (a gobgp or vtysh call, tens of
# ms) is the resolution of the GoBGP and FRR figures.
# CPU: the receiver's user + system time (/proc/PID/stat, all its threads)
# from just before the feed to the end of the measurement, as cpu_seconds and
# routes_per_cpu_s: on a shared machine the wall-clock rate moves with what
# else runs, the CPU a receiver spent per route much less. (gobgpd/bgpd are
# polled by CLI calls meanwhile, which costs them some CPU too.)
# Memory per route: the receiver's RSS after minus before, divided by N
# (FRR: bgpd's; stack_bytes_per_route adds zebra's growth);
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

# poll_until SECONDS CMD...: runs CMD every POLL_EVERY (50 ms) until it
# succeeds; prints the time it did, or "T-" (the time of the deadline) when
# it did not.
poll_until() {
	local end=$((SECONDS + $1)); shift
	while [ $SECONDS -lt $end ]; do
		if "$@" >/dev/null 2>&1; then now; return 0; fi
		kill -0 "$FEEDER_PID" 2>/dev/null || break
		sleep "${POLL_EVERY:-0.05}"
	done
	echo "$(now)-"
}
# (called through poll_until and kernel_wait)
# shellcheck disable=SC2317
frr_none() { [ "$(peer_frr_count "$1")" = 0 ]; }
# kernel_all NS N / kernel_zero NS: vx100's FDB and br100's neighbours hold
# N routes / none (full counts, kcount).
# shellcheck disable=SC2317
kernel_all() { local f g; read -r f g < <(peer_kernel_count "$1"); [ "$f" -ge "$2" ] && [ "$g" -ge "$2" ]; }
# shellcheck disable=SC2317
kernel_zero() { local f g; read -r f g < <(peer_kernel_count "$1"); [ "$f" = 0 ] && [ "$g" = 0 ]; }
# The feeder's route i: MAC 02:b0:00:00:00:00 + i, IP 10.16.0.0 + i.
route_mac() { printf '02:b0:%02x:%02x:%02x:%02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) $(($1 >> 8 & 255)) $(($1 & 255)); }
route_ip() { local a=$((0x0a100000 + $1)); echo "$((a >> 24 & 255)).$((a >> 16 & 255)).$((a >> 8 & 255)).$((a & 255))"; }

# kernel_wait SECONDS NS N ALL_FN LAST_FN: the FRR VTEP's install (or with
# kernel_zero / peer_kernel_none, its removal): the last route's two
# entries first (one RTM_GETNEIGH each, polled every 50 ms), then the full
# counts (a dump of each table); when they are not complete yet, those are
# polled every second (a dump of a million entries would otherwise keep
# the tables' locks from zebra). Prints the time.
kernel_wait() {
	local secs=$1 ns=$2 n=$3 all=$4 last=$5 t
	t=$(poll_until "$secs" "$last" "$ns" "$(route_mac $((n - 1)))" "$(route_ip $((n - 1)))")
	[[ $t == *- ]] && { echo "$t"; return; }
	if [ "$all" = kernel_zero ]; then
		"$all" "$ns" && { echo "$t"; return; }
		POLL_EVERY=1 poll_until "$secs" "$all" "$ns"
	else
		"$all" "$ns" "$n" && { echo "$t"; return; }
		POLL_EVERY=1 poll_until "$secs" "$all" "$ns" "$n"
	fi
}

# measure SYS N RUN: one receiver, one feed, then (but for gobgp) the
# withdrawal of every route; emits the record.
measure() {
	local sys=$1 n=$2 run=$3 log=$OUT/feeder-$1.jsonl pid rss0 rss1 t_done="" got=0 \
		maps='{}' maps0='{}' extra='{}' err=null sent inst cpu0 cpu1 zpid='' zrss0=0 zrss1=0 \
		wd=null wdf=$BN_RUN/withdraw-$1 feed_args=()
	bn_log "ingest: $sys, $n routes (run $run)"
	peer_ns "$NS" || bn_die "namespace $NS"
	rm -f "$wdf"
	case $sys in
	gobgp)
		peer_gobgp_start "$NS" || bn_die "gobgpd did not start"
		pid=$GOBGP_PID ;;
	frr)
		peer_frr_start "$NS" || bn_die "FRR did not start"
		pid=$FRR_BGPD_PID zpid=$FRR_ZEBRA_PID ;;
	frr_fwd)
		peer_frr_vtep "$NS" || bn_die "FRR's bridge and VXLAN device"
		peer_frr_start "$NS" evpn || bn_die "FRR did not start"
		pid=$FRR_BGPD_PID zpid=$FRR_ZEBRA_PID
		# FRR imports by its own auto route target (its AS:VNI).
		feed_args=(--rt "$PEER_RX_AS:$VNI") ;;
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
	[ "$sys" = gobgp ] || feed_args+=(--withdraw-file "$wdf")
	sleep 0.5
	rss0=$(peer_rss "$pid")
	[ -n "$zpid" ] && zrss0=$(peer_rss "$zpid")
	[ "$sys" = vtepd ] && maps0=$(peer_map_bytes "$BN_RUN/ing")
	cpu0=$(cpu_s "$pid")
	case $sys in
	vtepd)
		peer_feeder "$NS" "$log" -n "$n" --wait-map "$BN_RUN/ing" --timeout "$timeout" \
			"${feed_args[@]}"
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
		peer_feeder "$NS" "$log" -n "$n" "${feed_args[@]}"
		read -r t_done got < <(poll_count "$timeout" "$n" peer_frr_count "$NS") ;;
	frr_fwd)
		peer_feeder "$NS" "$log" -n "$n" "${feed_args[@]}"
		t_done=$(kernel_wait "$timeout" "$NS" "$n" kernel_all peer_kernel_has)
		got=$n
		if [[ $t_done == *- ]]; then
			read -r got _ < <(peer_kernel_count "$NS")
		fi ;;
	esac
	cpu1=$(cpu_s "$pid")
	rss1=$(peer_rss "$pid")
	[ -n "$zpid" ] && zrss1=$(peer_rss "$zpid")
	sent=$(peer_event "$log" sent)
	if [ -z "$sent" ] || [[ $t_done == *- ]]; then
		err=$(jq -Rsc . < "$log.err")
		[ "$err" = '""' ] && err="\"$got of $n routes held at the deadline\""
		bn_log "ingest: $sys incomplete: $err"
	elif [ "$sys" != gobgp ]; then
		wd=$(withdraw "$sys" "$n" "$log" "$wdf" "$pid")
	fi
	emit "$(jq -nc --arg sys "$sys" --argjson n "$n" --argjson run "$run" \
		--argjson sent "${sent:-null}" --arg t_done "${t_done%-}" --argjson rss0 "$rss0" \
		--argjson complete "$([[ $t_done == *- ]] && echo false || echo true)" --argjson got "${got:-0}" \
		--argjson rss1 "$rss1" --argjson maps "$maps" --argjson x "$extra" --argjson err "$err" \
		--argjson zrss0 "$zrss0" --argjson zrss1 "$zrss1" --argjson wd "$wd" \
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
		 error: $err} +
		(if $zrss0 > 0 then {zebra_rss_before: $zrss0, zebra_rss: $zrss1,
			stack_bytes_per_route: (if $got > 0 then ((($rss1 - $rss0) + ($zrss1 - $zrss0)) /
				$got * 10 | round) / 10 else null end)} else {} end) +
		(if $wd == null then {} else {withdraw: $wd} end) + $x')"
	tail -n1 "$RESULTS" | jq -r '"bench: ingest \(.system) \(.routes): \(.routes_per_s) routes/s" +
		" (\(.held) routes in \(.seconds) s\(if .complete then "" else ", INCOMPLETE" end)," +
		" \(.routes_per_cpu_s) routes per CPU second)," +
		" \(.stack_bytes_per_route // .bytes_per_route) bytes/route" +
		(if .withdraw then "; withdrawal \(.withdraw.routes_per_s) routes/s" +
			" (\(.withdraw.seconds) s\(if .withdraw.complete then "" else ", INCOMPLETE" end))"
		 else "" end)' >&2
	peers_cleanup
}

# withdraw SYS N LOG WDF PID: the feeder withdraws every route (WDF tells it
# to); prints {seconds, routes_per_s, complete, cpu_seconds}: the time from
# its first withdrawal written until the receiver holds none (vtepd: the
# feeder checks the map, the last route first; frr: bgpd's count polled;
# frr_fwd: the kernel's FDB and neighbours, the last route first).
withdraw() {
	local sys=$1 n=$2 log=$3 wdf=$4 pid=$5 c0 c1 t ev first
	c0=$(cpu_s "$pid")
	touch "$wdf"
	case $sys in
	vtepd)
		while kill -0 "$FEEDER_PID" 2>/dev/null && [ -z "$(peer_event "$log" removed)" ]; do
			sleep 0.05
		done
		ev=$(peer_event "$log" removed)
		if [ -n "$ev" ] && ! jq -e '.timeout' <<<"$ev" >/dev/null; then
			t=$(jq -r 'if .left_after_last == 0 then .t_last_key else .t_all end' <<<"$ev")
		else
			t="$(now)-"
		fi ;;
	frr)
		t=$(poll_until "$timeout" frr_none "$NS") ;;
	frr_fwd)
		t=$(kernel_wait "$timeout" "$NS" "$n" kernel_zero peer_kernel_none) ;;
	esac
	c1=$(cpu_s "$pid")
	for _ in $(seq 1 100); do
		first=$(peer_event "$log" withdrawn_sent)
		[ -n "$first" ] && break
		sleep 0.05
	done
	jq -nc --argjson ev "${first:-null}" --arg t "${t%-}" --argjson n "$n" \
		--argjson complete "$([[ $t == *- ]] && echo false || echo true)" \
		--argjson cpu "$(awk -v a="$c1" -v b="$c0" 'BEGIN { printf "%.3f", a - b }')" '
		(if $ev then ($t | tonumber) - $ev.t_first else null end) as $s |
		{seconds: (if $s then ($s * 1000 | round) / 1000 else null end),
		 routes_per_s: (if $s and $s > 0 and $complete then ($n / $s | round) else null end),
		 complete: $complete, cpu_seconds: $cpu}'
}

for n in $routes; do
	for ((run = 1; run <= runs; run++)); do
		for s in ${INGEST_SYSTEMS:-vtepd gobgp frr frr_fwd}; do
			measure "$s" "$n" "$run"
		done
	done
done
exit 0
