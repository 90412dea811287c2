#!/bin/bash
# bgp_8538.sh - Notification message support for graceful restart (RFC 8538)
# against GoBGP 3.10 as a route server with graceful restart and
# `notification-enabled` (the N bit) for two vtepd hosts.
#
# - h1 resets its session with Cease/Other Configuration Change (a reload
#   that changes a session setting): with the N bit exchanged that is no
#   Hard Reset (RFC 8538 5.1), so GoBGP keeps h1's routes, stale, while the
#   session is down, and h2 never loses w11; End-of-RIB freshens them.
# - h1 removes the neighbor: Cease/Peer De-configured goes out as a Hard
#   Reset (Cease/9 wrapping Cease/3), GoBGP drops h1's routes at once and h2
#   loses w11.
# - The neighbor back, GoBGP resets the session (`gobgp neighbor reset`:
#   Cease/Administrative Reset, which GoBGP sends as no Hard Reset): vtepd
#   on h1 keeps h2's routes, stale, in its RIB and maps (RFC 8538 4, the
#   receiving side) and keeps encapsulating towards h2. GoBGP then idles
#   30 s; the test ends there.
. "$(dirname "$0")/bgp_lib.sh"
bgp_begin

FAB=${PFX}fab
H1IP=$(uplink_ip h1); H2IP=$(uplink_ip h2)
G1=$(fab_ip h1); G2=$(fab_ip h2)

gobgp_conf() {  # route server, GR with the N bit for both
	cat <<EOF
[global.config]
  as = 65000
  router-id = "$G1"
  port = 179
EOF
	{ gobgp_neighbor_toml "$H1IP" 65101 1 1; gobgp_neighbor_toml "$H2IP" 65102 1 1; } |
		sed 's/^    restart-time = 60$/&\n    notification-enabled = true/'
}
nbr() { nbr_j "$1" 65000 "{\"hold_time_s\": 9, \"keepalive_s\": $2}"; }

topo_base
bgp_config h1 65101 "[$(nbr "$G1" 3)]"
bgp_config h2 65102 "[$(nbr "$G2" 3)]"
gobgp_start "$FAB" "$(gobgp_conf)"
vtepd_start h1
vtepd_start h2
check_until "h1 Established with GoBGP" 30 peer_up h1 "$G1"
check_until "h2 Established with GoBGP" 30 peer_up h2 "$G2"
check_until "h2 learned w11 (via the route server)" 15 has_route h2 10.1.0.11/32 "$(vtep_ip h1)"
n_bit() {  # our log says the N bit was exchanged
	grep -E "Established .*graceful restart with notification \(RFC 8538\)" "$LOGDIR/vtepd-h1.log"
}
check "h1: graceful restart with the N bit exchanged with GoBGP" n_bit

gobgp_path() {  # h1's w11 in GoBGP's route-server RIB for h2
	gb "$FAB" -j neighbor "$H2IP" local -a evpn 2>/dev/null | jq -c '[.. | objects
		| select(has("nlri") and has("attrs")) | select(.nlri.value.ip == "10.1.0.11")] | .[0] // empty'
}
gobgp_stale() { local p; p=$(gobgp_path); echo "GoBGP: ${p:-none}" | head -c 400; jqe "$p" '.stale == true'; }
gobgp_fresh() { local p; p=$(gobgp_path); echo "GoBGP: ${p:-none}" | head -c 400; jqe "$p" '(.stale // false) == false'; }
gobgp_gone() { local p; p=$(gobgp_path); echo "GoBGP: ${p:-none}"; [ -z "$p" ]; }

# ---- a Cease that is not a Hard Reset: GoBGP keeps h1's routes, stale
bgp_config h1 65101 "[$(nbr "$G1" 4)]"
run vt h1 reload
check "h1 sent Cease/6 as such (graceful by RFC 8538 5.1)" \
	grep -E "sent Cease/6 Other Configuration Change" "$LOGDIR/vtepd-h1.log"
check_until "GoBGP keeps h1's w11, stale, after the Cease (RFC 8538 4)" 4 gobgp_stale
check "h2 keeps w11 meanwhile" has_route h2 10.1.0.11/32 "$(vtep_ip h1)"
check_until "h1 Established again" 30 peer_up h1 "$G1"
check_until "End-of-RIB: w11 fresh again in GoBGP" 15 gobgp_fresh

# ---- Hard Reset: the neighbor removed
bgp_config h1 65101 "[]"
run vt h1 reload
check "h1 sent a Hard Reset wrapping Cease/3 (RFC 8538 5)" \
	grep -E "sent Hard Reset Cease/3 Peer De-configured" "$LOGDIR/vtepd-h1.log"
check_until "GoBGP dropped h1's w11 at once (no helper mode after a Hard Reset)" 5 gobgp_gone
check_until "h2 lost w11" 10 no_route h2 10.1.0.11/32

# ---- the receiving side: a NOTIFICATION from GoBGP that is no Hard Reset
bgp_config h1 65101 "[$(nbr "$G1" 3)]"
run vt h1 reload
check_until "h1 Established again after the neighbor came back" 30 peer_up h1 "$G1"
check_until "h1 learned w21 again" 15 has_route h1 10.1.0.21/32 "$(vtep_ip h2)"
check_until "h2 learned w11 again" 15 has_route h2 10.1.0.11/32 "$(vtep_ip h1)"
check "h2 accepts VXLAN from h1 again" has_remote h2 "$(vtep_ip h1)"
check "w11 -> w21 before the reset" ping_ok "${PFX}w11" 10.1.0.21
run gb "$FAB" neighbor "$H1IP" reset
kept() {
	grep -E "received NOTIFICATION 6/4 .*Administrative Reset" "$LOGDIR/vtepd-h1.log" &&
		grep -E "routes kept as stale \(graceful restart\)" "$LOGDIR/vtepd-h1.log" &&
		peer_down h1 "$G1"
}
check_until "GoBGP's Cease/4 (no Hard Reset): h1 keeps h2's routes as stale" 10 kept
check "h1 still forwards to w21 with the stale routes" has_route h1 10.1.0.21/32 "$(vtep_ip h2)"
# (GoBGP withdraws h1's routes from h2 meanwhile, so h2 drops what h1 sends:
# what is checked is h1's datapath still encapsulating towards h2.)
encap_stale() {
	local before; before=$(stat_of h1 fwd_encap)
	nx "${PFX}w11" ping -n -q -c 5 -i 0.2 -W 1 10.1.0.21 >/dev/null 2>&1
	counter_gt h1 fwd_encap $((before + 4))
}
check "h1 still encapsulates w11 -> w21 with the stale routes" encap_stale
