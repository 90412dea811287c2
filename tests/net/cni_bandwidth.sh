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
#   - egress shaping by the plugin (egressRate/egressBurst: the pod's
#     upload): the plugin needs an `ingress` qdisc on the host veth, which
#     cannot be added next to vtepd's clsact (one ingress-side qdisc per
#     device): its ADD fails with the kernel's answer, and the failed ADD
#     leaves no ifb behind;
#   - egress limits in vtepd's datapath instead: vtepd-cni with the
#     "bandwidth" capability gets runtimeConfig.bandwidth (as kubelet's
#     runtime fills it from kubernetes.io/egress-bandwidth); vtepd keeps the
#     limit with the pod and writes vtep_port_rates; a UDP burst from the
#     pod well above the rate is policed (drop_rate_limit grows, in
#     vtepctl stats and /metrics; the other pod receives fewer than were
#     sent); an unlimited pod's burst loses nothing to it; vtepctl
#     ports/pods, CHECK and a vtepd restart keep the limit; a bad value is
#     code 7 and its DEL succeeds; DEL removes the entry;
#   - the working combination with the plugin (docs/kubernetes.md):
#     vtepd-cni with the capability, the bandwidth plugin with ingress keys
#     in its own config and no capability: both hold; the plugin with the
#     capability too fails on a pod's egress limit (it gets the same
#     runtimeConfig.bandwidth);
#   - DEL through the chain: the tbf and the veth go, the address is freed.
# No timings are asserted: only that the traffic went through the qdisc, or
# was counted by the policer.
PFX=${PFX:-bw-}
R=${R:-/run/vtepd-test-bw}
. "$(dirname "$0")/bgp_lib.sh"
. "$(dirname "$0")/cni_lib.sh"
bgp_begin

jq_true() { printf '%s' "$1" | jq -e "${@:2}" >/dev/null; }
# /metrics on h1, inside its namespace (its own loopback)
metrics_h1() {
	[ "$1" = h1 ] || return 0
	jq '.metrics = "127.0.0.1:9469"' "$(cfg_of h1)" >"$(cfg_of h1).tmp" && mv "$(cfg_of h1).tmp" "$(cfg_of h1)"
}
cni_two_nodes --config metrics_h1
# Rates in bit/s, bursts in bits (the plugin's units). Large enough that
# pings are never dropped: the test counts packets, it does not time them.
BW_IN='{"type": "bandwidth", "ingressRate": 8000000, "ingressBurst": 800000}'
BW_EG='{"type": "bandwidth", "egressRate": 8000000, "egressBurst": 800000}'
PM='{"type": "portmap", "capabilities": {"portMappings": true}}'
cni_node h1
SHAPED_IN=$(hostdir h1)/shaped-in.conflist
SHAPED_EG=$(hostdir h1)/shaped-eg.conflist
cni_conflist "$SHAPED_IN" pods 100 1 "$CNI_SOCK" 1.1.0 "[$PM, $BW_IN]"
cni_conflist "$SHAPED_EG" pods 100 1 "$CNI_SOCK" 1.1.0 "[$PM, $BW_EG]"

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

# ---- egress limits: vtepd's policer, from runtimeConfig.bandwidth
# vtepd-cni declares the capability; the runtime's bandwidth for the pod
# (kubelet's, from kubernetes.io/egress-bandwidth): 1 Mbit/s, a 128 KiB
# bucket. The burst below sends 2000 x 1400 bytes at once: 2.8 MB against
# 128 KiB plus what 1 Mbit/s earns meanwhile.
caps_bw() { jq '.plugins[0].capabilities = {bandwidth: true}' "$1" >"$1.new" && mv "$1.new" "$1"; }
EG_LIST=$(hostdir h1)/egress.conflist
COMBO=$(hostdir h1)/combo.conflist
BOTH=$(hostdir h1)/bothcaps.conflist
BW_CAP='{"type": "bandwidth", "capabilities": {"bandwidth": true}}'
cni_conflist "$EG_LIST" pods 100 1 "$CNI_SOCK" 1.1.0 "[$PM]"; caps_bw "$EG_LIST"
cni_conflist "$COMBO" pods 100 1 "$CNI_SOCK" 1.1.0 "[$PM, $BW_IN]"; caps_bw "$COMBO"
cni_conflist "$BOTH" pods 100 1 "$CNI_SOCK" 1.1.0 "[$PM, $BW_CAP]"; caps_bw "$BOTH"
EG='{"ingressRate": 0, "ingressBurst": 0, "egressRate": 1000000, "egressBurst": 1048576}'
# add_bw BANDWIDTH LIST CID NETNS IFNAME: ADD with that runtimeConfig.bandwidth.
add_bw() { CNI_BANDWIDTH=$1 cni_add "${@:2}"; }
del_bw() { CNI_BANDWIDTH=$1 cni_del "${@:2}"; }
# rate_of IFINDEX: h1's vtep_port_rates entry for it (bpftool, BTF names),
# empty when there is none.
rate_of() {
	bpftool -j map dump pinned "$(bpffs_of h1)/vtep_port_rates" |
		jq -c --argjson k "$1" '.[] | select(.formatted.key == $k) | .formatted.value'
}
rates_n() { bpftool -j map dump pinned "$(bpffs_of h1)/vtep_port_rates" | jq length; }
# (ip, not /sys: nsenter --net keeps the sysfs of the namespace that
# mounted it)
ifindex_of() { nx "${PFX}h1" ip -j link show dev "$1" | jq -r '.[0].ifindex // empty'; }
drops() { vt h1 -j stats | jq -r '.drop_rate_limit'; }
# udp_burst POD DST N: N datagrams of 1400 bytes to DST:9999, as fast as
# the pod sends them.
udp_burst() {
	nx "${PFX}$1" python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(int(sys.argv[2])):
    s.sendto(b"x" * 1400, (sys.argv[1], 9999))' "$2" "$3"
}
# udp_count POD: in the background, counts the datagrams POD receives on
# port 9999 (a receive buffer that holds a whole burst) until 1 s passes
# without one (5 s before the first); the count goes to $1.count.
udp_count() {
	nx "${PFX}$1" python3 -c 'import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 33, 32 << 20)   # SO_RCVBUFFORCE
s.bind(("0.0.0.0", 9999))
n = 0
s.settimeout(5)
try:
    while True:
        s.recv(2048)
        n += 1
        s.settimeout(1)
except socket.timeout:
    pass
print(n)' >"$(hostdir h1)/$1.count" &
	COUNT_PID=$!
	sleep 0.5
}
# burst_through SRC DST_POD DST_IP: SRC's burst of N; sets SENT_DROPS (the
# policer's drops meanwhile) and GOT (what DST_POD's socket received).
burst_through() {
	local d0
	d0=$(drops)
	udp_count "$2"
	udp_burst "$1" "$3" "$N" || return 1
	wait "$COUNT_PID"
	GOT=$(cat "$(hostdir h1)/$2.count")
	SENT_DROPS=$(($(drops) - d0))
	echo "$1 sent $N to $2: drop_rate_limit +$SENT_DROPS, $2 received $GOT"
}
N=2000

pod_ns p14; NS14=$(pod_path p14)
check "ADD p14 with runtimeConfig.bandwidth egressRate 1 Mbit/s (vtepd-cni has the capability)" \
	add_bw "$EG" "$EG_LIST" c14 "$NS14" eth0 web p14
IP14=$(pod_ip "$EG_LIST" c14); V14=$(host_if "$EG_LIST" c14); X14=$(ifindex_of "$V14")
# (jq 1.6 -e passes on no input at all: an entry must be there first)
rate_entry() {
	local v; v=$(rate_of "$X14"); echo "vtep_port_rates[$X14]: ${v:-none}"
	[ -n "$v" ] && jq_true "$v" '.rate == 1000000 and .burst == 131072 and .burst_ns == 1048576000'
}
check "vtep_port_rates holds p14's limit (1000000 bit/s, 131072 bytes) under its ifindex $X14" rate_entry
ports_limit() {
	vt h1 -j ports | tee /dev/stderr | jq -e --arg i "$V14" \
		'[.[] | select(.ifname == $i and .egress_rate == 1000000 and .egress_burst == 131072)]
		 | length == 1' >/dev/null &&
		vt h1 ports | grep "^$V14 " | matches "egress 1Mbit/s burst 131072B"
}
check "vtepctl ports shows p14's egress limit (-j and the table)" ports_limit
pods_limit() {
	vt h1 -j pods | jq -e --arg ip "$IP14" \
		'[.[] | select(.ip == $ip and .egress_rate == 1000000 and .egress_burst == 1048576)]
		 | length == 1' >/dev/null
}
check "vtepctl pods keeps the limit as the runtime gave it (bits/s, bits)" pods_limit
check "CHECK p14 (the limit compared, its map entry there)" cni_check "$EG_LIST" c14 "$NS14" eth0
check "p14 -> p12 (ARP resolved before the burst)" pings p14 "$IP12"

policed() {
	burst_through p14 p12 "$IP12" || return 1
	[ "$SENT_DROPS" -ge $((N / 2)) ] && [ "$GOT" -gt 0 ] && [ "$GOT" -lt "$N" ] &&
		[ $((GOT + SENT_DROPS)) -le "$N" ]
}
check "p14's burst well above 1 Mbit/s is policed: drops counted, fewer delivered than sent" policed
metric_drops() {
	nx "${PFX}h1" curl -s --max-time 5 http://127.0.0.1:9469/metrics |
		grep -E '^vtepd_datapath_drops_total\{reason="rate_limit"\} [1-9]'
}
check "/metrics counts them: vtepd_datapath_drops_total{reason=\"rate_limit\"}" metric_drops
unpoliced() {
	burst_through p12 p14 "$IP14" || return 1
	[ "$SENT_DROPS" -eq 0 ] && [ "$GOT" -eq "$N" ]
}
check "p12 (no limit) sends the same burst to p14: no policer drop, all delivered" unpoliced

vtepd_stop h1
check "vtepd stopped: p14's limit stays in the pinned map" rate_entry
vtepd_start h1
check "after vtepd restarts: p14's limit in vtep_port_rates (pods.json)" rate_entry
check "after vtepd restarts: CHECK p14" cni_check "$EG_LIST" c14 "$NS14" eth0
check "after vtepd restarts: p14 is still policed" policed

pod_ns p17; NS17=$(pod_path p17)
bad_rate() {
	! add_bw '{"egressRate": 5}' "$EG_LIST" c17 "$NS17" eth0 web p17 &&
		jq_true "$CNI_RESULT" '.code == 7 and (.msg + " " + (.details // "") | test("egressRate"))'
}
check "ADD with egressRate 5 bit/s fails with code 7 naming egressRate" bad_rate
check "the runtime's DEL after it succeeds (the limit is not read on DEL)" \
	del_bw '{"egressRate": 5}' "$EG_LIST" c17 "$NS17" eth0

# The working combination with Debian's bandwidth plugin: vtepd-cni takes
# the runtime's bandwidth (egress), the plugin has its ingress keys in its
# own config and no capability.
pod_ns p15; NS15=$(pod_path p15)
check "ADD p15 through vtepd-cni (capability), portmap, bandwidth (ingress keys, no capability)" \
	add_bw "$EG" "$COMBO" c15 "$NS15" eth0 web p15
V15=$(host_if "$COMBO" c15); X15=$(ifindex_of "$V15")
combo_both() {
	local v; v=$(rate_of "$X15"); echo "vtep_port_rates[$X15]: ${v:-none}"
	[ -n "$v" ] && jq_true "$v" '.rate == 1000000' &&
		nx "${PFX}h1" tc -j qdisc show dev "$V15" |
		jq -e '[.[] | select(.kind == "tbf" and .root)] | length == 1' >/dev/null
}
check "p15 has both: the plugin's tbf (download) and vtepd's limit (upload)" combo_both
pod_ns p16; NS16=$(pod_path p16)
both_refused() {
	! add_bw "$EG" "$BOTH" c16 "$NS16" eth0 web p16 &&
		jq_true "$CNI_RESULT" '.msg | test("create ingress qdisc")'
}
check "the bandwidth plugin with the capability too fails on the pod's egressRate (as above)" \
	both_refused
check "the runtime's DEL after it leaves no ifb" eval \
	"del_bw '$EG' $BOTH c16 $NS16 eth0; no_ifb"

check "DEL p14: its vtep_port_rates entry goes" eval \
	"[ -n \"$X14\" ] && cni_del $EG_LIST c14 $NS14 eth0 && [ -z \"\$(rate_of $X14)\" ]"
check "DEL p15 through the chain" cni_del "$COMBO" c15 "$NS15" eth0
no_rates() { local n; n=$(rates_n); echo "vtep_port_rates: $n entries"; [ "$n" -eq 0 ]; }
check "no limit left in vtep_port_rates" no_rates

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
