#!/bin/bash
# 05-host.sh - host <-> workload (DESIGN.md: "Destination that is one of the
# host's own addresses: pass to the host stack"; the host reaches its
# workloads through a /32 route on each port, which vtepd installs).
. "$(dirname "$0")/lib.sh"
net_begin
two_hosts

H1=${PFX}h1
route_on() { ip -n "$H1" route show "$1" | tee /dev/stderr | grep "dev $2" >/dev/null; }
check_until "vtepd installed 10.1.0.11/32 dev w1" 5 route_on 10.1.0.11 w1
check_until "vtepd installed 10.1.0.12/32 dev w2" 5 route_on 10.1.0.12 w2
check "host h1 pings its workload w11" ping_ok "$H1" 10.1.0.11
check "host h1 pings its workload w12" ping_ok "$H1" 10.1.0.12
before=$(stat_of h1 fwd_host)
check "w11 pings h1's uplink address $(uplink_ip h1)" ping_ok "${PFX}w11" "$(uplink_ip h1)"
check "w11 pings h1's VTEP IP $(vtep_ip h1)" ping_ok "${PFX}w11" "$(vtep_ip h1)"
check "w21 pings h2's VTEP IP $(vtep_ip h2)" ping_ok "${PFX}w21" "$(vtep_ip h2)"
check "fwd_host counted the packets to the host" counter_gt h1 fwd_host $((before + 5))
