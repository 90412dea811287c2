#!/bin/bash
# ops_garbage.sh - a workload (and the fabric) sending garbage at line rate
# (issue 4, point 5), vtepd built with ASan/UBSan. The bench's generator
# (build/bench/gen: XDP live frames, DESIGN.md kernel facts) sends each kind
# of bad frame out of workload w11's eth0 - truncated Ethernet, IPv4 and ARP,
# VLAN tags, another ethertype, spoofed MAC and IP, broadcast, no route, ARP
# for an unknown target, gratuitous ARP - and bad VXLAN out of the fabric
# towards h1's uplink (unknown VNI, unknown VTEP, not our VTEP IP, truncated,
# unsupported inner frame); then a python AF_PACKET sender adds random frames.
# Each kind's drop counter rises; afterwards workloads still ping each other
# across hosts, routes and ports are as before, vtepd is alive, its log holds
# no sanitizer report, and the gratuitous ARP flood did not flood the log.
. "$(dirname "$0")/ops_lib.sh"
net_begin
need_gen || die "the bench generator is not built: make bench-tools ($GEN, $PASS_OBJ)"
ops_use_asan
two_hosts
run ping_ok "${PFX}w11" 10.1.0.21 1
run ping_ok "${PFX}w12" 10.1.0.22 1
snapshot h1 "$LOGDIR/before.json" || die "cannot snapshot h1"
N=${GARBAGE_FRAMES:-200000}

# Frames generated inside w11 leave through eth0 and reach the host-side w1
# only with NAPI on w1 (an XDP_PASS program; vtepd's own program there is TC).
run napi_on "$(ns_of h1)" w1
W11=(--smac "$(wl_mac 11)" --sip "$(wl_ip 11)" --dmac "$GW_MAC" --dip "$(wl_ip 21)")
UP0_MAC=$(ip -n "$(ns_of h1)" -j link show up0 | jq -r '.[0].address')
FAB_MAC=$(ip -n "$FAB" -j link show to-h1 | jq -r '.[0].address')
VX=(--osmac "$FAB_MAC" --odmac "$UP0_MAC" --osip "$(vtep_ip h2)" --odip "$(vtep_ip h1)"
    --smac "$(wl_mac 21)" --dmac "$(wl_mac 11)" --sip "$(wl_ip 21)" --dip "$(wl_ip 11)")

# flood NAME COUNTER NS IFACE GEN-OPTIONS...: N frames; the counter of h1
# must rise by at least a tenth of them (the rest may be dropped by the
# receiving veth's ring before any program sees them: gen outruns it).
flood() {
	local name=$1 counter=$2 ns=$3 ifc=$4 before after out; shift 4
	before=$(stat_of h1 "$counter")
	out=$(nx "$ns" "$GEN" -i "$ifc" -n "$N" -j "$@") || { echo "gen failed: $out"; return 1; }
	after=$(stat_of h1 "$counter")
	echo "$name: gen $(echo "$out" | jq -c '{frames, pps: (.pps | round)}'); h1 $counter $before -> $after"
	[ $((after - before)) -ge $((N / 10)) ]
}
WS=$(ns_of w11)
check "truncated Ethernet (14 bytes): drop_malformed" flood trunc-eth drop_malformed "$WS" eth0 "${W11[@]}" --truncate 14
check "truncated IPv4 (20 bytes): drop_malformed" flood trunc-ip drop_malformed "$WS" eth0 "${W11[@]}" --truncate 20
check "truncated ARP (30 bytes): drop_malformed" flood trunc-arp drop_malformed "$WS" eth0 "${W11[@]}" --arp --truncate 30
check "VLAN-tagged: drop_vlan" flood vlan drop_vlan "$WS" eth0 "${W11[@]}" --vlan 10
check "ethertype 0x88cc: drop_ethertype" flood ethertype drop_ethertype "$WS" eth0 "${W11[@]}" --ethertype 0x88cc
check "spoofed source MAC: drop_spoof_mac" flood spoof-mac drop_spoof_mac "$WS" eth0 "${W11[@]}" --smac 02:66:66:66:66:66
check "spoofed source IP: drop_spoof_ip" flood spoof-ip drop_spoof_ip "$WS" eth0 "${W11[@]}" --sip 10.1.0.99
check "broadcast IPv4: drop_bcast" flood bcast drop_bcast "$WS" eth0 "${W11[@]}" --dmac ff:ff:ff:ff:ff:ff
# Destinations the host routes elsewhere (192.0.2.0/24 via the fabric): not
# ours, no route in the VNI. (Unknown addresses in the VNI's own subnet go to
# the host stack instead when the host has no default route: bpf/route.h.)
check "no route (100 destinations): drop_no_route" flood no-route drop_no_route "$WS" eth0 "${W11[@]}" --dip 192.0.2.100 --spread 100
check "ARP for unknown targets: drop_arp_unknown" flood arp-unknown drop_arp_unknown "$WS" eth0 "${W11[@]}" --arp --dip 10.1.200.0 --spread 4096
lines0=$(wc -l <"$LOGDIR/vtepd-h1.log")
check "gratuitous ARP flood: arp_garp counted" flood garp arp_garp "$WS" eth0 "${W11[@]}" --arp --dip "$(wl_ip 11)"
FS=$FAB
check "VXLAN for an unknown VNI: drop_vx_vni" flood vx-vni drop_vx_vni "$FS" to-h1 "${VX[@]}" --vxlan 999
check "VXLAN from an unknown VTEP: drop_vx_vtep" flood vx-vtep drop_vx_vtep "$FS" to-h1 "${VX[@]}" --vxlan 100 --osip 192.0.2.77
check "VXLAN not for our VTEP IP: drop_vx_dst" flood vx-dst drop_vx_dst "$FS" to-h1 "${VX[@]}" --vxlan 100 --odip 192.0.2.9
check "truncated VXLAN (48 bytes): drop_vx_malformed" flood vx-trunc drop_vx_malformed "$FS" to-h1 "${VX[@]}" --vxlan 100 --truncate 48
check "VXLAN with an unsupported inner frame: drop_vx_inner" flood vx-inner drop_vx_inner "$FS" to-h1 "${VX[@]}" --vxlan 100 --ethertype 0x88cc
check "random frames from w11 (python, AF_PACKET)" ops_py "$WS" garbage eth0 20000 --seed 7

run napi_off "$(ns_of h1)" w1
lines1=$(wc -l <"$LOGDIR/vtepd-h1.log")
log_bounded() { echo "vtepd log grew by $((lines1 - lines0)) lines during and after a flood of $N gratuitous ARPs"; [ $((lines1 - lines0)) -lt 1000 ]; }
check "the gratuitous ARP flood did not flood the log" log_bounded
check "w11 -> w21 still works" ping_ok "${PFX}w11" 10.1.0.21
check "w12 -> w22 still works" ping_ok "${PFX}w12" 10.1.0.22
check "w21 -> w11 still works" ping_ok "${PFX}w21" 10.1.0.11
check "routes, ports, vnis, neigh, fdb unchanged" same_snapshot h1 "$LOGDIR/before.json"
check "vtepd on h1 alive" alive h1
check "vtepd on h2 alive" alive h2
check "no sanitizer report on h1" no_sanitizer_report h1
check "no sanitizer report on h2" no_sanitizer_report h2
