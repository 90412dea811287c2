#!/bin/bash
# 06-uplink-tcp.sh - everything on the uplink that is not our VXLAN passes
# untouched (DESIGN.md "VXLAN arriving on the uplink"): a BGP-like TCP session
# to port 179 on the host's uplink address, in both directions (leaf -> host
# and host -> leaf), 1 MiB echoed, with the uplink program attached in each mode
# (MODES="auto xdp"; auto picks TC on a veth uplink, and the check says so;
# xdp prints a SKIP with the reason where the kernel refuses the XDP uplink).
. "$(dirname "$0")/lib.sh"
net_begin

H1=${PFX}h1
# echo_ok NAME SERVER_NS ADDR CLIENT_NS: TCP echo of 1 MiB to ADDR:179.
echo_ok() {
	local name=$1 sns=$2 addr=$3 cns=$4 srv
	rm -f "$LOGDIR/$name.ready"
	bg "$name" nx "$sns" "$PY" "$NETPKT" tcp-server "$addr" 179 --ready "$LOGDIR/$name.ready" --timeout 15
	srv=$BG
	wait_until 5 test -f "$LOGDIR/$name.ready" || { echo "listener did not start"; return 1; }
	nx "$cns" "$PY" "$NETPKT" tcp-client "$addr" 179 --bytes 1048576 || return 1
	bg_wait "$srv" 10 && cat "$LOGDIR/$name.out"
}
attached() {  # the uplink program is really there, or this test proves nothing
	local tcf
	if [ "$1" = xdp ]; then ip -n "$H1" -d link show up0 | grep 'prog/xdp' >/dev/null; return; fi
	# auto (on a veth) and tc: tc mode's own program, vtep_uplink_tc, and no
	# XDP program (the TC half of xdp mode, vtep_uplink_xtc, decapsulates
	# nothing by itself).
	tcf=$(nx "$H1" tc filter show dev up0 ingress)
	echo "$tcf"
	echo "$tcf" | grep -E 'bpf .*name vtep_uplink_tc( |$)' >/dev/null || { echo "no vtep_uplink_tc on up0"; return 1; }
	if ip -n "$H1" -d link show up0 | grep 'prog/xdp'; then echo "an XDP program on up0"; return 1; fi
}

for mode in ${MODES:-auto xdp}; do
	skip_mode "$mode" && continue
	two_hosts gateway gateway "$mode"
	check "[$mode] uplink program attached on h1 up0" attached "$mode"
	before=$(stat_of h1 uplink_pass)
	check "[$mode] TCP fabric -> $(uplink_ip h1):179 on h1" echo_ok "bgp-in-$mode" "$H1" "$(uplink_ip h1)" "$FAB"
	check "[$mode] TCP h1 -> fabric $(fab_ip h1):179" echo_ok "bgp-out-$mode" "$FAB" "$(fab_ip h1)" "$H1"
	check "[$mode] uplink_pass counted them" counter_gt h1 uplink_pass $((before + 10))
	check "[$mode] VXLAN still works beside it" ping_ok "${PFX}w11" 10.1.0.21
	topo_down
done
