#!/bin/bash
# k8s_restart.sh - vtepd restarted under traffic loses nothing, in the
# Kubernetes cluster of tests/net/k8s_lib.sh (two vtepd nodes, an FRR 8.4
# leaf with a host behind it) when the route reflector is a graceful-restart
# helper for L2VPN EVPN: GoBGP (K8S_RR=gobgp), reflecting for h1, h2 and the
# FRR leaf. (FRR 8.4 as the reflector keeps no EVPN route of a restarting
# peer, so the other nodes lose what they send while the session is down:
# k8s_traffic.sh shows that.) Pods a1 on h1 and b1 on h2, attached through
# vtepd-cni and portmap. Twice, vtepd on h1 stops (SIGTERM, then kill -9) and
# starts again under four ping floods (1000 at 10 ms: 10 s or more, longer
# than the session stays down, about 7 s, most of it GoBGP's fixed 5 s idle
# hold after a session drops) and a TCP stream:
#   - while vtepd is down GoBGP holds h1's routes, stale (helper), and h2
#     still routes a1 to h1;
#   - b1 -> a1 across nodes, w31 behind the FRR leaf -> a1, a1 -> b1 and
#     node h2 -> a1 (through its host link): 0% loss each, the floods
#     running until h1's routes were fresh again at GoBGP;
#   - a TCP stream b1 -> a1 (k8s_stream.py: 8 bytes every 10 ms for 12 s,
#     echoed) survives: every byte back in order, no wait over 1 s between
#     echoes;
#   - afterwards h1's routes are fresh (no stale flag) at GoBGP and on h2,
#     h1 still lists its pod and routes b1, the FRR leaf still has a1's
#     type-2.
# The restart's durations are printed as INFO lines: vtepd down (stop until
# vtepctl answers), session down (stop until h1 is Established again), and
# until GoBGP's copy of a1 is fresh.
#
# K8S_RR_GR=0 turns graceful restart off at GoBGP: the stale checks and the
# cross-node loss checks then fail (what the scenario is there to catch).
PFX=${PFX:-k8-}
R=${R:-/run/vtepd-test-k8}
K8S_RR=gobgp
. "$(dirname "$0")/k8s_lib.sh"
STREAM=$TOP/tests/net/k8s_stream.py
STREAM_PORT=9000
bgp_begin
k8s_up

pod_add h1 a1 || die "ADD a1"
pod_add h2 b1 || die "ADD b1"
A1=${POD_IP[a1]} B1=${POD_IP[b1]}
say "pods: a1 $A1 (h1), b1 $B1 (h2); reflector: GoBGP $(gobgpd --version 2>/dev/null | awk '{print $NF}')"
for h in h1 h2; do
	check_until "GoBGP: session with $h Established" 30 gobgp_up "$FAB" "$(uplink_ip "$h")"
done
check_until "GoBGP: session with the FRR leaf Established" 30 gobgp_up "$FAB" "$(uplink_ip h3)"
# gr_negotiated: `gobgp neighbor` for h1 shows the graceful-restart
# capability advertised and received, l2vpn-evpn in GoBGP's (Local) and in
# vtepd's (Remote) with the forwarding-state bit.
gr_negotiated() {
	local t; t=$(gb "$FAB" neighbor "$(uplink_ip h1)"); echo "$t"
	awk '/^    graceful-restart:/ {g = 1; ok = /advertised and received/; next}
	     g && /^    [a-z]/ {g = 0}
	     g && /Local:/ {s = "l"}
	     g && /Remote:/ {s = "r"}
	     g && s == "l" && /l2vpn-evpn/ {l = 1}
	     g && s == "r" && /l2vpn-evpn, forward flag set/ {r = 1}
	     END {exit !(ok && l && r)}' <<<"$t"
}
check "GoBGP and h1 negotiated graceful restart for l2vpn-evpn (h1: forwarding state kept)" gr_negotiated
check_until "h1 learned b1 through GoBGP" 20 has_route h1 "$B1/32" 192.0.2.2
check_until "h2 learned a1 through GoBGP" 20 has_route h2 "$A1/32" 192.0.2.1
check_until "the FRR leaf learned a1's and b1's type-2 through GoBGP" 20 leaf_has "$A1" "$B1"
check "b1 -> a1 across nodes (TCP)" ask_is "${PFX}b1" "$A1" "$POD_PORT" a1 "$B1"
check "w31 behind the FRR leaf -> a1 (TCP)" ask_is "$W31" "$A1" "$POD_PORT" a1 10.1.0.31
check "node h2 -> a1 (through its host link, seen as 10.1.2.1)" ask_is "${PFX}h2" "$A1" "$POD_PORT" a1 10.1.2.1
bg stream-server nx "${PFX}a1" "$PY" "$STREAM" serve "$STREAM_PORT" 240
wait_until 10 grep -q listening "$LOGDIR/stream-server.out" || die "the stream server in a1 did not start"

# a1_at_gobgp: a1's MAC+IP route in GoBGP's RIB (the reflector's one table).
a1_at_gobgp() {
	gobgp_evpn "$FAB" | jq -c --arg ip "$A1" '[.. | objects | select(has("nlri") and has("attrs"))
		| select(.nlri.value.ip == $ip)] | .[0] // empty'
}
gobgp_stale() { local p; p=$(a1_at_gobgp); echo "GoBGP: ${p:-none}"; jqe "$p" '.stale == true'; }
gobgp_fresh() { local p; p=$(a1_at_gobgp); echo "GoBGP: ${p:-none}"; jqe "$p" '(.stale // false) == false'; }
# h2_fresh: h2's BGP routes for a1 (MAC+IP) are there, none stale.
h2_fresh() {
	local r; r=$(bgp_routes_where h2 ".prefix == \"$A1/32\"" | jq -s -c .); echo "h2: $r"
	jqe "$r" 'length > 0 and all(.stale == false)'
}
pods_listed() {
	local p; p=$(vt h1 -j pods); echo "$p"
	jqe "$p" 'any(.[]; .container_id == "c-a1")'
}
running() {  # running PID...: each still runs
	local p
	for p in "$@"; do kill -0 "$p" 2>/dev/null || { echo "pid $p already ended"; return 1; }; done
}
stream_ok() { local rc; bg_wait "$1" 40; rc=$?; cat "$LOGDIR/$2.out" "$LOGDIR/$2.err"; return $rc; }
now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", b - a}'; }

# restart HOW: the floods and the stream, then vtepd on h1 stopped (term:
# SIGTERM, kill: kill -9) and started again; the checks above.
restart() {
	local how=$1 before t0 t1 t2 t3 fb fw fa fh st f
	before=$(stat_of h2 fwd_encap)
	bg "flood-b1-$how" nx "${PFX}b1" ping -n -q -i 0.01 -c 1000 -W 1 "$A1"; fb=$BG
	bg "flood-w31-$how" nx "$W31" ping -n -q -i 0.01 -c 1000 -W 1 "$A1"; fw=$BG
	bg "flood-a1-$how" nx "${PFX}a1" ping -n -q -i 0.01 -c 1000 -W 1 "$B1"; fa=$BG
	bg "flood-h2-$how" nx "${PFX}h2" ping -n -q -i 0.01 -c 1000 -W 1 "$A1"; fh=$BG
	bg "stream-$how" nx "${PFX}b1" "$PY" "$STREAM" send "$A1" "$STREAM_PORT" 12 10 1000; st=$BG
	# Under way: h2 has encapsulated 100 of b1's and its own pings to a1.
	wait_until 10 counter_gt h2 fwd_encap $((before + 100)) || say "[$how] the floods did not start"
	t0=$(now)
	case $how in
	term) vtepd_stop h1 ;;
	kill) vtepd_kill9 h1 ;;
	esac
	check_until "[$how] vtepd on h1 down: GoBGP keeps its routes, stale (graceful-restart helper)" 5 gobgp_stale
	check "[$how] ... and h2 still routes a1 to h1" has_route h2 "$A1/32" 192.0.2.1
	vtepd_start h1
	t1=$(now)
	check_until "[$how] h1 Established with GoBGP again" 30 peer_up h1 "$(fab_ip h1)"
	t2=$(now)
	check_until "[$how] GoBGP's copy of a1 fresh again (h1's End-of-RIB)" 15 gobgp_fresh
	t3=$(now)
	check "[$how] the floods and the stream were still running then (they cover the whole restart)" \
		running "$fb" "$fw" "$fa" "$fh" "$st"
	check "[$how] b1 -> a1 across nodes (1000 at 10 ms): 0% loss" no_loss "$fb" "flood-b1-$how"
	check "[$how] w31 behind the FRR leaf -> a1: 0% loss" no_loss "$fw" "flood-w31-$how"
	check "[$how] a1 -> b1: 0% loss" no_loss "$fa" "flood-a1-$how"
	check "[$how] node h2 -> a1 (host link): 0% loss" no_loss "$fh" "flood-h2-$how"
	check "[$how] TCP stream b1 -> a1 survived: every byte echoed in order, no wait over 1 s" \
		stream_ok "$st" "stream-$how"
	f=$(cat "$LOGDIR/stream-$how.out")
	say "INFO $SCEN: [$how] vtepd down $(secs "$t0" "$t1") s (stop until vtepctl answers)," \
		"session down $(secs "$t0" "$t2") s, a1 fresh at GoBGP after $(secs "$t0" "$t3") s; stream: ${f:-?}"
	check_until "[$how] h2's routes for a1 fresh (no stale flag)" 10 h2_fresh
	check "[$how] h1 still lists its pod a1 (vtepctl pods)" pods_listed
	check_until "[$how] h1 routes b1 to h2 (relearned)" 10 has_route h1 "$B1/32" 192.0.2.2
	check "[$how] the FRR leaf still has a1's type-2" leaf_has "$A1"
	check "[$how] b1 -> a1 (TCP) after the restart" ask_is "${PFX}b1" "$A1" "$POD_PORT" a1 "$B1"
}
restart term
restart kill
