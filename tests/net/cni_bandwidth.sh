#!/bin/bash
# cni_bandwidth.sh - Debian's bandwidth plugin (containernetworking-plugins
# 1.1.1) chained after vtepd-cni and portmap, driven as a runtime drives the
# list (cni_lib.sh): two nodes whose vtepds peer over eBGP. What it shows:
#   - ingress shaping (ingressRate/ingressBurst: the pod's download): ADD of
#     the chain succeeds with a tbf root qdisc on the pod's host veth, and
#     what other pods send to the pod goes through it (the tbf's sent
#     packets grow: from a pod of the other node, delivered by the uplink
#     program, and from a pod of the same node, delivered by the port
#     program), both ways reachable; vtepctl ports marks the port shaped;
#   - egress shaping (egressRate/egressBurst: the pod's upload): the plugin
#     needs an `ingress` qdisc on the host veth, which cannot be added next
#     to vtepd's clsact (one ingress-side qdisc per device): its ADD fails
#     with the kernel's answer, and the failed ADD leaves no ifb behind;
#   - DEL through the chain: the tbf and the veth go, the address is freed.
# No timings are asserted: only that the traffic went through the qdisc.
PFX=${PFX:-bw-}
R=${R:-/run/vtepd-test-bw}
. "$(dirname "$0")/bgp_lib.sh"
. "$(dirname "$0")/cni_lib.sh"
bgp_begin

H1IP=$(uplink_ip h1); H2IP=$(uplink_ip h2)
nbr() { nbr_j "$1" "$2" '{"hold_time_s": 9, "keepalive_s": 3}'; }
jq_true() { printf '%s' "$1" | jq -e "${@:2}" >/dev/null; }
topo_fabric
topo_host h1
topo_host h2
run ip -n "${PFX}h1" route add 198.51.100.4/30 via "$(fab_ip h1)"
run ip -n "${PFX}h2" route add 198.51.100.0/30 via "$(fab_ip h2)"
bgp_config h1 65101 "[$(nbr "$H2IP" 65102)]" "" ""
bgp_config h2 65102 "[$(nbr "$H1IP" 65101)]" "" ""
cni_vtepd_config h1
cni_vtepd_config h2
vtepd_start h1
vtepd_start h2
cni_setup
# Rates in bit/s, bursts in bits (the plugin's units). Large enough that
# pings are never dropped: the test counts packets, it does not time them.
BW_IN='{"type": "bandwidth", "ingressRate": 8000000, "ingressBurst": 800000}'
BW_EG='{"type": "bandwidth", "egressRate": 8000000, "egressBurst": 800000}'
PM='{"type": "portmap", "capabilities": {"portMappings": true}}'
for h in h1 h2; do
	cni_node "$h"; cni_conflist "$CNI_LIST" pods 100 "${h#h}" "$CNI_SOCK"
done
cni_node h1
SHAPED_IN=$(hostdir h1)/shaped-in.conflist
SHAPED_EG=$(hostdir h1)/shaped-eg.conflist
cni_conflist "$SHAPED_IN" pods 100 1 "$CNI_SOCK" 1.1.0 "[$PM, $BW_IN]"
cni_conflist "$SHAPED_EG" pods 100 1 "$CNI_SOCK" 1.1.0 "[$PM, $BW_EG]"
check_until "h1 and h2 Established" 30 peer_up h1 "$H2IP"

# host_if LIST CID: the pod's host veth, from the cached result.
host_if() { cni_cached "$1" "$2" eth0 | jq -r '.interfaces[0].name'; }
# qdisc_pkts H DEV KIND: the sent packets of DEV's qdisc of that kind on H.
qdisc_pkts() {
	nx "${PFX}$1" tc -s -j qdisc show dev "$2" |
		jq -r --arg k "$3" '[.[] | select(.kind == $k) | .packets][0] // -1'
}
# grew_by H DEV KIND BEFORE N: the qdisc sent at least N more packets.
grew_by() {
	local now; now=$(qdisc_pkts "$1" "$2" "$3")
	echo "$2 $3 sent packets: $4 -> $now (want +$5)"
	[ "$now" -ge $(($4 + $5)) ]
}
pings() { nx "${PFX}$1" ping -n -q -c 20 -i 0.05 -s 1000 -w 10 "$2"; }
ifbs() { nx "${PFX}h1" ip -j link show type ifb | jq -r '.[].ifname'; }

# ---- ingress shaping: the pod's download through the host veth's tbf
pod_ns p11; NS11=$(pod_path p11)
pod_ns p12; NS12=$(pod_path p12)
check "ADD p11 on h1: vtepd-cni, portmap, bandwidth (ingressRate)" \
	cni_add "$SHAPED_IN" c11 "$NS11" eth0 web p11
IP11=$(pod_ip "$SHAPED_IN" c11); V11=$(host_if "$SHAPED_IN" c11)
tbf_root() {
	nx "${PFX}h1" tc -j qdisc show dev "$V11" | tee /dev/stderr |
		jq -e '[.[] | select(.kind == "tbf" and .root)] | length == 1'
}
check "the bandwidth plugin put a tbf root qdisc on p11's host veth $V11" tbf_root
check "ADD p12 on h1 (unshaped)" cni_add "$CNI_LIST" c12 "$NS12" eth0 web p12
IP12=$(pod_ip "$CNI_LIST" c12)
cni_node h2
pod_ns p21; NS21=$(pod_path p21)
check "ADD p21 on h2 (unshaped)" cni_add "$CNI_LIST" c21 "$NS21" eth0 web p21
IP21=$(pod_ip "$CNI_LIST" c21)
cni_node h1
check_until "h2 learned p11 ($IP11) over BGP" 15 has_route h2 "$IP11/32" "$(vtep_ip h1)"
check_until "h1 learned p21 ($IP21) over BGP" 15 has_route h1 "$IP21/32" "$(vtep_ip h2)"
shaped_port() {
	vt h1 -j ports | tee /dev/stderr |
		jq -e --arg i "$V11" '[.[] | select(.ifname == $i and .shaped)] | length == 1'
}
check_until "vtepctl ports marks p11's port shaped (its root qdisc is the plugin's)" 10 shaped_port

B=$(qdisc_pkts h1 "$V11" tbf)
check "p21 (h2) -> p11 (shaped download) across VXLAN" pings p21 "$IP11"
check "the uplink delivered p21's pings to p11 through the tbf" grew_by h1 "$V11" tbf "$B" 20
B=$(qdisc_pkts h1 "$V11" tbf)
check "p12 -> p11 on the same node" pings p12 "$IP11"
check "the port program delivered p12's pings to p11 through the tbf" grew_by h1 "$V11" tbf "$B" 20
check "p11 -> p21 and p11 -> p12 (replies come back through the tbf)" \
	eval "pings p11 $IP21 && pings p11 $IP12"

# ---- egress shaping: the pod's upload through an ifb
pod_ns p13; NS13=$(pod_path p13)
eg_refused() {
	! cni_add "$SHAPED_EG" c13 "$NS13" eth0 web p13 &&
		jq_true "$CNI_RESULT" '.msg | test("create ingress qdisc")'
}
check "ADD p13 with egressRate fails: the plugin's ingress qdisc cannot join vtepd's clsact" \
	eg_refused
no_ifb() { local l; l=$(ifbs); echo "ifb devices: ${l:-none}"; [ -z "$l" ]; }
check "the failed ADD (the runtime's DEL after it) left no ifb device" eval \
	"cni_del $SHAPED_EG c13 $NS13 eth0; no_ifb"

# ---- DEL
check "DEL p11 through the chain (bandwidth, portmap, vtepd-cni)" cni_del "$SHAPED_IN" c11 "$NS11" eth0
gone_11() {
	! nx "${PFX}h1" ip link show "$V11" && ! ipam_has pods "$IP11" &&
		vt h1 -j pods | jq -e --arg ip "$IP11" '[.[] | select(.ip == $ip)] | length == 0'
}
check "p11's host veth (with its tbf) is gone, its address freed, no pod record" gone_11
check "no ifb device on h1 after DEL" no_ifb
check "DEL p12 on h1" cni_del "$CNI_LIST" c12 "$NS12" eth0
cni_node h2
check "DEL p21 on h2" cni_del "$CNI_LIST" c21 "$NS21" eth0
