#!/bin/bash
# 03-arp.sh - the ARP proxy (DESIGN.md "ARP"): h1 answers with the gateway MAC
# (arp_reply gateway), h2 with the target's real MAC (arp_reply real). An ARP
# for an unknown IP gets no answer, puts nothing on the fabric, and is counted
# as drop_arp_unknown. Requests are single frames sent by netpkt.py (no arping
# on Debian's minimal installs); the kernel's own ARP is checked via ip neigh.
. "$(dirname "$0")/lib.sh"
net_begin
two_hosts gateway real

# arp_is NS TARGET MAC [SENDER]: one request from NS's eth0 is answered with MAC.
arp_is() {
	local got
	got=$(nx "$1" "$PY" "$NETPKT" arp eth0 "$2" ${4:+--sender "$4"} --timeout 2) || { echo "no answer for $2"; return 1; }
	echo "answer for $2: $got"
	[ "$got" = "$3" ]
}
# arp_none NS TARGET [SENDER]: no answer within a second.
arp_none() {
	local got
	if got=$(nx "$1" "$PY" "$NETPKT" arp eth0 "$2" ${3:+--sender "$3"} --timeout 1); then
		echo "unexpected answer for $2: $got"; return 1
	fi
}
neigh_is() { local m; m=$(neigh_mac "$1" "$2"); echo "ip neigh $2: ${m:-none}"; [ "$m" = "$3" ]; }

W11=${PFX}w11; W21=${PFX}w21
check "[gateway] gateway IP -> gateway MAC" arp_is "$W11" "$GW_IP" "$GW_MAC"
check "[gateway] local workload 10.1.0.12 -> gateway MAC" arp_is "$W11" 10.1.0.12 "$GW_MAC"
check "[gateway] remote workload 10.1.0.21 -> gateway MAC" arp_is "$W11" 10.1.0.21 "$GW_MAC"
check "[real] gateway IP -> gateway MAC" arp_is "$W21" "$GW_IP" "$GW_MAC"
check "[real] local workload 10.1.0.22 -> its MAC" arp_is "$W21" 10.1.0.22 "$(wl_mac 22)"
check "[real] remote workload 10.1.0.11 -> its MAC" arp_is "$W21" 10.1.0.11 "$(wl_mac 11)"
check "ARP for the asker's own IP is not answered" arp_none "$W11" 10.1.0.11
check "probe (sender 0.0.0.0) for another's IP is answered" arp_is "$W11" 10.1.0.12 "$GW_MAC" 0.0.0.0
check "probe (sender 0.0.0.0) for the asker's own IP is not answered" arp_none "$W11" 10.1.0.11 0.0.0.0

run ping_ok "$W11" 10.1.0.21 1
run ping_ok "$W21" 10.1.0.11 1
check "[gateway] ip neigh on w11 after a ping: 10.1.0.21 at the gateway MAC" neigh_is "$W11" 10.1.0.21 "$GW_MAC"
check "[real] ip neigh on w21 after a ping: 10.1.0.11 at its real MAC" neigh_is "$W21" 10.1.0.11 "$(wl_mac 11)"
run ping_ok "$W11" "$GW_IP" 1
check "[gateway] ip neigh on w11: the gateway at the gateway MAC" neigh_is "$W11" "$GW_IP" "$GW_MAC"

before=$(stat_of h1 drop_arp_unknown)
cap_start fab-unknown "$FAB" to-h1 "udp port 4789 or (arp and host 10.1.0.99)"; c=$CAP
check "ARP for an unknown IP (10.1.0.99) gets no answer" arp_none "$W11" 10.1.0.99
check_until "drop_arp_unknown counted it" 5 counter_gt h1 drop_arp_unknown "$before"
cap_stop "$c"
check "nothing reached the fabric for it" jq_true "$(pcap_json fab-unknown)" 'length == 0'
