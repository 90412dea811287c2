#!/bin/bash
# 07-tap.sh - a tap port (a VM's NIC) works like a veth: a small Python
# "VM" (netpkt.py tap) reads and writes frames on /dev/net/tun for tap t1 on h1
# (10.1.0.13, 02:00:00:00:00:13), pings a remote and a local workload, and
# answers pings from a remote workload and from the host.
. "$(dirname "$0")/lib.sh"
net_begin
topo_base
H1=${PFX}h1
run ip -n "$H1" tuntap add dev t1 mode tap
run ip -n "$H1" link set t1 up
write_config h1 "$(std_ports h1; port_j t1 10.1.0.13 "$(wl_mac 13)")" "$(std_routes h1)"
write_config h2 "$(std_ports h2)" "$(std_routes h2; route_j 10.1.0.13 "$(vtep_ip h1)" "$(wl_mac 13)")"
vtepd_start h1
vtepd_start h2
run ping_ok "${PFX}w21" 10.1.0.11 1   # underlay neighbours resolved

# vm DST [SERVE_S]: the tap workload pings DST 3 times (and serves SERVE_S s).
VM=(nx "$H1" "$PY" "$NETPKT" tap t1 --mac "$(wl_mac 13)" --ip 10.1.0.13 --gw-mac "$GW_MAC" --count 3 --timeout 10)
vm() { "${VM[@]}" --dst "$1" --serve "${2:-0}"; }
check "tap VM -> remote w21 (VXLAN), replies come back on the tap" vm 10.1.0.21
check "tap VM -> local w11" vm 10.1.0.11
check "tap VM -> gateway" vm "$GW_IP"

bg vm-serve "${VM[@]}" --dst 10.1.0.22 --serve 8; v=$BG   # pid of the python itself
check "w21 (remote) pings the tap VM" ping_ok "${PFX}w21" 10.1.0.13
check "w12 (local) pings the tap VM" ping_ok "${PFX}w12" 10.1.0.13
check "host h1 pings the tap VM (its /32 route on t1)" ping_ok "$H1" 10.1.0.13
check "the VM itself was answered meanwhile" bg_wait "$v" 15
