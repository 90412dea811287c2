#!/bin/bash
# bgp_rr.sh - three vtepd hosts behind an FRR 8.4 route reflector (iBGP, AS
# 65000; FRR runs in the fabric namespace, every vtepd is its client).
#
# Every host learns the others' workloads through the reflector alone (no
# static route anywhere) and every workload reaches every other. Then a
# workload M moves from h1 to h2: it appears on h2 and announces itself while
# its old port on h1 still exists; h2 advertises it with sequence 1, h1 and
# h3 follow, h1 withdraws its route, and traffic to M recovers.
. "$(dirname "$0")/bgp_lib.sh"
bgp_begin

FAB=${PFX}fab
M_IP=10.1.0.50; M_MAC=02:00:00:00:00:50

topo_fabric
for h in h1 h2 h3; do
	topo_host "$h"
	topo_workload "$h" 1
	topo_workload "$h" 2
done
frr_start "$FAB" "$(frr_rr_conf "$FAB" 65000 198.51.100.1 "h1 h2 h3")"
for h in h1 h2 h3; do
	bgp_config "$h" 65000 "[$(nbr_j "$(fab_ip "$h")" 65000 '{"hold_time_s": 9, "keepalive_s": 3}')]"
	vtepd_start "$h"
done

for h in h1 h2 h3; do
	check_until "$h: session with the reflector Established" 30 peer_up "$h" "$(fab_ip "$h")"
done
rr_routes() { vty "$FAB" "show bgp l2vpn evpn route type macip json"; }
rr_has_all() {
	local j; j=$(rr_routes)
	jqe "$j" '[.[] | objects | to_entries[] | select(.key | startswith("[2]")) | .key] | length >= 6'
}
check_until "the reflector holds the 6 workloads' routes" 15 rr_has_all
ibgp_attrs() {  # our routes reach FRR with LOCAL_PREF 100 and an empty AS path
	local j; j=$(vty "$FAB" "show bgp l2vpn evpn route rd 192.0.2.1:100 json")
	echo "$j" | head -c 1500
	jqe "$j" '[.. | objects | select(has("locPrf"))] | length > 0 and all(.locPrf == 100 and (.path // "") == "")'
}
check "h1's routes are iBGP: LOCAL_PREF 100, empty AS_PATH" ibgp_attrs
for h in h1 h2 h3; do
	n=${h#h}
	for o in 1 2 3; do
		[ "$o" = "$n" ] && continue
		check_until "$h learned w${o}1 and w${o}2 through the reflector" 15 \
			has_route "$h" "10.1.0.${o}1/32" "192.0.2.$o"
	done
done
for s in 11 21 31; do
	for d in 11 12 21 22 31 32; do
		[ "${s:0:1}" = "${d:0:1}" ] && continue
		check "w$s -> w$d" ping_ok "${PFX}w$s" "10.1.0.$d" 2
	done
done

# ---- M moves from h1 to h2
m_ns() {  # m_ns NS HOST: M's namespace behind veth "mob" on HOST
	ns_add "$1"
	run ip -n "$(ns_of "$2")" link add mob type veth peer name eth0 netns "$1"
	run ip -n "$1" link set eth0 address "$M_MAC"
	run ip -n "$1" addr add "$M_IP/16" dev eth0
	run ip -n "$1" link set eth0 up
	run ip -n "$1" route add default via "$GW_IP"
	run ip -n "$(ns_of "$2")" link set mob up
}
garp() { nx "$1" "$PY" "$NETPKT" arp eth0 "$M_IP" --sender "$M_IP" --timeout 0.3 >/dev/null 2>&1; return 0; }
m_route_is() {  # m_route_is H SOURCE VTEP|null SEQ(-1 any)
	local r; r=$(vt_route "$1" "$M_IP/32"); echo "$1 $M_IP: ${r:-none}"
	[ -n "$r" ] && jq_true "$r" ".source == \"$2\" and .vtep == $3 and ($4 < 0 or .seq == $4)"
}
rr_from() {  # the reflector holds a route for M with RD 192.0.2.N:100
	local j; j=$(rr_routes)
	jqe "$j" '(.[$rd] // {}) | keys | any(contains($m))' --arg rd "192.0.2.$1:100" --arg m "$M_MAC"
}

m_ns "${PFX}ma" h1
run vt h1 ports add mob vni 100 ip "$M_IP" mac "$M_MAC"
garp "${PFX}ma"
check_until "M on h1: h3 reaches it via 192.0.2.1" 15 m_route_is h3 bgp '"192.0.2.1"' 0
check "w31 -> M on h1" ping_ok "${PFX}w31" "$M_IP" 2

m_ns "${PFX}mb" h2
run vt h2 ports add mob vni 100 ip "$M_IP" mac "$M_MAC"
garp "${PFX}mb"
check_until "h2 advertises M with sequence 1 (h3 follows)" 15 m_route_is h3 bgp '"192.0.2.2"' 1
check_until "h1 follows: M via 192.0.2.2, sequence 1" 15 m_route_is h1 bgp '"192.0.2.2"' 1
check_until "h1's old route for M withdrawn at the reflector" 15 eval '! rr_from 1'
run vt h1 ports del mob
check_until "w31 -> M on h2" 20 ping_ok "${PFX}w31" "$M_IP" 2
check "w11 -> M on h2" ping_ok "${PFX}w11" "$M_IP" 2
check "w22 -> M (both on h2)" ping_ok "${PFX}w22" "$M_IP" 2
