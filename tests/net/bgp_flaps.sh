#!/bin/bash
# bgp_flaps.sh - session flaps leave nothing behind (issue 3, peer safety):
# vtepd built with ASan/UBSan on h1, GoBGP as route server for h1 and h2.
# h1's session is reset FLAPS times (a reload that changes a session
# setting: Cease/6, then a fresh session) while h2's routes flow through it;
# after every flap h1 holds exactly h2's routes again and traffic flows.
# Then the neighbor is removed by a reload: every BGP-learned entry leaves
# the maps (routes, fdb, neigh, vtep_remotes). At exit (SIGTERM) no sanitizer
# report: no leak, no memory error.
. "$(dirname "$0")/bgp_lib.sh"
bgp_begin
bgp_use_asan

FLAPS=${FLAPS:-15}   # GoBGP idles 5 s after each reset: ~7 s per flap
FAB=${PFX}fab
H1IP=$(uplink_ip h1); H2IP=$(uplink_ip h2)
G1=$(fab_ip h1); G2=$(fab_ip h2)

topo_base
nbr() { nbr_j "$1" 65000 "{\"hold_time_s\": 9, \"keepalive_s\": $2}"; }
bgp_config h1 65101 "[$(nbr "$G1" 3)]"
bgp_config h2 65102 "[$(nbr "$G2" 3)]"
gobgp_start "$FAB" "$(printf '[global.config]\n  as = 65000\n  router-id = "%s"\n' "$G1";
	gobgp_neighbor_toml "$H1IP" 65101 0 1; gobgp_neighbor_toml "$H2IP" 65102 0 1)"
vtepd_start h1
vtepd_start h2
check_until "h1 Established" 30 peer_up h1 "$G1"
check_until "h1 learned w21 and w22" 15 has_route h1 10.1.0.22/32 "$(vtep_ip h2)"

# flap N: reset h1's session (keepalive 3 <-> 4), wait for it to come back
# with h2's routes and no others.
bgp_entries() {  # BGP-sourced entries in h1's routes + fdb maps
	{ vt h1 -j routes; vt h1 -j fdb; } | jq -s '[.[][] | select(.source == "bgp")] | length'
}
flap() {
	local ka=$((3 + $1 % 2)) deadline=$((SECONDS + 30)) flaps0 n
	bgp_config h1 65101 "[$(nbr "$G1" "$ka")]"
	vt h1 reload >/dev/null || return 1
	until peer_up h1 "$G1" && has_route h1 10.1.0.21/32 "$(vtep_ip h2)" >/dev/null &&
		has_route h1 10.1.0.22/32 "$(vtep_ip h2)" >/dev/null; do
		[ $SECONDS -ge $deadline ] && { echo "flap $1: not back in 30 s"; return 1; }
		sleep 0.2
	done
	n=$(bgp_entries)
	[ "$n" = 4 ] || { echo "flap $1: $n BGP entries, want 4 (2 routes + 2 fdb)"; return 1; }
}
all_flaps() {
	local i
	for ((i = 1; i <= FLAPS; i++)); do flap "$i" || return 1; done
	echo "$FLAPS flaps done"
	grep -c "sent Cease/6" "$LOGDIR/vtepd-h1.log"
}
check "$FLAPS session resets, each back with exactly h2's routes" all_flaps
check "w11 -> w21 after the flaps" ping_ok "${PFX}w11" 10.1.0.21
rss() { awk '/VmRSS/ {print $2}' /proc/"${VTEPD_PID[h1]}"/status; }
echo "h1 vtepd RSS after $FLAPS flaps: $(rss) kB" >>"$LOG"

# Remove the neighbor: everything it taught goes.
bgp_config h1 65101 "[]"
run vt h1 reload
nothing_learned() {
	local n r
	n=$(bgp_entries); echo "BGP entries in routes+fdb: $n"
	r=$(bpftool -j map dump pinned "$(bpffs_of h1)/vtep_neigh" | jq '[.[] | .formatted.value // .value | tostring | select(test("BGP|bgp|\"source\":2"))] | length')
	echo "BGP-looking neigh entries: ${r:-?}"
	[ "$n" = 0 ] && ! has_remote h1 "$(vtep_ip h2)"
}
check_until "neighbor removed: no BGP entry left in h1's maps" 15 nothing_learned
check "w11 -> w21 gone with the routes" sh -c "! nsenter --net=/run/netns/${PFX}w11 ping -n -c 2 -W 1 -q 10.1.0.21"
bgp_config h1 65101 "[$(nbr "$G1" 3)]"
run vt h1 reload
back() { peer_up h1 "$G1" && has_route h1 10.1.0.21/32 "$(vtep_ip h2)"; }
check_until "neighbor added back by a reload: Established, w21 learned again" 30 back
vtepd_stop h1
check "no sanitizer report from vtepd on h1 (exit included: no leak)" no_sanitizer_report h1
