#!/bin/bash
# bgp_fullmap.sh - a full map is an operating state. h1's vtepd has room for
# 1024 host routes (limits.routes) and the bench feeder (bench/feeder, in
# the fabric namespace, eBGP AS 65000) sends it 5000 type-2 routes:
#   - the map holds 1024 entries (h1's two ports first), the other routes
#     wait: vtepctl status and vtepd_map_pending{map="vtep_routes"} count
#     them, vtepctl bgp routes marks them pending;
#   - one warning says so (the map, its capacity, how many wait, the limit
#     to raise), not one line per route;
#   - h1's workloads keep talking; a port added while the map is full gets
#     its route (a BGP route moves out to wait) and is reachable;
#   - 500 routes withdrawn: as many waiting routes go in, the oldest first;
#   - vtepd restarted with limits.routes 8192: every route is installed and
#     nothing waits.
# h1 runs the ASan/UBSan build (the writer thread and the waiting queue
# under load) and must exit with no report.
. "$(dirname "$0")/bgp_lib.sh"
bgp_begin
bgp_use_asan

FEEDER=${FEEDER:-$TOP/build/bench/feeder}
[ -x "$FEEDER" ] || make -s -C "$TOP" build/bench/feeder >>"$LOG" 2>&1 ||
	die "no $FEEDER (make bench-tools)"
MPORT=9466
# shellcheck disable=SC2034 # read by write_config (lib.sh)
METRICS="\"127.0.0.1:$MPORT\""
H1IP=$(uplink_ip h1)          # 198.51.100.2
FIP=$(fab_ip h1)              # 198.51.100.1: the feeder
N=5000                        # routes sent
CAP=1024                      # limits.routes
WD=500                        # routes withdrawn
BASE=10.1.16.0                # route i: 10.1.16.0 + i, MAC 02:b0:00:00:00:00 + i

limits() {  # limits ROUTES: h1's limits.routes
	local f; f=$(cfg_of h1)
	if ! jq --argjson r "$1" '.limits.routes = $r' "$f" >"$f.tmp" || ! mv "$f.tmp" "$f"; then
		die "cannot write $f"
	fi
}
feeder_start() {  # feeder_start NAME [ARGS...]
	local name=$1; shift
	bg "$name" nx "$FAB" "$FEEDER" --connect "$H1IP:179" --bind "$FIP" --asn 65000 \
		--peer-asn 65101 --router-id "$FIP" --nexthop "$(vtep_ip h2)" -n "$N" --base "$BASE" \
		--hold 9 "$@"
	FEEDER_PID=$BG
}
ip_of() { local i=$1; printf '10.1.%d.%d' $((16 + i / 256)) $((i % 256)); }

topo_base
topo_workload h1 3
bgp_config h1 65101 "[$(nbr_j "$FIP" 65000 '{"hold_time_s": 9, "keepalive_s": 3, "passive": true}')]"
limits "$CAP"
vtepd_start h1
feeder_start feeder1 --withdraw-file "$LOGDIR/withdraw" --withdraw-n "$WD"

check_until "session Established (vtepctl peers)" 20 peer_up h1 "$FIP"

routes_n() { vt h1 -j routes | jq length; }
pending_status() { vt h1 -j status | jq '.maps[] | select(.map == "vtep_routes") | .pending'; }
pending_metric() {
	nx "$(ns_of h1)" curl -sf --max-time 10 "http://127.0.0.1:$MPORT/metrics" |
		sed -n 's/^vtepd_map_pending{map="vtep_routes"} //p'
}
# pending_is N: vtepctl status and /metrics both say N routes wait.
pending_is() {
	local s m
	s=$(pending_status); m=$(pending_metric)
	echo "waiting: status $s, metric $m (want $1)"
	[ "$s" = "$1" ] && [ "$m" = "$1" ]
}
# rib_pending I true|false: route I's path in vtepctl bgp routes says pending
# (or not).
rib_pending() {
	local r; r=$(vt h1 -j bgp routes prefix "$(ip_of "$1")/32")
	echo "route $1: $r"
	jq -e --argjson p "$2" 'length == 1 and .[0].best and .[0].pending == $p' <<<"$r" >/dev/null
}
full() { local n; n=$(routes_n); echo "vtep_routes: $n entries"; [ "$n" = "$CAP" ]; }
# The flat route table (docs/design.md) holds exactly what vtep_routes holds:
# vtepctl status's count of it against the map's entries.
table_is_map() {
	local t n
	t=$(vt h1 -j status | jq '.route_lookup.flat_table | select(.on) | .routes')
	n=$(routes_n)
	echo "flat route table: ${t:-off}; vtep_routes: $n entries"
	[ -n "$t" ] && [ "$t" = "$n" ]
}

check_until "vtep_routes is full: $CAP entries" 60 full
check_until "$((N - CAP + 2)) routes wait: vtepctl status and vtepd_map_pending" 30 \
	pending_is $((N - CAP + 2))
check "vtepctl bgp routes: an installed route is not pending" rib_pending 100 false
check "vtepctl bgp routes: a route beyond the capacity is pending" rib_pending 4000 true
too_big() {
	local out; out=$(vt h1 -j bgp routes 2>&1)
	echo "$out" | tail -n 1
	grep -q "the reply is over 65536 bytes: narrow it down" <<<"$out"
}
check "the whole RIB is too big for one reply: vtepctl says so" too_big
check "h1's ports kept their routes" sh -c "'$VTEPCTL' -s '$(sock_of h1)' -b '$(bpffs_of h1)' -j routes |
	jq -e '[.[] | select(.source == \"local\")] | length == 2'"
log_lines() {
	local log=$LOGDIR/vtepd-h1.log full per
	full=$(grep -c "vtep_routes is full (capacity $CAP entries): $((N - CAP + 2)) routes wait.*raise limits.routes" "$log")
	per=$(grep -c "cannot write" "$log")
	echo "full-map warnings: $full; per-route lines: $per; log lines: $(wc -l <"$log")"
	[ "$full" = 1 ] && [ "$per" = 0 ] && [ "$(wc -l <"$log")" -lt 40 ]
}
check "one warning names the map, its capacity, how many wait and the limit; no line per route" \
	log_lines
check "h1's workloads still reach each other" ping_ok "$(ns_of w11)" "$(wl_ip 12)"

# A port while the map is full: its route goes in, a BGP route waits instead.
run vt h1 ports add w3 vni 100 ip "$(wl_ip 13)" mac "$(wl_mac 13)"
local_13() {
	vt h1 -j routes | jq -e --arg p "$(wl_ip 13)/32" \
		'.[] | select(.prefix == $p and .source == "local")'
}
check_until "a port added while the map is full gets its route" 15 local_13
check "one more BGP route waits for it" pending_is $((N - CAP + 3))
check_until "and it is reachable" 10 ping_ok "$(ns_of w11)" "$(wl_ip 13)"

# Withdrawals free room: the oldest waiting routes go in.
run touch "$LOGDIR/withdraw"
check_until "$WD routes withdrawn: as many waiting ones go in" 30 pending_is $((N - WD - CAP + 3))
check "the map stays full" full
check "the flat route table followed every install, move and wait: as many routes as the map" \
	table_is_map
in_map() { vt h1 -j routes | jq -e --arg p "$(ip_of "$1")/32" '.[] | select(.prefix == $p)' >/dev/null; }
oldest_first() {
	local i
	for i in 1022 1100 1519; do in_map "$i" || { echo "route $i ($(ip_of "$i")) missing"; return 1; }; done
	for i in 1600 4999; do in_map "$i" && { echo "route $i ($(ip_of "$i")) installed"; return 1; }; done
	echo "routes 1022..1519 installed, 1600 and 4999 wait"
}
check "the oldest waiting routes went in first" oldest_first
check "and vtepctl bgp routes no longer marks them pending" rib_pending 1022 false

# A larger limit at restart: everything goes in.
stop_pid "$FEEDER_PID" 5
vtepd_stop h1
check "no sanitizer report (h1, first run)" no_sanitizer_report h1
limits 8192
vtepd_start h1
feeder_start feeder2
check_until "session Established again" 30 peer_up h1 "$FIP"
all_in() { local n; n=$(routes_n); echo "vtep_routes: $n entries"; [ "$n" = $((N + 3)) ]; }
check_until "restarted with limits.routes 8192: all $N routes and the 3 ports are in" 60 all_in
check "the new, larger flat route table holds them all" table_is_map
check "nothing waits" pending_is 0
check "route 4000 is not pending any more" rib_pending 4000 false
stop_pid "$FEEDER_PID" 5
vtepd_stop h1
check "no sanitizer report (h1)" no_sanitizer_report h1
