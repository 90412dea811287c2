#!/bin/bash
# bgp_frr.sh - vtepd and FRR 8.4 as a real EVPN leaf, eBGP between them.
#
#   vb-h1: vtepd (AS 65101), workloads w11, w12 on veths
#   vb-h2: FRR zebra + bgpd (AS 65002), `advertise-all-vni`, a kernel VXLAN
#          device vx100 (VNI 100, local 192.0.2.2, no learning, ARP
#          suppression) in bridge br100 with an SVI (10.1.0.250/16), and a
#          host w21 behind it on a veth
#
# FRR learns w21 from its bridge (MAC) and SVI neighbour table (IP) and
# advertises a type-2 MAC+IP route; vtepd advertises its workloads; each side
# installs the other's. Checks: the session, each side's routes in the
# other's tables, ping and TCP both ways, and ARP answered locally on both
# sides (no ARP crosses the fabric inside VXLAN).
. "$(dirname "$0")/bgp_lib.sh"
bgp_begin

H1=${PFX}h1; H2=${PFX}h2; W21=${PFX}w21
H1IP=$(uplink_ip h1)          # 198.51.100.2
H2IP=$(uplink_ip h2)          # 198.51.100.6

topo_fabric
topo_host h1
topo_host h2
topo_workload h1 1
topo_workload h1 2
# The BGP session runs between the uplink addresses, one routed hop apart.
run ip -n "$H1" route add 198.51.100.4/30 via "$(fab_ip h1)"
run ip -n "$H2" route add 198.51.100.0/30 via "$(fab_ip h2)"
# h2: an FRR leaf. Bridge + VXLAN device (no learning: FRR programs the
# remote MACs) + SVI, w21 behind the bridge.
frr_leaf_topo h2 21

frr_start "$H2" "$(frr_leaf_conf)"
bgp_config h1 65101 "[$(nbr_j "$H2IP" 65002 '{"hold_time_s": 9, "keepalive_s": 3}')]"
vtepd_start h1

frr_up() { jqe "$(vty "$H2" "show bgp l2vpn evpn summary json")" '.peers[$a].state == "Established"' --arg a "$H1IP"; }
check_until "vtepd: session with FRR Established" 30 peer_up h1 "$H2IP"
check_until "FRR: session with vtepd Established" 10 frr_up

# FRR learns w21's MAC from its first frame and its IP from the SVI's
# neighbour table: w21 talks to the SVI until FRR has both.
check "FRR learned w21's MAC and IP (local)" frr_local_ip "$W21" 10.1.0.21

# ---- vtepd's routes in FRR: remote MACs + neighbours on VNI 100, VTEP 192.0.2.1
frr_has_mac() {
	local j; j=$(vty "$H2" "show evpn mac vni 100 mac $1 json"); echo "$j"
	jqe "$j" '[.. | objects | select(has("remoteVtep"))] | length > 0 and all(.remoteVtep == $v)' \
		--arg v "$(vtep_ip h1)"
}
frr_has_neigh() {
	local j; j=$(vty "$H2" "show evpn arp-cache vni 100 ip $1 json"); echo "$j"
	jqe "$j" '.type == "remote" and .remoteVtep == $v' --arg v "$(vtep_ip h1)"
}
check_until "FRR installed w11's MAC behind VTEP 192.0.2.1" 15 frr_has_mac "$(wl_mac 11)"
check_until "FRR installed w11's IP (ARP suppression entry)" 10 frr_has_neigh 10.1.0.11
check "the kernel bridge forwards w11's MAC to 192.0.2.1" sh -c \
	"nsenter --net=/run/netns/$H2 bridge fdb show dev vx100 | grep '$(wl_mac 11)' | grep -q 'dst $(vtep_ip h1)'"

# ---- FRR's w21 in vtepd
check_until "vtepd learned w21 (MAC+IP) from FRR" 20 has_route h1 10.1.0.21/32 "$(vtep_ip h2)"
check "vtepd fdb: w21's MAC behind 192.0.2.2" has_fdb h1 "$(wl_mac 21)" "$(vtep_ip h2)"
check "FRR's RD, route target and peer in vtepctl bgp routes" bgp_route_has h1 \
	".prefix == \"10.1.0.21/32\" and (.rd | startswith(\"192.0.2.2:\")) and
	 (.route_targets | index(\"65002:100\")) != null and .peer == \"$H2IP\" and .best"

# ---- traffic, with ARP answered locally on both sides
cap_start fab "${PFX}fab" to-h2 "udp port 4789"; c=$CAP
run ip -n "$W21" neigh flush all
arp_before=$(stat_of h1 arp_reply)
check "w11 (vtepd) -> w21 (behind FRR)" ping_ok "${PFX}w11" 10.1.0.21
check "w21 (behind FRR) -> w11 (vtepd)" ping_ok "$W21" 10.1.0.11
check "w21 -> w12 (vtepd)" ping_ok "$W21" 10.1.0.12
cap_stop "$c"
check "vtepd answered w11's ARP itself" counter_gt h1 arp_reply "$arp_before"
no_arp_in_vxlan() {
	local j; j=$(pcap_json fab); printf '%s\n' "$j" >"$LOGDIR/fab.json"
	jq -e 'length > 0' <<<"$j" >/dev/null || { echo "no VXLAN captured"; return 1; }
	jq -e '[.[] | select(.in_ethertype == 2054)] | length == 0' <<<"$j"
}
check "no ARP crossed the fabric in VXLAN (both sides answered locally)" no_arp_in_vxlan
w21_knows_w11() { local m; m=$(neigh_mac "$W21" 10.1.0.11); echo "w21: 10.1.0.11 at ${m:-?}"; [ "$m" = "$(wl_mac 11)" ]; }
check "w21 resolved w11 to its real MAC (FRR's ARP suppression)" w21_knows_w11

tcp_to() {  # tcp_to SERVER_NS SERVER_IP CLIENT_NS
	bg "iperf-$1" nx "$1" iperf3 -s -1 -B "$2"
	local srv=$BG
	wait_until 10 sh -c "nsenter --net=/run/netns/$1 ss -Hltn 'sport = :5201' | grep -q 5201" || return 1
	timeout 30 nsenter --net="/run/netns/$3" iperf3 -c "$2" -t 1 --connect-timeout 3000 -J \
		>"$LOGDIR/iperf-$3.json" 2>&1
	bg_wait "$srv" 10 >/dev/null
	jq -e '.end.sum_received.bytes > 0' "$LOGDIR/iperf-$3.json"
}
check "TCP w11 -> w21" tcp_to "$W21" 10.1.0.21 "${PFX}w11"
check "TCP w21 -> w11" tcp_to "${PFX}w11" 10.1.0.11 "$W21"

# ---- withdrawal both ways: FRR's host leaves, vtepd's port leaves
run vt h1 ports del w2
check_until "FRR removes w12 when vtepd withdraws it" 15 \
	sh -c "! vtysh -N $H2 -c 'show evpn mac vni 100 mac $(wl_mac 12) json' | grep -q remoteVtep"
run ip -n "$H2" link set w1 down
nx "$H2" bridge fdb del "$(wl_mac 21)" dev w1 master >/dev/null 2>&1
check_until "vtepd removes w21 when FRR withdraws it" 30 no_route h1 10.1.0.21/32
