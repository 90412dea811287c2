#!/bin/bash
# bgp_pair_restart.sh - two vtepds peering with each other directly (eBGP,
# AS 65101 and 65102, no route server in between), both active (passive
# false), graceful restart (RFC 4724, 120 s) with the N bit (RFC 8538): the
# restart of cni_spec.sh's simulated node reboot, done again and again.
#
# vtepd on h1 is stopped (SIGTERM: sessions closed without NOTIFICATION,
# datapath kept) and started at once, RESTARTS times in a row; then h2's, and
# then both at once a few times. Each time both vtepds connect to each other
# at about the same moment, so RFC 4271 6.8 connection collisions happen,
# and the peer that stayed up sees a new OPEN while its old session may not
# yet be known dead (RFC 4724 4.2). After every restart:
#   - both sides are Established again within UP_S seconds (vtepctl -j peers);
#   - each side holds the other's workloads, learned from the peer and no
#     longer stale (End-of-RIB came), in its Adj-RIB-In and in its maps;
#   - w11 <-> w21 ping across VXLAN.
# At the end: neither vtepd ever refused the other's connection in an idle
# hold. Both run with -v: the FSM's debug lines (Idle, Active, collisions)
# are in the vtepd logs. RESTARTS (8), BOTH (3) and UP_S change the counts and the
# deadline.
. "$(dirname "$0")/bgp_lib.sh"
bgp_begin

RESTARTS=${RESTARTS:-8}
BOTH=${BOTH:-3}
UP_S=${UP_S:-10}
VTEPD_ARGS="${VTEPD_ARGS:+$VTEPD_ARGS }-v"

H1IP=$(uplink_ip h1); H2IP=$(uplink_ip h2)
nbr() { nbr_j "$1" "$2" '{"hold_time_s": 9, "keepalive_s": 3}'; }

topo_base
# The uplinks reach each other through the fabric (the peers' addresses).
run ip -n "${PFX}h1" route add 198.51.100.4/30 via "$(fab_ip h1)"
run ip -n "${PFX}h2" route add 198.51.100.0/30 via "$(fab_ip h2)"
bgp_config h1 65101 "[$(nbr "$H2IP" 65102)]"
bgp_config h2 65102 "[$(nbr "$H1IP" 65101)]"
vtepd_start h1
vtepd_start h2

# peer_of H: the address H peers with.
peer_of() { [ "$1" = h1 ] && echo "$H2IP" || echo "$H1IP"; }
both_up() { peer_up h1 "$H2IP" && peer_up h2 "$H1IP"; }
# fresh H PREFIX VTEP: PREFIX learned by H from its peer, not stale (the
# peer's End-of-RIB came after the restart), and in H's maps via VTEP.
fresh() {
	local r
	r=$(bgp_routes_where "$1" ".prefix == \"$2\"")
	echo "$1 bgp routes $2: ${r:-none}"
	# shellcheck disable=SC2016 # $p is jq's
	jqe "$r" '.peer == $p and .stale == false' --arg p "$(peer_of "$1")" &&
		has_route "$1" "$2" "$3"
}
routes_ok() {
	fresh h1 10.1.0.21/32 "$(vtep_ip h2)" && fresh h1 10.1.0.22/32 "$(vtep_ip h2)" &&
		fresh h2 10.1.0.11/32 "$(vtep_ip h1)" && fresh h2 10.1.0.12/32 "$(vtep_ip h1)"
}
traffic_ok() { ping_ok "${PFX}w11" 10.1.0.21 && ping_ok "${PFX}w21" 10.1.0.11; }
# show_peers: both sides' view, for the log when a check fails.
show_peers() { local h; for h in h1 h2; do echo "$h: $(vt "$h" -j peers 2>&1)"; done; }
up_in_time() { wait_until "$UP_S" both_up; local rc=$?; show_peers; return $rc; }

check_until "h1 and h2 Established" 30 both_up
check_until "each holds the other's workloads, fresh" 15 routes_ok
check "w11 <-> w21" traffic_ok

# restart_round NAME HOSTS...: stop and start vtepd on HOSTS at once, then
# the checks of one round.
restart_round() {
	local name=$1 h t0
	shift
	for h in "$@"; do vtepd_stop "$h"; done
	for h in "$@"; do vtepd_start "$h"; done
	t0=$(date +%s%3N)
	check "$name: Established again on both sides within ${UP_S} s" up_in_time
	echo "+ $name: up after $(($(date +%s%3N) - t0)) ms" >>"$LOG"
	check_until "$name: routes from the peer fresh on both sides" 15 routes_ok
	check "$name: w11 <-> w21" traffic_ok
}

for i in $(seq 1 "$RESTARTS"); do restart_round "h1 restart $i" h1; done
for i in $(seq 1 "$RESTARTS"); do restart_round "h2 restart $i" h2; done
for i in $(seq 1 "$BOTH"); do restart_round "h1+h2 restart $i" h1 h2; done

# The lockout itself: neither side ever refused the other's connection in an
# idle hold (RFC 4271 8.2.2: a connection lost in OpenSent, and a
# graceful-restart peer's session lost without a NOTIFICATION, go to Active).
never_refused() {
	! grep -h "incoming connection refused in Idle" "$LOGDIR"/vtepd-h1.log "$LOGDIR"/vtepd-h2.log
}
check "no connection refused in an idle hold, on either side" never_refused
