#!/bin/bash
# 08-interop.sh - interoperability with Linux's own VXLAN: h2 runs no vtepd but
# a plain vxlan device (VNI 100, UDP 4789, no learning) in a bridge with
# workload w21; static fdb/neigh entries stand in for a control plane. Pings
# both ways, and an ARP from the Linux side (flooded to h1 as VXLAN) for one
# of h1's workloads is answered.
. "$(dirname "$0")/lib.sh"
net_begin
topo_fabric
topo_host h1
topo_host h2
topo_workload h1 1
topo_workload h1 2
topo_workload h2 1
H2=${PFX}h2; W21=${PFX}w21
run ip -n "$H2" link add br100 type bridge
run ip -n "$H2" link add vx100 type vxlan id 100 local "$(vtep_ip h2)" dstport 4789 nolearning
run ip -n "$H2" link set vx100 master br100
run ip -n "$H2" link set w1 master br100
run ip -n "$H2" link set vx100 up
run ip -n "$H2" link set br100 up
# Broadcast (the ARP below) goes to h1; unicast to h1's workloads too.
run nx "$H2" bridge fdb append 00:00:00:00:00:00 dev vx100 dst "$(vtep_ip h1)"
for hi in 11 12; do
	run nx "$H2" bridge fdb add "$(wl_mac $hi)" dev vx100 dst "$(vtep_ip h1)" self static
	run nx "$H2" bridge fdb add "$(wl_mac $hi)" dev vx100 master static
done
run ip -n "$W21" neigh add 10.1.0.11 lladdr "$(wl_mac 11)" dev eth0 nud permanent

write_config h1 "$(std_ports h1)" "$(route_j 10.1.0.21 "$(vtep_ip h2)" "$(wl_mac 21)")"
vtepd_start h1

before=$(stat_of h1 vxlan_rx)
check "w11 (vtepd) -> w21 (Linux vxlan + bridge)" ping_ok "${PFX}w11" 10.1.0.21
check "w21 (Linux) -> w11 (vtepd)" ping_ok "$W21" 10.1.0.11
check "h1 counted Linux's VXLAN as vxlan_rx" counter_gt h1 vxlan_rx $((before + 2))
cap_start arp "$FAB" to-h1 "udp port 4789"; c=$CAP
check "w21 -> w12 with ARP over VXLAN (no static neigh for 10.1.0.12)" ping_ok "$W21" 10.1.0.12
# tcpdump hands packets over in blocks (up to 1 s late): wait for the ARP
# request and reply plus the pings (as 02-capture does) before stopping it.
wait_until 5 pcap_has arp 4
cap_stop "$c"
J=$(pcap_json arp); printf '%s\n' "$J" >"$LOGDIR/arp.json"
check "the ARP request for 10.1.0.12 reached h1 in VXLAN" \
	jq_true "$J" '[.[] | select(.src == "192.0.2.2" and .in_arp_op == 1 and .in_arp_tip == "10.1.0.12")] | length >= 1'
check "an ARP reply for 10.1.0.12 went back to h2 in VXLAN" \
	jq_true "$J" '[.[] | select(.src == "192.0.2.1" and .dst == "192.0.2.2" and .in_arp_op == 2 and .in_arp_sip == "10.1.0.12")] | length >= 1'
check "w21's ARP cache has 10.1.0.12" sh -c "ip -n $W21 neigh show 10.1.0.12 | grep lladdr >/dev/null"
