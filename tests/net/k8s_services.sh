#!/bin/bash
# k8s_services.sh - a pod's connections to a Service ClusterIP, handled by
# kube-proxy's rules in the host's namespace (tests/net/k8s_lib.sh writes
# them as kube-proxy does), in its three ways of writing them:
# iptables-legacy, iptables-nft and nftables. The Service default/whoami
# (10.96.0.10:80) has two backends, a1 on h1 and b1 on h2 (port 8080, each
# answering its name); the client c1 is on h1.
#
# The problem vtepd solves here (bpf/ctsteer.h): the backend's reply is
# addressed to the client pod, and delivering it straight there (from a1 on
# the same node, or decapsulated from b1) skips h1's conntrack, so the
# client would see a reply from the backend's address instead of the
# ClusterIP and TCP would fail. With the steering each TCP connection
# completes, and across nodes the reply enters h1 through its host link.
# Shown per mode:
#   - c1 -> 10.96.0.10:80 reaches both backends (each within 40 tries),
#     every answer comes from a1 or b1 and sees c1's own address;
#   - replies were steered (ct_nat_host) on h1;
#   - a pod on h2 and node h2 itself reach the Service too;
# then, with the capability turned off (--test-features ct_lookup=0), the
# same connections fail: the steering is what makes them work.
PFX=${PFX:-k8-}
R=${R:-/run/vtepd-test-k8}
. "$(dirname "$0")/k8s_lib.sh"
bgp_begin
k8s_up
pod_add h1 c1 || die "ADD c1"
pod_add h1 a1 || die "ADD a1"
pod_add h2 b1 || die "ADD b1"
pod_add h2 d1 || die "ADD d1"
C1=${POD_IP[c1]} A1=${POD_IP[a1]} B1=${POD_IP[b1]} D1=${POD_IP[d1]}
say "client c1 $C1 (h1), backends a1 $A1 (h1) and b1 $B1 (h2), client d1 $D1 (h2)"
wait_until 20 has_route h1 "$B1/32" 192.0.2.2 || die "h1 did not learn b1"
wait_until 20 has_route h2 "$A1/32" 192.0.2.1 || die "h2 did not learn a1"

# both_backends NS PEER: connections to the ClusterIP reach a1 and b1; every
# answer is a backend's, seeing PEER (no masquerade for pods).
both_backends() {
	local ns=$1 peer=$2 i a seen_a=0 seen_b=0
	for ((i = 0; i < 40; i++)); do
		a=$(ask "$ns" "$SVC_IP" "$SVC_PORT") || { echo "try $i: no answer"; return 1; }
		echo "try $i: $a"
		case $a in
		"a1 $peer") seen_a=1 ;;
		"b1 $peer") seen_b=1 ;;
		*) [ -n "$peer" ] || case $a in a1\ *) seen_a=1 ;; b1\ *) seen_b=1 ;; esac
		   [ -n "$peer" ] && return 1 ;;
		esac
		[ $seen_a = 1 ] && [ $seen_b = 1 ] && return 0
	done
	return 1
}
for mode in iptables-legacy iptables-nft nft; do
	for h in h1 h2; do
		run kp_load "$h" "$mode" "$A1" "$B1"
	done
	steered=$(stat_of h1 ct_nat_host)
	check "[$mode] c1 (h1) -> ClusterIP $SVC_IP:$SVC_PORT over TCP reaches a1 (same node) and b1 (h2)" \
		both_backends "${PFX}c1" "$C1"
	check "[$mode] h1 steered the backends' replies through its conntrack (ct_nat_host)" \
		counter_gt h1 ct_nat_host "$steered"
	check "[$mode] d1 (h2) -> ClusterIP reaches a1 (h1) and b1 (same node)" both_backends "${PFX}d1" "$D1"
	check "[$mode] node h2 -> ClusterIP reaches both backends" both_backends "${PFX}h2" ""
	for h in h1 h2; do run kp_flush "$h" "$mode"; done
done

# ---- without the steering
start_without_ct() {
	local h=$1 args=$VTEPD_ARGS
	vtepd_stop "$h"
	VTEPD_ARGS="$args --test-features"
	VTEPD_TEST_FEATURES=ct_lookup=0 vtepd_start "$h"
	VTEPD_ARGS=$args
}
for h in h1 h2; do run kp_load "$h" iptables-nft "$A1" "$B1"; done
start_without_ct h1
no_service() {  # every try fails: the reply comes back from the pod's address
	local i ok=0
	for ((i = 0; i < 10; i++)); do ask "${PFX}c1" "$SVC_IP" "$SVC_PORT" && ok=$((ok + 1)); done
	echo "$ok of 10 connections answered"
	[ $ok -eq 0 ]
}
check "[no ct_lookup] c1 -> ClusterIP: no connection completes (replies skip h1's conntrack)" no_service
check "[no ct_lookup] c1 -> b1 directly still works" ask_is "${PFX}c1" "$B1" "$POD_PORT" b1 "$C1"
vtepd_stop h1
vtepd_start h1
check "[ct_lookup back] c1 -> ClusterIP reaches both backends" both_backends "${PFX}c1" "$C1"
for h in h1 h2; do run kp_flush "$h" iptables-nft; done

all_del() { local p; for p in c1 a1 b1 d1; do pod_del "$p" || return 1; done; }
check "DEL every pod through the runtime" all_del
