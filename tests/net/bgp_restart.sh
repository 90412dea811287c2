#!/bin/bash
# bgp_restart.sh - graceful restart (RFC 4724) with vtepd as the restarting
# speaker, and the peer safety knobs (RFC 2385 TCP MD5, RFC 5082 GTSM,
# max-prefix), against GoBGP as a route server (AS 65000) for two vtepd
# hosts (AS 65101, 65102).
#
# Restart: h1 and h2 learn each other's workloads through GoBGP. vtepd on h1
# stops (SIGTERM: sessions closed without NOTIFICATION): GoBGP keeps h1's
# routes as a helper, so h2 keeps forwarding to h1, and h1's datapath keeps
# forwarding with the maps it has. vtepd comes back: its OPEN carries the R
# bit (the pins were there), the routes are fresh again after End-of-RIB,
# and nothing stale is left in h1's maps. Then a kill -9 does the same.
#
# Safety: a session with a TCP MD5 password comes up only with the right key;
# GTSM refuses a peer that is not one hop away (TTL < 254); a peer that sends
# more routes than max_prefixes gets Cease/1 and its routes are withdrawn.
. "$(dirname "$0")/bgp_lib.sh"
bgp_begin

FAB=${PFX}fab
H1IP=$(uplink_ip h1); H2IP=$(uplink_ip h2)
G1=$(fab_ip h1); G2=$(fab_ip h2)

gobgp_conf() {  # gobgp_conf [H1_CONFIG_LINES [H1_TABLES]]: route server, GR
	cat <<EOF
[global.config]
  as = 65000
  router-id = "$G1"
  port = 179
EOF
	gobgp_neighbor_toml "$H1IP" 65101 1 1 "${1:-}" "${2:-}"
	gobgp_neighbor_toml "$H2IP" 65102 1 1
}
nbr() { nbr_j "$1" 65000 '{"hold_time_s": 9, "keepalive_s": 3}'; }

topo_base
bgp_config h1 65101 "[$(nbr "$G1")]"
bgp_config h2 65102 "[$(nbr "$G2")]"
gobgp_start "$FAB" "$(gobgp_conf)"
vtepd_start h1
vtepd_start h2
check_until "h1 Established with GoBGP" 30 peer_up h1 "$G1"
check_until "h2 Established with GoBGP" 30 peer_up h2 "$G2"
check_until "h1 learned w21 (via the route server)" 15 has_route h1 10.1.0.21/32 "$(vtep_ip h2)"
check_until "h2 learned w11" 15 has_route h2 10.1.0.11/32 "$(vtep_ip h1)"
check "w11 -> w21" ping_ok "${PFX}w11" 10.1.0.21

# ---- planned restart of vtepd on h1
gobgp_path() {  # h1's w11 in GoBGP's route-server RIB for h2
	gb "$FAB" -j neighbor "$H2IP" local -a evpn 2>/dev/null | jq -c '[.. | objects
		| select(has("nlri") and has("attrs")) | select(.nlri.value.ip == "10.1.0.11")] | .[0] // empty'
}
gobgp_stale() { jqe "$(gobgp_path)" '.stale == true'; }
gobgp_fresh() { jqe "$(gobgp_path)" '(.stale // false) == false'; }
# flood_start NAME: 6000 pings w21 -> w11 at 2 ms (12 s, longer than the
# restart); no_loss NAME: it finished with every reply received.
flood_start() {
	local before; before=$(stat_of h2 fwd_encap)
	bg "flood-$1" nx "${PFX}w21" ping -n -q -i 0.002 -c 6000 -w 60 10.1.0.11
	FLOOD=$BG
	wait_until 10 counter_gt h2 fwd_encap $((before + 200)) || echo "flood did not start"
}
no_loss() {
	if ! kill -0 "$FLOOD" 2>/dev/null; then
		echo "the flood ended before vtepd was back: the test proved nothing"; return 1
	fi
	bg_wait "$FLOOD" 60
	cat "$LOGDIR/flood-$1.out"
	grep -q " 0% packet loss" "$LOGDIR/flood-$1.out"
}

flood_start term
vtepd_stop h1
check_until "GoBGP keeps h1's routes, stale (helper mode)" 5 gobgp_stale
check "h2 keeps h1's w11 while vtepd on h1 is down" has_route h2 10.1.0.11/32 "$(vtep_ip h1)"
check "w11 -> w21 while vtepd on h1 is down (the maps forward)" ping_ok "${PFX}w11" 10.1.0.21
vtepd_start h1
check "no packet lost w21 -> w11 across the restart (6000 pings)" no_loss term
check_until "h1 Established again" 30 peer_up h1 "$G1"
r_bit() {
	local t; t=$(gb "$FAB" neighbor "$H1IP"); echo "$t"
	grep -A3 "graceful-restart" <<<"$t" | grep -qi "restart flag\|restarting\|R-bit"
}
check "vtepd's OPEN after the restart carried the R bit" r_bit
check_until "GoBGP's copy of w11 fresh again" 15 gobgp_fresh
check "h1 relearned w21" has_route h1 10.1.0.21/32 "$(vtep_ip h2)"
check "the initial sync ran after End-of-RIB" \
	grep -q "End-of-RIB from every peer" "$LOGDIR/vtepd-h1.log"

# ---- kill -9: the same from the peers' point of view (TCP closes, no NOTIFICATION)
flood_start kill
vtepd_kill9 h1
check_until "GoBGP keeps h1's routes after kill -9" 10 gobgp_stale
vtepd_start h1
check "no packet lost w21 -> w11 across kill -9 (6000 pings)" no_loss kill
check_until "h1 Established again after kill -9" 30 peer_up h1 "$G1"
check_until "GoBGP's copy fresh again after kill -9" 15 gobgp_fresh

# ---- a route h1 learned that disappears while vtepd is down is not left
# behind: h2 withdraws w22 (port deleted) while h1 is stopped.
vtepd_stop h1
run vt h2 ports del w2
vtepd_start h1
check_until "h1 Established (3rd start)" 30 peer_up h1 "$G1"
check_until "w22, gone while vtepd on h1 was down, leaves h1's maps" 20 \
	no_route h1 10.1.0.22/32
check "w21 stays" has_route h1 10.1.0.21/32 "$(vtep_ip h2)"

# ---- TCP MD5 (RFC 2385): GoBGP and h1 share a key; then h1's key is wrong
gobgp_stop "$FAB"
gobgp_start "$FAB" "$(gobgp_conf '    auth-password = "vtep-secret"')"
bgp_config h1 65101 "[$(nbr_j "$G1" 65000 '{"hold_time_s": 9, "keepalive_s": 3, "password": "vtep-secret"}')]"
run vt h1 reload
check_until "MD5: session up with the right key" 30 peer_up h1 "$G1"
bgp_config h1 65101 "[$(nbr_j "$G1" 65000 '{"hold_time_s": 9, "keepalive_s": 3, "password": "wrong"}')]"
run vt h1 reload
check_until "MD5: the session goes down with a wrong key" 20 peer_down h1 "$G1"
sleep_check() {  # stays down for 8 s (TCP never completes: segments dropped)
	local t=$((SECONDS + 8))
	while [ $SECONDS -lt $t ]; do peer_up h1 "$G1" && return 1; sleep 0.5; done
}
check "MD5: never Established with a wrong key" sleep_check

# ---- GTSM (RFC 5082): GoBGP sends TTL 1 to eBGP peers (no GTSM on its side):
# h1 with ttl_security refuses it; with GTSM on both sides it comes up.
gobgp_stop "$FAB"
gobgp_start "$FAB" "$(gobgp_conf)"
bgp_config h1 65101 "[$(nbr_j "$G1" 65000 '{"hold_time_s": 9, "keepalive_s": 3, "ttl_security": true}')]"
run vt h1 reload
check "GTSM: a peer sending TTL 1 never gets Established" sleep_check
gobgp_stop "$FAB"
gobgp_start "$FAB" "$(gobgp_conf "" "$(printf '  [neighbors.ttl-security.config]\n    enabled = true\n    ttl-min = 255')")"
check_until "GTSM: up when the peer sends TTL 255 too" 30 peer_up h1 "$G1"

# ---- max-prefix: h1 accepts at most 2 routes from GoBGP; h2 has 1 port
# (w21) now: fine; two more ports on h2 make 3.
bgp_config h1 65101 "[$(nbr_j "$G1" 65000 '{"hold_time_s": 9, "keepalive_s": 3, "ttl_security": true, "max_prefixes": 2}')]"
run vt h1 reload
check_until "max-prefix 2: up with h2's one route" 30 peer_up h1 "$G1"
for i in 1 2; do
	run ip -n "${PFX}h2" link add "x$i" type veth peer name "x${i}p"
	run ip -n "${PFX}h2" link set "x$i" up
	run ip -n "${PFX}h2" link set "x${i}p" up
	run vt h2 ports add "x$i" vni 100 ip "10.1.0.8$i" mac "02:00:00:00:00:8$i"
done
check_until "max-prefix exceeded: session torn down" 15 peer_down h1 "$G1"
check "Cease/1 (Maximum Number of Prefixes Reached) sent" \
	grep -q "sent NOTIFICATION 6/1" "$LOGDIR/vtepd-h1.log"
check_until "the peer's routes are withdrawn" 10 no_route h1 10.1.0.21/32
check "and it stays down (Idle, connections refused) for a while" sleep_check
