#!/bin/bash
# mobility.sh - a workload moving between two hosts, seen from a vtepd host:
# time from the UPDATE with the higher MAC mobility sequence number to the
# map entry changing, and ping packets lost per move.
#
#   bench/mobility.sh [--quick] [--moves K] [--gap-ms G] OUT.jsonl
#   (MOB_POLL_US=0 polls in a tight loop, as before; MOB_RT=1 runs vtepd
#   and the feeder SCHED_FIFO 10, to tell vtepd's latency from the time a
#   busy machine makes them wait for a CPU)
#
# Namespaces (bn2-*, BN_PFX): m1 runs vtepd (VTEP 192.0.2.1, workload w1
# behind port p1); m2 and m3 are the two hosts the workload moves between
# (VTEPs 192.0.2.2 and .3), each with a kernel VXLAN device that carries the
# workload's MAC and IP itself (10.1.0.2), so both answer ping; mf is the
# fabric routing between the three. The feeder (bench/feeder) peers with
# vtepd on m1's loopback, announces the workload at 192.0.2.2, and on each
# of K moves announces it from the other VTEP with RD VTEP:100 and MAC
# mobility sequence k (RFC 7432 15), then withdraws the route of the VTEP it
# left; it times each move from the UPDATE's write to vtep_routes holding
# (new VTEP, sequence k), polling the map (see below), and waits G ms
# between moves. Meanwhile w1 pings the workload every millisecond.
# The feeder polls every 20 us (bench/feeder.c --move-poll-us) rather than
# in a tight loop, which took a whole vCPU of two from vtepd. vtepd's own
# view is recorded beside it: the vtepd_bgp_update_to_map_seconds histogram
# (from the UPDATE read to the flush that wrote it, agent/rib/rib.h) over the
# moves, as the bucket bounds under which 50% and 99% of them fell. The
# difference between the two is time the UPDATE waited in the socket for
# vtepd to run, and the feeder's own wake-ups.
#
# Both copies answer, so a lost ping is one the reprogramming lost (an
# entry missing or wrong for a moment), not the migration's own downtime,
# which belongs to the hypervisor. A ping of the same length without moves
# gives the baseline loss of this machine. Never pass/fail.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)

quick=0
moves=1000
gap=10
while [ $# -gt 1 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	--moves) moves=$2; shift 2 ;;
	--gap-ms) gap=$2; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 1 ]; then
	echo "usage: $0 [--quick] [--moves K] [--gap-ms G] OUT.jsonl" >&2
	exit 2
fi
RESULTS=$1
OUT=$(dirname "$RESULTS")
export BN_PFX=${BN_PFX:-bn2} BN_RUN=${BN_RUN:-/run/vtepd-bench2}
BN_NS_ALL="$BN_PFX-m1 $BN_PFX-m2 $BN_PFX-m3 $BN_PFX-mf $BN_PFX-mw1"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
# shellcheck source=bench/peers.sh
. "$ROOT/bench/peers.sh"
[ $quick = 1 ] && moves=50
M1=$BN_PFX-m1 M2=$BN_PFX-m2 M3=$BN_PFX-m3 MF=$BN_PFX-mf MW1=$BN_PFX-mw1
VTEP3=192.0.2.3
MOVER_IP=10.1.0.2 MOVER_MAC=02:00:00:00:0a:02
DAD_MAX=1000   # agent/conf/config.c: the most bgp.dad.moves allows
START=$BN_RUN/mobility.start
PING_PID=
[ -x "$BN_FEEDER" ] || bn_die "no $BN_FEEDER (make bench-tools)"

mob_cleanup() {
	if [ -n "$PING_PID" ]; then
		kill "$PING_PID" 2>/dev/null
		wait "$PING_PID" 2>/dev/null
		PING_PID=
	fi
	rm -f "$START"
	peers_cleanup
}
trap mob_cleanup EXIT
trap 'exit 130' INT TERM
mob_cleanup

# remote_host NS VTEP LINK_IP FAB_IP: a host whose VXLAN device is the
# workload (its MAC and IP), reached over a /30 to the fabric.
remote_host() {
	local ns=$1 vtep=$2 ip=$3 fip=$4 dev=f${1##*-m}
	bn_ns_add "$ns" || return 1
	ip -n "$MF" link add "$dev" type veth peer name up0 netns "$ns" &&
	ip -n "$MF" link set "$dev" up && ip -n "$ns" link set up0 up &&
	ip -n "$MF" addr add "$fip/30" dev "$dev" &&
	ip -n "$ns" addr add "$ip/30" dev up0 &&
	ip -n "$ns" addr add "$vtep/32" dev lo &&
	ip -n "$ns" route add default via "$fip" &&
	ip -n "$MF" route add "$vtep/32" via "$ip" &&
	ip -n "$ns" link add vx0 address "$MOVER_MAC" type vxlan id "$VNI" local "$vtep" \
		dstport 4789 nolearning &&
	ip -n "$ns" addr add "$MOVER_IP/8" dev vx0 &&
	ip -n "$ns" link set vx0 up &&
	bridge -n "$ns" fdb append 00:00:00:00:00:00 dev vx0 dst "$VTEP1" &&
	ip -n "$ns" neigh replace "$W1_IP" lladdr "$W1_MAC" dev vx0 nud permanent
}

topo() {
	local ns
	for ns in "$M1" "$MF" "$MW1"; do bn_ns_add "$ns" || return 1; done
	ip -n "$M1" addr add "$PEER_RX/32" dev lo && ip -n "$M1" addr add "$PEER_TX/32" dev lo &&
	ip -n "$M1" addr add "$VTEP1/32" dev lo || return 1
	bn_in "$M1" sysctl -qw net.ipv4.conf.all.forwarding=1
	bn_in "$MF" sysctl -qw net.ipv4.conf.all.forwarding=1
	bn_veth "$M1" p1 "$MW1" eth0 "" "$W1_MAC" &&
	bn_veth "$M1" u1 "$MF" f1 "$U1_MAC" "$U2_MAC" || return 1
	ip -n "$MW1" addr add "$W1_IP/8" dev eth0
	ip -n "$M1" addr add "$U1_IP/30" dev u1 && ip -n "$MF" addr add "$U2_IP/30" dev f1 &&
	ip -n "$M1" route add 192.0.2.0/24 via "$U2_IP" dev u1 &&
	ip -n "$MF" route add "$VTEP1/32" via "$U1_IP" || return 1
	remote_host "$M2" "$VTEP2" 172.31.0.6 172.31.0.5 &&
	remote_host "$M3" "$VTEP3" 172.31.0.10 172.31.0.9 || return 1
	bn_bpffs m1 || return 1
	# Duplicate address detection (bgp.dad) would freeze a workload that
	# moves every few ms: the bench allows the most moves the config does,
	# per second.
	# Two static routes, one per remote host: both VTEPs are known to the
	# uplink's check from the start, so an echo reply from the host the
	# workload just left is not dropped as coming from a stranger.
	peer_vtepd_cfg m1 "$(jq -nc --arg w1 "$W1_IP" --arg v2 "$VTEP2" --arg v3 "$VTEP3" \
		--argjson vni "$VNI" --argjson dad "$DAD_MAX" '{
		vtep: {ip: "192.0.2.1", uplink: "u1"},
		metrics: "127.0.0.1:9469",
		ports: [{ifname: "p1", vni: $vni, ip: $w1, mac: "auto"}],
		bgp: {dad: {moves: $dad, window_s: 1}},
		routes: [{vni: $vni, prefix: "10.1.0.22/32", vtep: $v2, mac: "02:00:00:00:0a:22"},
			 {vni: $vni, prefix: "10.1.0.23/32", vtep: $v3, mac: "02:00:00:00:0a:23"}]}')" \
		> "$BN_RUN/m1.json"
	bn_vtepd_start m1 "$BN_RUN/m1.json"
	bn_wait_tc "$M1" p1
}

# lat_hist: vtepd's UPDATE-to-map histogram as "LE CUMULATIVE_COUNT" lines.
lat_hist() {
	bn_in "$M1" curl -s --max-time 5 http://127.0.0.1:9469/metrics 2>/dev/null |
		sed -n 's/^vtepd_bgp_update_to_map_seconds_bucket{le="\([^"]*\)"} \([0-9]*\)$/\1 \2/p'
}

# lat_quant BEFORE AFTER: {count, p50_le_s, p99_le_s, le_1ms} of the
# observations between two lat_hist snapshots (bucket upper bounds).
lat_quant() {
	awk 'NR == FNR { b[$1] = $2; next }
		{ le[n] = $1; c[n] = $2 - b[$1]; n++ }
		END {
			if (!n || c[n - 1] <= 0) { print "null"; exit }
			t = c[n - 1]; p50 = p99 = "null"; ms = 0
			for (i = 0; i < n; i++) {
				if (p50 == "null" && c[i] >= 0.5 * t) p50 = le[i]
				if (p99 == "null" && c[i] >= 0.99 * t) p99 = le[i]
				if (le[i] == "0.001") ms = c[i]
			}
			if (p50 == "+Inf") p50 = "null"
			if (p99 == "+Inf") p99 = "null"
			printf "{\"count\": %d, \"p50_le_s\": %s, \"p99_le_s\": %s, \"share_le_1ms\": %.4f}\n",
				t, p50, p99, ms / t
		}' "$1" "$2"
}

# ping_stats FILE: {transmitted, received} from ping's summary.
ping_stats() {
	sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/{"transmitted": \1, "received": \2}/p' "$1" |
		tail -n1 | grep . || echo '{"transmitted": 0, "received": 0}'
}

bn_log "mobility: $moves moves, ${gap} ms apart"
bn_stats_set 0
topo || bn_die "mobility topology"
log=$OUT/feeder-mobility.jsonl
peer_feeder "$M1" "$log" -n 0 --nexthop "$VTEP2" --nexthop2 "$VTEP3" --moves "$moves" \
	--move-ip "$MOVER_IP" --move-mac "$MOVER_MAC" --move-gap-ms "$gap" \
	--move-map "$BN_RUN/m1" --move-start-file "$START" --timeout 120 \
	--move-poll-us "${MOB_POLL_US:-20}"
if [ -n "${MOB_RT:-}" ]; then
	chrt -f -p 10 "${BN_PIDS[-1]}" >/dev/null && chrt -f -p 10 "$FEEDER_PID" >/dev/null ||
		bn_die "chrt"
fi
# The workload answers through vtepd once its route is in.
peer_wait 20 bn_in "$MW1" ping -c 1 -W 1 "$MOVER_IP" ||
	bn_die "no ping to the workload before the moves: $(cat "$log.err" "$OUT/vtepd-m1.log" | tail -n 5)"

# Baseline: the same ping, as long as the moves will take, nothing moving.
dur=$(( (moves * (gap + 2) + 999) / 1000 ))
bn_in "$MW1" ping -q -i 0.001 -w "$dur" "$MOVER_IP" > "$OUT/ping-baseline.txt" 2>&1
base=$(ping_stats "$OUT/ping-baseline.txt")

# nsenter execs ping: $! is ping itself, so it can be stopped by pid.
nsenter --net=/run/netns/"$MW1" ping -q -i 0.001 "$MOVER_IP" > "$OUT/ping-moves.txt" 2>&1 &
PING_PID=$!
sleep 0.2
lat_hist > "$OUT/mob-hist0.txt"
touch "$START"
end=$((SECONDS + 30 + dur * 3))
while [ -z "$(peer_event "$log" moves)" ] && kill -0 "$FEEDER_PID" 2>/dev/null &&
	[ $SECONDS -lt $end ]; do
	sleep 0.1
done
sleep 0.2
kill -INT "$PING_PID" 2>/dev/null
wait "$PING_PID" 2>/dev/null
PING_PID=
mv_ev=$(peer_event "$log" moves)
lat_hist > "$OUT/mob-hist1.txt"
vlat=$(lat_quant "$OUT/mob-hist0.txt" "$OUT/mob-hist1.txt")
during=$(ping_stats "$OUT/ping-moves.txt")
[ -n "$mv_ev" ] || bn_log "mobility: the feeder reported no moves: $(cat "$log.err")"
emit() { echo "$1" >> "$RESULTS"; }
emit "$(jq -nc --argjson m "${mv_ev:-null}" --argjson b "$base" --argjson d "$during" \
	--argjson gap "$gap" --argjson vlat "${vlat:-null}" \
	--argjson rt "$([ -n "${MOB_RT:-}" ] && echo true || echo false)" --argjson alive "$(bn_vtepd_alive && echo true || echo false)" '
	($b.transmitted - $b.received) as $bl | ($d.transmitted - $d.received) as $dl |
	{kind: "mobility", moves: ($m.moves // 0), gap_ms: $gap, measured: ($m.measured // 0),
	 timeouts: ($m.timeouts // null),
	 p50_us: ($m.p50_us // null), p90_us: ($m.p90_us // null), p99_us: ($m.p99_us // null),
	 max_us: ($m.max_us // null), min_us: ($m.min_us // null), mean_us: ($m.mean_us // null),
	 p50_lo_us: ($m.p50_lo_us // null), p99_lo_us: ($m.p99_lo_us // null),
	 poll_us: ($m.poll_us // null), vtepd_update_to_map: $vlat, sched_fifo: $rt,
	 ping_interval_ms: 1, ping_during: $d, ping_baseline: $b,
	 lost_during: $dl, lost_baseline: $bl,
	 lost_per_move: (if ($m.moves // 0) > 0 then ($dl / $m.moves * 1000 | round) / 1000 else null end),
	 lost_per_move_above_baseline: (if ($m.moves // 0) > 0 and $b.transmitted > 0 and $d.transmitted > 0 then
		((($dl / $d.transmitted - $bl / $b.transmitted) * $d.transmitted / $m.moves) * 1000 | round) / 1000
		else null end),
	 vtepd_running: $alive}')"
tail -n1 "$RESULTS" | jq -r '"bench: mobility \(.moves) moves: UPDATE to map p50 \(.p50_us) us," +
	" p99 \(.p99_us) us (vtepd itself: p50 <= \(.vtepd_update_to_map.p50_le_s // "?") s," +
	" p99 <= \(.vtepd_update_to_map.p99_le_s // "?") s); ping lost \(.lost_during) of \(.ping_during.transmitted)" +
	" (\(.lost_per_move)/move; baseline \(.lost_baseline) of \(.ping_baseline.transmitted))"' >&2
exit 0
