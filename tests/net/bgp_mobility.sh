#!/bin/bash
# bgp_mobility.sh - MAC mobility (RFC 7432 15) between vtepd and FRR 8.4.
#
# The topology of bgp_frr.sh: vtepd on vb-h1 (AS 65101), FRR leaf on vb-h2
# (AS 65002) with a bridge, a VXLAN device and w21 behind it. Workload M
# (10.1.0.50, 02:00:00:00:00:50) starts on h1 (port m1) and moves:
#   1. to behind FRR: it appears there and announces itself (gratuitous ARP)
#      while its old port on h1 still exists; FRR advertises it with
#      sequence 1; vtepd follows (its route points at FRR's VTEP, its own
#      advertisement is withdrawn), then the old port goes away;
#   2. back to h1: the port comes back and M announces itself; vtepd
#      advertises sequence 2, FRR accepts it, the FRR-side interface goes.
# After each move, traffic to M from both sides recovers (polled).
. "$(dirname "$0")/bgp_lib.sh"
bgp_begin

H1=${PFX}h1; H2=${PFX}h2; W21=${PFX}w21
H1IP=$(uplink_ip h1)
H2IP=$(uplink_ip h2)
M_IP=10.1.0.50; M_MAC=02:00:00:00:00:50
MA=${PFX}ma        # M while on h1
MB=${PFX}mb        # M while behind FRR

# m_ns NS HOST_NS IFNAME [BRIDGE]: M's namespace behind a veth IFNAME in HOST_NS.
m_ns() {
	ns_add "$1"
	run ip -n "$2" link add "$3" type veth peer name eth0 netns "$1"
	run ip -n "$1" link set eth0 address "$M_MAC"
	run ip -n "$1" addr add "$M_IP/16" dev eth0
	run ip -n "$1" link set eth0 up
	run ip -n "$1" route add default via "$GW_IP"
	[ -n "${4:-}" ] && run ip -n "$2" link set "$3" master "$4"
	run ip -n "$2" link set "$3" up
}
m_del() {
	local i
	ip netns del "$1"
	for i in "${!NS_CREATED[@]}"; do [ "${NS_CREATED[$i]}" = "$1" ] && unset "NS_CREATED[$i]"; done
	NS_CREATED=("${NS_CREATED[@]}")
}
# garp NS: M announces itself (ARP request for its own address).
garp() { nx "$1" "$PY" "$NETPKT" arp eth0 "$M_IP" --sender "$M_IP" --timeout 0.3 >/dev/null 2>&1; return 0; }

topo_fabric
topo_host h1
topo_host h2
topo_workload h1 1
run ip -n "$H1" route add 198.51.100.4/30 via "$(fab_ip h1)"
run ip -n "$H2" route add 198.51.100.0/30 via "$(fab_ip h2)"
frr_leaf_topo h2 21
# A gratuitous ARP refreshes the SVI's neighbour table, from which zebra
# learns a MAC's IP.
run nx "$H2" sysctl -qw net.ipv4.conf.br100.arp_accept=1

frr_start "$H2" "$(frr_leaf_conf)"
bgp_config h1 65101 "[$(nbr_j "$H2IP" 65002 '{"hold_time_s": 9, "keepalive_s": 3}')]" \
	"$(port_j w1 10.1.0.11 "$(wl_mac 11)")"
vtepd_start h1
check_until "session Established" 30 peer_up h1 "$H2IP"
check "FRR learned w21's IP" frr_local_ip "$W21" 10.1.0.21
check_until "vtepd learned w21 (MAC+IP) from FRR" 15 has_route h1 10.1.0.21/32 "$(vtep_ip h2)"

frr_mac() { vty "$H2" "show evpn mac vni 100 mac $M_MAC json"; }
# frr_mac_is TYPE [VTEP] SEQ_FIELD SEQ: FRR's entry for M.
frr_mac_is() {
	local j; j=$(frr_mac); echo "$j"
	jqe "$j" '[.. | objects | select(has("type"))][0] as $e
		| $e.type == $t and ($v == "" or $e.remoteVtep == $v) and ($e[$f] // -1) == $s' \
		--arg t "$1" --arg v "$2" --arg f "$3" --argjson s "$4"
}
m_route() { vt_route h1 "$M_IP/32"; }
m_route_is() {  # m_route_is SOURCE VTEP|null SEQ (-1: any)
	local r; r=$(m_route); echo "h1 $M_IP: ${r:-none}"
	[ -n "$r" ] && jq_true "$r" ".source == \"$1\" and .vtep == $2 and ($3 < 0 or .seq == $3)"
}
# frr_route_from_h1: FRR's BGP table holds a type-2 route for M from h1
# (RD 192.0.2.1:100, whatever the IP).
frr_route_from_h1() {
	local j; j=$(vty "$H2" "show bgp l2vpn evpn route type macip json")
	jqe "$j" '(.["192.0.2.1:100"] // {}) | keys | any(contains($m))' --arg m "$M_MAC"
}
withdrawn() { ! frr_route_from_h1; }

# ---- M on h1
m_ns "$MA" "$H1" m1
run vt h1 ports add m1 vni 100 ip "$M_IP" mac "$M_MAC"
garp "$MA"
check_until "M on h1: a local route" 10 m_route_is local null -1
check_until "FRR has M remote at 192.0.2.1" 15 frr_mac_is remote "$(vtep_ip h1)" remoteSequence 0
check "w21 (FRR) -> M on h1" ping_ok "$W21" "$M_IP"

# ---- move 1: M appears behind FRR and announces itself; then its old port goes
m_ns "$MB" "$H2" mb br100
garp "$MB"
check_until "FRR: M local, sequence 1 (it had it remote at 0)" 15 \
	frr_mac_is local "" localSequence 1
# FRR advertises the MAC alone at first: its SVI still holds M's IP as our
# remote entry. RFC 7432 15: the sequence belongs to the MAC, so our MAC+IP
# route with sequence 0 loses too.
check_until "vtepd follows FRR's sequence 1 for M's MAC (fdb via 192.0.2.2)" 15 \
	has_fdb h1 "$M_MAC" "$(vtep_ip h2)"
check_until "vtepd withdraws its own route for M" 15 withdrawn
run vt h1 ports del m1
m_del "$MA"
check_until "vtepd's route for M gone with its port" 15 withdrawn
check "FRR learned M's IP behind it" frr_local_ip "$MB" "$M_IP"
check_until "vtepd: M via 192.0.2.2 with sequence 1" 15 m_route_is bgp '"192.0.2.2"' 1
check_until "w11 (h1) -> M behind FRR" 20 ping_ok "${PFX}w11" "$M_IP" 2
check "w21 -> M (both behind FRR)" ping_ok "$W21" "$M_IP"

# ---- move 2: back to h1: port and announcement first, then FRR's side goes
m_ns "$MA" "$H1" m1
run vt h1 ports add m1 vni 100 ip "$M_IP" mac "$M_MAC"
garp "$MA"
check_until "vtepd: M local again" 15 m_route_is local null -1
check_until "FRR accepts vtepd's sequence 2: M remote at 192.0.2.1" 15 \
	frr_mac_is remote "$(vtep_ip h1)" remoteSequence 2
run ip -n "$H2" link set mb down
m_del "$MB"
check_until "w21 (FRR) -> M back on h1" 20 ping_ok "$W21" "$M_IP" 2
check "w11 -> M (both on h1)" ping_ok "${PFX}w11" "$M_IP"
