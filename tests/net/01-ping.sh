#!/bin/bash
# 01-ping.sh - forwarding: ping between two workloads of one host (local
# delivery) and across hosts in both directions (VXLAN), TCP across hosts with
# iperf3, and path MTU discovery through the encapsulation (DF set: ICMP
# fragmentation-needed with the usable MTU, 1500 - 50). Runs once per uplink
# mode (MODES="auto xdp": auto is what a default config gets, TC on these
# veth uplinks; xdp prints a SKIP with the reason where the kernel refuses
# the XDP uplink); throughput and RTT are printed as INFO, never asserted.
. "$(dirname "$0")/lib.sh"
net_begin

iperf_once() {  # iperf_once MODE: w11 -> w21, 2 s, JSON result in the log dir
	local mode=$1 srv
	bg "iperf-srv-$mode" nx "${PFX}w21" iperf3 -s -1 -B 10.1.0.21
	srv=$BG
	wait_until 10 sh -c "nsenter --net=/run/netns/${PFX}w21 ss -Hltn 'sport = :5201' | grep 5201 >/dev/null" ||
		{ echo "iperf3 server did not listen"; return 1; }
	timeout 30 nsenter --net="/run/netns/${PFX}w11" iperf3 -c 10.1.0.21 -t 2 --connect-timeout 3000 -J >"$LOGDIR/iperf-$mode.json" 2>&1
	bg_wait "$srv" 10 >/dev/null
	jq -e '.end.sum_received.bytes > 0' "$LOGDIR/iperf-$mode.json"
}

pmtu_reported() {  # the first oversized DF ping is answered with mtu 1450
	local out
	out=$(nx "${PFX}w11" ping -n -c 1 -W 2 -M "do" -s 1472 10.1.0.21 2>&1)
	echo "$out"
	echo "$out" | grep -E 'mtu ?= ?1450' >/dev/null
}

for mode in ${MODES:-auto xdp}; do
	skip_mode "$mode" && continue
	two_hosts gateway gateway "$mode"

	check "[$mode] w11 -> w12 (same host)" ping_ok "${PFX}w11" 10.1.0.12
	check "[$mode] w12 -> w11 (same host)" ping_ok "${PFX}w12" 10.1.0.11
	check "[$mode] w11 -> w21 (h1 -> h2, VXLAN)" ping_ok "${PFX}w11" 10.1.0.21
	check "[$mode] w21 -> w11 (h2 -> h1, VXLAN)" ping_ok "${PFX}w21" 10.1.0.11
	check "[$mode] w22 -> w12 (h2 -> h1, VXLAN)" ping_ok "${PFX}w22" 10.1.0.12
	check "[$mode] w11 -> gateway 10.1.255.254 (answered by the program)" ping_ok "${PFX}w11" "$GW_IP"
	check "[$mode] iperf3 TCP w11 -> w21, 2 s" iperf_once "$mode"
	check "[$mode] DF ping of 1500 bytes gets frag-needed mtu 1450" pmtu_reported
	check "[$mode] ping of 1450 bytes with DF passes (1422 + 28)" \
		nx "${PFX}w11" ping -n -q -c 3 -i 0.2 -w 5 -M "do" -s 1422 10.1.0.21

	bps=$(jq -r '.end.sum_received.bits_per_second // 0 | . / 1e9 * 100 | floor / 100' "$LOGDIR/iperf-$mode.json" 2>/dev/null)
	rtt=$(nx "${PFX}w11" ping -n -q -c 20 -i 0.05 -w 5 10.1.0.21 2>/dev/null | awk -F/ '/^rtt/ {print $5}')
	say "INFO $SCEN: [$mode] iperf3 w11 -> w21 ${bps:-?} Gbit/s, ping rtt avg ${rtt:-?} ms"
	topo_down
done
