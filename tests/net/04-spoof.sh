#!/bin/bash
# 04-spoof.sh - anti-spoofing (DESIGN.md "IPv4 from a workload"): frames whose
# source IP or MAC is not the port's own are dropped and counted, for a local
# and a remote destination. A control send with the real source shows the
# sniffers would have seen a delivered packet.
. "$(dirname "$0")/lib.sh"
net_begin
two_hosts
run ping_ok "${PFX}w11" 10.1.0.21 1   # underlay neighbours resolved

# sniff NAME NS SRC: count IPv4 frames from SRC arriving at NS's eth0 for 3 s.
sniff() {
	local name=$1
	rm -f "$LOGDIR/$name.ready"
	bg "$name" nx "$2" "$PY" "$NETPKT" sniff eth0 --src-ip "$3" --timeout 3 --ready "$LOGDIR/$name.ready"
	SNIFF=$BG
	wait_until 5 test -f "$LOGDIR/$name.ready" || die "sniffer $name did not start"
}
# sniffed NAME PID OP N: the sniffer ended and its count compares with N.
sniffed() {
	bg_wait "$2" 10
	local n; n=$(cat "$LOGDIR/$1.out"); echo "$1 saw ${n:-nothing}"
	[ -n "$n" ] && test "$n" "$3" "$4"
}
send() { nx "${PFX}w11" "$PY" "$NETPKT" send eth0 --dst-mac "$GW_MAC" --count 3 "$@"; }

ip_before=$(stat_of h1 drop_spoof_ip)
mac_before=$(stat_of h1 drop_spoof_mac)

sniff ctl-w12 "${PFX}w12" 10.1.0.11; s0=$SNIFF
sniff ctl-w21 "${PFX}w21" 10.1.0.11; s1=$SNIFF
run send --src-ip 10.1.0.11 --dst-ip 10.1.0.12
run send --src-ip 10.1.0.11 --dst-ip 10.1.0.21
check "control: real source reaches w12 (local)" sniffed ctl-w12 "$s0" -ge 3
check "control: real source reaches w21 (remote)" sniffed ctl-w21 "$s1" -ge 3

sniff spoof-w12 "${PFX}w12" 10.1.0.99; s2=$SNIFF
sniff spoof-w21 "${PFX}w21" 10.1.0.99; s3=$SNIFF
run send --src-ip 10.1.0.99 --dst-ip 10.1.0.12
run send --src-ip 10.1.0.99 --dst-ip 10.1.0.21
check "forged source IP 10.1.0.99 not delivered to w12 (local)" sniffed spoof-w12 "$s2" -eq 0
check "forged source IP 10.1.0.99 not delivered to w21 (remote)" sniffed spoof-w21 "$s3" -eq 0
check_until "drop_spoof_ip counted all 6" 5 counter_gt h1 drop_spoof_ip $((ip_before + 5))

sniff mac-w12 "${PFX}w12" 10.1.0.11; s4=$SNIFF
run send --src-ip 10.1.0.11 --src-mac 02:00:00:00:00:99 --dst-ip 10.1.0.12
check "forged source MAC not delivered to w12" sniffed mac-w12 "$s4" -eq 0
check_until "drop_spoof_mac counted all 3" 5 counter_gt h1 drop_spoof_mac $((mac_before + 2))

# The kernel's way: a second address on the workload, used as the source
# (ARP for 10.1.0.12 is cached first, so the echo itself is what gets sent).
run ping_ok "${PFX}w11" 10.1.0.12 1
run ip -n "${PFX}w11" addr add 10.1.0.77/16 dev eth0
sniff second-w12 "${PFX}w12" 10.1.0.77; s5=$SNIFF
check "ping -I from a second address fails" \
	sh -c "! nsenter --net=/run/netns/${PFX}w11 ping -n -q -c 2 -w 2 -I 10.1.0.77 10.1.0.12"
check "and its echoes never reached w12" sniffed second-w12 "$s5" -eq 0
run ip -n "${PFX}w11" addr del 10.1.0.77/16 dev eth0
check "the port's own address still works afterwards" ping_ok "${PFX}w11" 10.1.0.12
