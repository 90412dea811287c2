#!/bin/bash
# k8s_traffic.sh - the traffic a Kubernetes node needs, on a cluster of two
# vtepd nodes, an FRR EVPN leaf with a host behind it, an FRR route
# reflector and "the internet" (tests/net/k8s_lib.sh). Pods are attached by
# the CNI runtime of cni_lib.sh through vtepd-cni and portmap. What it shows:
#   - pod to pod across nodes (ping, TCP); the node to its own pods and to
#     the pods of the other node (kubelet probes, NodePorts: through the
#     host link, seen as host_ip); a pod to a hostNetwork server of the
#     other node at its host_ip; a pod to its node;
#   - the FRR leaf learns every pod's and host link's type-2 route, and its
#     host reaches pods on both nodes;
#   - a pod to the internet: nothing comes back without masquerade; with
#     the node's MASQUERADE (iptables on h1, nftables on h2) the server
#     sees the node's address and answers;
#   - no traffic between VNIs through the host path, masquerade rules in
#     place: VNI 100's pods reach neither a VNI 200 pod on the same node nor
#     one on the other node, nor the other way (drop_outside_vni at the
#     port); what the host forwards into a host link from elsewhere is
#     dropped there (drop_hostlink_src);
#   - pod deletion withdraws the route (vtepd and the FRR leaf) and frees
#     the address; a pod re-created on the other node with the same address
#     (a StatefulSet moving) is reached there, from pods and the leaf, and
#     no duplicate address is left reported on either node;
#   - vtepd restarted under ping floods: the node's own datapath loses
#     nothing; across nodes every loss is the FRR reflector's withdrawal
#     (FRR 8.4 has no EVPN graceful restart);
#   - GC removes what the runtime no longer knows and frees its address;
#   - vtepctl vnis shows outside and host_ip; everything torn down through
#     the runtime at the end.
PFX=${PFX:-k8-}
R=${R:-/run/vtepd-test-k8}
. "$(dirname "$0")/k8s_lib.sh"
bgp_begin
k8s_up

check "vtepctl -j vnis: outside host, host_ip on h1" bash -c \
	"$(declare -f vt nx ns_of sock_of bpffs_of hostdir); PFX=$PFX R=$R VTEPCTL=$VTEPCTL;
	 vt h1 -j vnis | tee /dev/stderr | jq -e '[.[] | {vni, outside, host_ip}] ==
	 [{vni: 100, outside: \"host\", host_ip: \"10.1.1.1\"}, {vni: 200, outside: \"host\", host_ip: \"10.2.1.1\"}]'"
hostlink_ok() {  # hostlink_ok H: the pair, its address and route as hostlink.h says
	local ns; ns=$(ns_of "$1")
	nx "$ns" ip -j addr show vtep100 | jq -e --arg a "$(host_ip 1 "$1")" \
		'.[0].addr_info | any(.local == $a and .prefixlen == 32)' &&
	nx "$ns" ip -j route show 10.1.0.0/16 | tee /dev/stderr | jq -e --arg a "$(host_ip 1 "$1")" \
		'.[0] | .dev == "vtep100" and .gateway == "10.1.255.254" and .prefsrc == $a
		 and .protocol == "118" and (.flags | index("onlink"))'
}
check "h1's host link: vtep100 holds 10.1.1.1/32, 10.1.0.0/16 via the gateway onlink src 10.1.1.1" hostlink_ok h1

check "ADD a1, a2 on h1 (VNI 100)" bash -c 'true'
pod_add h1 a1 || die "ADD a1"
pod_add h1 a2 || die "ADD a2"
pod_add h2 b1 || die "ADD b1"
cni_node h1; pod_add h1 t1 "$(hostdir h1)/tenant.conflist" || die "ADD t1 (VNI 200)"
cni_node h2; pod_add h2 u1 "$(hostdir h2)/tenant.conflist" || die "ADD u1 (VNI 200)"
A1=${POD_IP[a1]} A2=${POD_IP[a2]} B1=${POD_IP[b1]} T1=${POD_IP[t1]} U1=${POD_IP[u1]}
say "pods: a1 $A1, a2 $A2 (h1), b1 $B1 (h2), t1 $T1 (h1, VNI 200), u1 $U1 (h2, VNI 200)"
check_until "h1 learned b1 and h2's host link from the reflector" 20 bash -c \
	"$(declare -f has_route vt_route vt nx ns_of sock_of bpffs_of hostdir jq_true); PFX=$PFX R=$R VTEPCTL=$VTEPCTL;
	 has_route h1 $B1/32 192.0.2.2 && has_route h1 10.1.2.1/32 192.0.2.2"
check_until "h2 learned a1, a2" 20 bash -c \
	"$(declare -f has_route vt_route vt nx ns_of sock_of bpffs_of hostdir jq_true); PFX=$PFX R=$R VTEPCTL=$VTEPCTL;
	 has_route h2 $A1/32 192.0.2.1 && has_route h2 $A2/32 192.0.2.1"

# ---- pods and nodes
check "a1 -> b1 across nodes (ping)" ping_ok "${PFX}a1" "$B1"
check "a1 -> b1 across nodes (TCP, seen as a1)" ask_is "${PFX}a1" "$B1" "$POD_PORT" b1 "$A1"
check "b1 -> a2 across nodes (TCP)" ask_is "${PFX}b1" "$A2" "$POD_PORT" a2 "$B1"
check "a1 -> a2 on one node (TCP)" ask_is "${PFX}a1" "$A2" "$POD_PORT" a2 "$A1"
check "node h1 -> its pod a1 (kubelet probe)" ask_is "${PFX}h1" "$A1" "$POD_PORT" a1
check "node h1 -> b1 on h2 (through the host link, seen as host_ip 10.1.1.1)" \
	ask_is "${PFX}h1" "$B1" "$POD_PORT" b1 10.1.1.1
check "node h2 -> a1 on h1 (seen as 10.1.2.1)" ask_is "${PFX}h2" "$A1" "$POD_PORT" a1 10.1.2.1
check "node h1 -> b1 (ping)" ping_ok "${PFX}h1" "$B1"
check "a1 -> its node's address 192.0.2.1" ping_ok "${PFX}a1" 192.0.2.1
bg hostnet-h2 nx "${PFX}h2" "$PY" "$WHOAMI" hostnet-h2 9090 600
wait_until 10 grep -q listening "$LOGDIR/hostnet-h2.out"
check "a1 -> a hostNetwork server on h2 at its host_ip 10.1.2.1 (VXLAN both ways)" \
	ask_is "${PFX}a1" 10.1.2.1 9090 hostnet-h2 "$A1"

# ---- the FRR leaf
check_until "the FRR leaf learned every pod's and host link's type-2 (a1 a2 b1, 10.1.1.1 10.1.2.1)" 20 \
	leaf_has "$A1" "$A2" "$B1" 10.1.1.1 10.1.2.1
check "w31 behind the FRR leaf -> a1 on h1 (TCP)" ask_is "$W31" "$A1" "$POD_PORT" a1 10.1.0.31
check "w31 behind the FRR leaf -> b1 on h2 (ping)" ping_ok "$W31" "$B1"

# ---- to the internet
check "a1 -> the internet without masquerade: no answer (nothing routes back to pods)" \
	ask_fails "${PFX}a1" "$INET_IP" "$POD_PORT"
bg whoami-inet nx "$INET" "$PY" "$WHOAMI" internet "$POD_PORT" 600
wait_until 10 grep -q listening "$LOGDIR/whoami-inet.out"
run nx "${PFX}h1" iptables-nft -t nat -A POSTROUTING -s 10.1.0.0/16 ! -d 10.1.0.0/16 \
	-m comment --comment "pod egress" -j MASQUERADE
run nx "${PFX}h2" nft -f - <<'EON'
table ip egress {
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr 10.1.0.0/16 ip daddr != 10.1.0.0/16 masquerade
	}
}
EON
before=$(stat_of h1 fwd_outside)
check "a1 -> the internet with h1's iptables MASQUERADE (seen as h1's 198.51.100.2)" \
	ask_is "${PFX}a1" "$INET_IP" "$POD_PORT" internet 198.51.100.2
check "b1 -> the internet with h2's nftables masquerade (seen as 198.51.100.6)" \
	ask_is "${PFX}b1" "$INET_IP" "$POD_PORT" internet 198.51.100.6
check "h1 counted a1's packets to the host as fwd_outside" counter_gt h1 fwd_outside "$before"

# ---- VNIs stay apart through the host (the MASQUERADE rules above in place:
# they would give a packet of VNI 100 the other host link's host_ip)
o1=$(stat_of h1 drop_outside_vni); o2=$(stat_of h2 drop_outside_vni); hs1=$(stat_of h1 drop_hostlink_src)
check "a1 (VNI 100) -/-> t1 (VNI 200) on the same node" ask_fails "${PFX}a1" "$T1" "$POD_PORT"
check "a1 (VNI 100) -/-> u1 (VNI 200) on the other node" ask_fails "${PFX}a1" "$U1" "$POD_PORT"
check "... both dropped at a1's port: the host would route them into t1's port or VNI 200's host link (drop_outside_vni)" \
	bash -c "$(declare -f stat_of vt nx ns_of sock_of bpffs_of hostdir); PFX=$PFX R=$R VTEPCTL=$VTEPCTL;
		 v=\$(stat_of h1 drop_outside_vni); echo \"drop_outside_vni \$v (before $o1)\"; [ \$v -ge \$(($o1 + 2)) ]"
check "u1 (VNI 200) -/-> b1 (VNI 100) on its node" ask_fails "${PFX}u1" "$B1" "$POD_PORT"
check "u1 (VNI 200) -/-> a1 (VNI 100) on the other node" ask_fails "${PFX}u1" "$A1" "$POD_PORT"
check "... dropped at u1's port on h2 (drop_outside_vni)" counter_gt h2 drop_outside_vni "$o2"
check "t1 -> u1 inside VNI 200 across nodes still works" ask_is "${PFX}t1" "$U1" "$POD_PORT" u1 "$T1"
# Traffic the host forwards into a VNI from elsewhere: the fabric routes
# 10.2.2.0/24 to h1, whose route to VNI 200 is its host link.
run ip -n "$FAB" route add 10.2.2.0/24 via "$(uplink_ip h1)"
check "the internet -/-> u1 through h1's host link (not masqueraded)" ask_fails "$INET" "$U1" "$POD_PORT"
check "... dropped at h1's VNI 200 host link: a source of neither the VNI nor the host (drop_hostlink_src)" \
	counter_gt h1 drop_hostlink_src "$hs1"
run ip -n "$FAB" route del 10.2.2.0/24

# ---- restart under traffic. FRR 8.4 as the reflector keeps no EVPN route of
# a restarting peer (no graceful restart for L2VPN EVPN, FRRouting/frr#9749):
# while h1's session is down it withdraws h1's routes from h2, and h2 drops
# what h1 sends (drop_vx_vtep) until the session is back. So: h1's own
# datapath must lose nothing (local flood, the node's flood to its pod, every
# packet encapsulated and every returning one delivered), and every packet
# lost across nodes must be one of h2's drop_vx_vtep.
vx2=$(stat_of h2 drop_vx_vtep); enc1=$(stat_of h1 fwd_encap)
bg flood-local nx "${PFX}a1" ping -n -q -i 0.01 -c 600 -W 1 "$A2"
FL=$BG
bg flood-node nx "${PFX}h1" ping -n -q -i 0.01 -c 600 -W 1 "$A1"
FN=$BG
bg flood-remote nx "${PFX}a1" ping -n -q -i 0.01 -c 600 -W 1 "$B1"
FR=$BG
sleep 1
vtepd_stop h1
vtepd_start h1
check "a1 -> a2 ping flood (600 at 10 ms, same node) while vtepd restarts on h1: 0% loss" no_loss "$FL" flood-local
check "node h1 -> a1 ping flood while vtepd restarts: 0% loss" no_loss "$FN" flood-node
remote_accounted() {
	local sent got lost vx enc
	bg_wait "$FR" 30; cat "$LOGDIR/flood-remote.out"
	sent=$(awk '/transmitted/ {print $1}' "$LOGDIR/flood-remote.out")
	got=$(awk '/transmitted/ {print $4}' "$LOGDIR/flood-remote.out")
	lost=$((sent - got)); vx=$(($(stat_of h2 drop_vx_vtep) - vx2)); enc=$(($(stat_of h1 fwd_encap) - enc1))
	echo "a1 -> b1: $sent sent, $lost lost; h2 drop_vx_vtep +$vx; h1 fwd_encap +$enc"
	[ "$sent" -eq 600 ] && [ "$lost" -eq "$vx" ] && [ "$enc" -ge 600 ]
}
check "a1 -> b1 flood across nodes: h1 encapsulated all 600, every loss is h2's drop_vx_vtep (the reflector's withdrawal)" \
	remote_accounted
check "after the restart: node h1 -> b1 through the host link" ask_is "${PFX}h1" "$B1" "$POD_PORT" b1 10.1.1.1

# ---- deletion, and the address on the other node
cni_node h1
check "DEL a2 through the runtime" pod_del a2
check_until "h2 withdrew a2's route" 15 no_route h2 "$A2/32"
leaf_lacks() { ! leaf_has "$1"; }
check_until "the FRR leaf withdrew a2's type-2" 15 leaf_lacks "$A2"
freed() { ! ipam_has pods "$1"; }
cni_node h1
check "host-local on h1 freed $A2" freed "$A2"
cni_node h2
MOVED=$(hostdir h2)/moved.conflist
# The StatefulSet pod keeps its address on its new node: an IPAM range of
# that one address (what a cluster-wide IPAM or a static-IP annotation
# gives), vtepd-cni alone.
k8s_conflist "$MOVED" pods 100 1
jq --arg a "$A2" '.plugins |= .[:1] | .plugins[0].ipam.ranges[0][0] += {rangeStart: $a, rangeEnd: $a}' \
	"$MOVED" >"$MOVED.tmp" && mv "$MOVED.tmp" "$MOVED"
pod_add h2 s0 "$MOVED" || die "ADD s0 on h2"
same() { echo "s0: ${POD_IP[s0]}"; [ "${POD_IP[s0]}" = "$A2" ]; }
check "s0 on h2 got a2's old address $A2 (a StatefulSet pod moved)" same
check_until "h1 routes $A2 to h2 now" 15 has_route h1 "$A2/32" 192.0.2.2
# A pod that moved with its address is no duplicate (agent/rib/rib_dup.c):
# its old route was withdrawn first. Every start logged for the address
# (none expected) has its end.
dup_settled() {
	local h w r
	for h in h1 h2; do
		w=$(grep -c "vni 100 $A2: duplicate address: held by" "$LOGDIR/vtepd-$h.log")
		r=$(grep -c "vni 100 $A2: duplicate address resolved" "$LOGDIR/vtepd-$h.log")
		echo "$h: $w duplicate reports of $A2, $r resolved"
		[ "$w" -eq "$r" ] || return 1
	done
}
check_until "no duplicate of $A2 stays on h1 or h2 (a move, not a duplicate)" 10 dup_settled
check "a1 (h1) -> s0 at $A2 on h2" ask_is "${PFX}a1" "$A2" "$POD_PORT" s0 "$A1"
leaf_via() {  # the leaf's route to IP is via h2's VTEP
	local j; j=$(vty "$LEAF" "show evpn arp-cache vni 100 ip $1 json"); echo "$j"
	jqe "$j" '.remoteVtep == "192.0.2.2"'
}
check_until "the FRR leaf has $A2 at h2's VTEP" 20 leaf_via "$A2"
check "w31 (FRR leaf) -> s0 at $A2 on h2" ask_is "$W31" "$A2" "$POD_PORT" s0 10.1.0.31

# ---- GC
cni_node h1
pod_add h1 g1 || die "ADD g1"
G1=${POD_IP[g1]}
rm -f "$(cni_cache_file "$CNI_LIST" c-g1 eth0)"   # the runtime forgot g1
stop_pid "$(pgrep -f "k8s_whoami.py g1 " | head -n1)" 1 2>/dev/null
pod_ns_del g1
check "GC on h1 (cni.dev/valid-attachments: a1)" cni_gc "$CNI_LIST"
gc_done() {
	local p; p=$(vt h1 -j pods); echo "$p"
	jqe "$p" '[.[] | select(.network == "pods") | .container_id] == ["c-a1"]' && ! ipam_has pods "$G1"
}
check "GC removed g1 and freed $G1, kept a1" gc_done
check "a1 still reaches b1 after GC" ask_is "${PFX}a1" "$B1" "$POD_PORT" b1 "$A1"

# ---- teardown through the runtime
all_del() {
	local p
	for p in a1 b1 t1 u1 s0; do pod_del "$p" || return 1; done
}
check "DEL every pod through the runtime" all_del
no_pods() { local h; for h in h1 h2; do [ "$(vt "$h" -j pods)" = "[]" ] || return 1; done; }
check "no pod left on either node" no_pods
