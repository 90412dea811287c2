#!/bin/bash
# 02-capture.sh - the encapsulation on the wire (RFC 7348 and DESIGN.md
# "Encapsulation"): a ping w11 -> w21 captured on both fabric links, each frame
# decoded by netpkt.py and checked with jq. Captured where it leaves each host
# (before the fabric forwards it), so the outer TTL is still the sender's.
. "$(dirname "$0")/lib.sh"
net_begin
two_hosts

# Resolve the underlay neighbours first so the capture holds only the test's frames.
run ping_ok "${PFX}w11" 10.1.0.21 1
cap_start fab-h1 "$FAB" to-h1 "udp port 4789"; c1=$CAP
cap_start fab-h2 "$FAB" to-h2 "udp port 4789"; c2=$CAP
check "ping w11 -> w21 during the capture" ping_ok "${PFX}w11" 10.1.0.21 3
# Each capture must hold the 3 requests and the 3 replies before we stop it.
wait_until 5 pcap_has fab-h1 6
wait_until 5 pcap_has fab-h2 6
cap_stop "$c1"
cap_stop "$c2"
J1=$(pcap_json fab-h1)   # frames on h1's link; those from h1 are h1's encapsulation
J2=$(pcap_json fab-h2)
printf '%s\n' "$J1" >"$LOGDIR/fab-h1.json"
printf '%s\n' "$J2" >"$LOGDIR/fab-h2.json"
mac_to_h1=$(ip -n "$FAB" -j link show to-h1 | jq -r '.[0].address')
mac_to_h2=$(ip -n "$FAB" -j link show to-h2 | jq -r '.[0].address')

# frames J SENDER: every frame sent by VTEP SENDER satisfies COND (and there are 3+).
sent_by() {
	local json=$1 src=$2 cond=$3
	printf '%s' "$json" | jq -e --arg s "$src" \
		"[.[] | select(.src == \$s)] | (length >= 3) and all($cond)"
}
# check_side H JSON SRC_MAC DST_MAC SRC_IP DST_IP NEXTHOP_MAC
check_side() {
	local h=$1 J=$2 smac=$3 dmac=$4 sip=$5 dip=$6 nh=$7 src dst
	src=$(vtep_ip "$h"); dst=$(vtep_ip "$(other "$h")")
	check "[$h] outer IPv4 $src -> $dst" sent_by "$J" "$src" ".dst == \"$dst\""
	check "[$h] outer UDP dst port 4789" sent_by "$J" "$src" '.udp_dport == 4789'
	check "[$h] outer UDP src port in 49152-65535" sent_by "$J" "$src" '.udp_sport >= 49152 and .udp_sport <= 65535'
	check "[$h] outer UDP checksum 0, length = IP length - 20" sent_by "$J" "$src" '.udp_csum == 0 and .udp_len == .ip_len - 20'
	check "[$h] outer IPv4 checksum correct" sent_by "$J" "$src" '.ip_csum_ok'
	check "[$h] outer TTL 64" sent_by "$J" "$src" '.ttl == 64'
	check "[$h] outer DF copied from the inner packet" sent_by "$J" "$src" '.df == .in_df'
	check "[$h] VXLAN flags = I only, reserved 0, VNI 100" sent_by "$J" "$src" '.vx_flags == 8 and .vx_rsvd == 0 and .vni == 100'
	check "[$h] inner MACs $smac -> $dmac" sent_by "$J" "$src" ".in_eth_src == \"$smac\" and .in_eth_dst == \"$dmac\""
	check "[$h] inner IPv4 $sip -> $dip, TTL unchanged (64)" sent_by "$J" "$src" ".in_src == \"$sip\" and .in_dst == \"$dip\" and .in_ttl == 64"
	check "[$h] outer destination MAC = the fabric's (kernel neighbour)" sent_by "$J" "$src" ".eth_dst == \"$nh\""
}
check_side h1 "$J1" 02:00:00:00:00:11 02:00:00:00:00:21 10.1.0.11 10.1.0.21 "$mac_to_h1"
check_side h2 "$J2" 02:00:00:00:00:21 02:00:00:00:00:11 10.1.0.21 10.1.0.11 "$mac_to_h2"
