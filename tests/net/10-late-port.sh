#!/bin/bash
# 10-late-port.sh - a port in the config whose interface does not exist yet
# (w3, 10.1.0.13, mac "auto") is attached when the veth appears (netlink link
# events): pings work, its local route shows with the workload's MAC; when the
# veth is deleted the port is withdrawn; created again, it works again.
. "$(dirname "$0")/lib.sh"
net_begin
topo_base
H1=${PFX}h1; W13=${PFX}w13
write_config h1 "$(std_ports h1; port_j w3 10.1.0.13 auto)" "$(std_routes h1)"
write_config h2 "$(std_ports h2)" "$(std_routes h2; route_j 10.1.0.13 "$(vtep_ip h1)" "$(wl_mac 13)")"
vtepd_start h1
vtepd_start h2

local_route() {  # local_route MAC: vtepctl lists 10.1.0.13/32 as local with MAC
	vt h1 -j routes | jq -e --arg m "$1" '[.[] | select(.prefix == "10.1.0.13/32" and .source == "local" and .vtep == null and .mac == $m)] | length == 1'
}
no_local_route() { vt h1 -j routes | jq -e '[.[] | select(.prefix == "10.1.0.13/32" and .source == "local")] | length == 0'; }
veth_w3() {  # (re)create w3 <-> eth0 in the existing namespace vt-w13
	run ip -n "$H1" link add w3 type veth peer name eth0 netns "$W13"
	run ip -n "$W13" link set eth0 address "$(wl_mac 13)"
	run ip -n "$W13" addr add 10.1.0.13/16 dev eth0
	run ip -n "$W13" link set eth0 up
	run ip -n "$W13" route add default via "$GW_IP"
	run ip -n "$H1" link set w3 up
}

check "before w3 exists: no local route for 10.1.0.13" no_local_route
topo_workload h1 3      # creates vt-w13 and the veth w3 now
check_until "w3 attached once it appears: w13 -> w21 (remote)" 10 ping_ok "$W13" 10.1.0.21
check "w21 -> w13" ping_ok "${PFX}w21" 10.1.0.13
check "w13 -> w11 (local)" ping_ok "$W13" 10.1.0.11
check "routes shows 10.1.0.13/32 local with the workload's MAC (auto)" local_route "$(wl_mac 13)"
check "host route 10.1.0.13 dev w3" sh -c "ip -n $H1 route show 10.1.0.13 | grep 'dev w3' >/dev/null"

run ip -n "$H1" link del w3
check_until "w3 deleted: 10.1.0.13/32 withdrawn" 10 no_local_route
check "h1 still forwards for the others" ping_ok "${PFX}w11" 10.1.0.21

veth_w3
check_until "w3 created again: attached again, w13 -> w21" 10 ping_ok "$W13" 10.1.0.21
check "and listed again" local_route "$(wl_mac 13)"
