#!/bin/bash
# cni_spec.sh - vtepd-cni driven as a CNI runtime drives it (cni_lib.sh):
# two nodes (h1, h2) whose vtepds peer over eBGP, a conflist of vtepd-cni
# (host-local, one range per node) then Debian's portmap, kubelet's
# CNI_ARGS. What it shows:
#   - STATUS, then ADD on both nodes: the result in the spec's shape
#     (interfaces with sandbox, mac and mtu; ips with gateway and interface;
#     routes; dns), the pod's interface, address /32 and route, vtepctl pods
#     and ports; the pods ping each other across VXLAN; portmap's rules;
#   - CHECK through the chain; vtepd restarted keeps pods, CHECK still good;
#   - DEL: the route is withdrawn on the other node, host-local's store frees
#     the address, portmap's rules go, a second DEL succeeds;
#   - the address re-used by a pod on the other node is reachable there;
#   - GC with cni.dev/valid-attachments removes what the runtime forgot and
#     gives its address back;
#   - vtepd down: ADD says 11, STATUS 50, DEL of a live pod 11, DEL of a gone
#     one succeeds.
PFX=${PFX:-vc-}
R=${R:-/run/vtepd-cni-test}
. "$(dirname "$0")/bgp_lib.sh"
. "$(dirname "$0")/cni_lib.sh"
bgp_begin
cni_two_nodes

cni_node h1
check "STATUS on h1 (vtepd-cni, portmap)" cni_status "$CNI_LIST"
pod_ns p11; NS11=$(pod_path p11); pod_ns p21; NS21=$(pod_path p21)
CNI_PORTMAPS='[{"hostPort": 8080, "containerPort": 80, "protocol": "tcp"}]' \
	check "ADD p11 on h1 (vtepd-cni then portmap)" cni_add "$CNI_LIST" c11 "$NS11" eth0 web p11
R11=$(cni_cached "$CNI_LIST" c11 eth0); IP11=$(pod_ip "$CNI_LIST" c11)
result_ok() {  # result_ok RESULT NETNS VERSION: the spec's shape (mtu from 1.1.0 on)
	echo "$1"
	jq_true "$1" --arg ns "$2" --arg v "$3" '.cniVersion == $v
		and (.interfaces | length) == 2
		and (.interfaces[0] | (.name | test("^vt[0-9a-f]{11}$")) and (has("sandbox") | not)
		     and (.mac | test("^([0-9a-f]{2}:){5}[0-9a-f]{2}$")))
		and (.interfaces[1] | .name == "eth0" and .sandbox == $ns
		     and (.mac | test("^([0-9a-f]{2}:){5}[0-9a-f]{2}$")))
		and ([.interfaces[].mtu] == (if $v == "1.1.0" then [1450, 1450] else [null, null] end))
		and (.ips | length) == 1 and .ips[0].interface == 1
		and (.ips[0].address | test("^10\\.1\\.[12]\\.[0-9]+/32$"))
		and .ips[0].gateway == "10.1.255.254" and (.ips[0] | has("version") | not)
		and .routes == [{dst: "0.0.0.0/0", gw: "10.1.255.254"}]
		and .dns.nameservers == ["10.1.255.253"]'
}
jq_true() { printf '%s' "$1" | jq -e "${@:2}" >/dev/null; }
check "the chain ran at 1.0.0 (portmap's highest): result shaped as 1.0.0 says" result_ok "$R11" "$NS11" 1.0.0
pod_net_ok() {  # pod_net_ok NS IP: eth0 /32, up, MTU 1450, default via the gateway onlink
	nx "$1" ip -j addr show eth0 | jq -e --arg ip "$2" '.[0] | .mtu == 1450 and
		(.flags | index("UP")) and ([.addr_info[] | select(.family == "inet")] ==
		[.addr_info[] | select(.local == $ip and .prefixlen == 32)])' &&
	nx "$1" ip -j route show default | jq -e '.[0] | .gateway == "10.1.255.254" and .dev == "eth0"
		and (.flags | index("onlink"))' &&
	nx "$1" ip -j link show lo | jq -e '.[0].flags | index("UP")'
}
check "p11: eth0 holds $IP11/32, MTU 1450, default via 10.1.255.254 onlink, lo up" pod_net_ok "${PFX}p11" "$IP11"
pods_has() {  # pods_has H CID IP: vtepctl pods and ports agree
	local p; p=$(vt "$1" -j pods); echo "$p"
	jq_true "$p" --arg c "$2" --arg ip "$3" '[.[] | select(.container_id == $c and .ip == $ip
		and .ifname == "eth0" and .vni == 100 and .k8s_namespace == "web"
		and .k8s_name == ("p" + ($c | ltrimstr("c"))))] | length == 1' &&
	vt "$1" -j ports | jq -e --arg ip "$3" '[.[] | select(.ip == $ip and .pod)] | length == 1'
}
check "vtepctl pods lists p11 (web/p11), vtepctl ports marks its port a pod" pods_has h1 c11 "$IP11"
dnat_some() { [ "$(dnat_count)" -ge 1 ]; }
dnat_count() { nx "${PFX}h1" iptables-save -t nat | grep -c -- "--to-destination $IP11:80"; }
check "portmap (chained after vtepd-cni, prevResult from it) added its DNAT for $IP11" \
	dnat_some

cni_node h2
check "ADD p21 on h2" cni_add "$CNI_LIST" c21 "$NS21" eth0 web p21
IP21=$(pod_ip "$CNI_LIST" c21)
check "the result on h2" result_ok "$(cni_cached "$CNI_LIST" c21 eth0)" "$NS21" 1.0.0
check_until "h1 learned p21 ($IP21) over BGP" 15 has_route h1 "$IP21/32" "$(vtep_ip h2)"
check_until "h2 learned p11 ($IP11) over BGP" 15 has_route h2 "$IP11/32" "$(vtep_ip h1)"
check "p11 -> p21 across VXLAN" ping_ok "${PFX}p11" "$IP21"
check "p21 -> p11 across VXLAN" ping_ok "${PFX}p21" "$IP11"

check "CHECK p21 through the chain (vtepd-cni, host-local, portmap without mappings)" \
	cni_check "$CNI_LIST" c21 "$NS21" eth0
cni_node h1
# check_one LIST CID NETNS IFNAME INDEX: CHECK of one plugin of the list.
check_one() {
	local conf CNI_PORTMAPS
	# shellcheck disable=SC2034 # read by cni_request
	CNI_PORTMAPS=$(cni_cached_caps "$1" "$2" "$4")
	conf=$(cni_request "$1" "$5" "$(cni_cached "$1" "$2" "$4")" CHECK) &&
		cni_exec CHECK "$2" "$3" "$4" "$conf"
}
# Debian's portmap 1.1.1 checks ip6tables rules it never made for an
# IPv4-only pod (containernetworking/plugins#819): its CHECK of a pod with
# port mappings fails whatever the plugins before it did.
portmap_819() {
	! check_one "$CNI_LIST" c11 "$NS11" eth0 1 && jq_true "$CNI_RESULT" '.msg | test("ipv6 dnat")'
}
check "CHECK p11: vtepd-cni (then host-local) passes" check_one "$CNI_LIST" c11 "$NS11" eth0 0
check "CHECK p11: Debian's portmap fails only on its IPv6 bug (plugins#819)" portmap_819
check_other_netns() {  # CHECK of p11 claiming p21's namespace must fail
	! cni_check "$CNI_LIST" c11 "$NS21" eth0
}
check "CHECK of p11 with another netns than its ADD's fails" check_other_netns

# ---- restart
vtepd_stop h1
vtepd_start h1
check "after vtepd restarts on h1: p11 is still a pod and a port" pods_has h1 c11 "$IP11"
check "after vtepd restarts: CHECK p11 (vtepd-cni) passes" check_one "$CNI_LIST" c11 "$NS11" eth0 0
check "after vtepd restarts: p11 -> p21" ping_ok "${PFX}p11" "$IP21"

# ---- vtepd down
vtepd_stop h1
pod_ns p12; NS12=$(pod_path p12)
code_is() {  # code_is CODE CMD...: the plugin failed with that code
	"${@:2}"; local rc=$?
	echo "status $rc, stdout: $CNI_RESULT"
	[ $rc -ne 0 ] && jq_true "$CNI_RESULT" --argjson c "$1" '.code == $c and (.msg | length) > 0
		and (.cniVersion == "1.0.0" or .cniVersion == "1.1.0")'
}
check "vtepd down: ADD fails with 11 (try again later)" code_is 11 cni_add "$CNI_LIST" c12 "$NS12" eth0
ipam_only() { [ "$(ipam_ips pods | tr '\n' ' ')" = "$IP11 " ]; }
check "vtepd down: that ADD took no address from host-local" ipam_only
check "vtepd down: STATUS fails with 50 (plugin not available)" code_is 50 cni_status "$CNI_LIST"
check "vtepd down: DEL of live p11 fails with 11 (its veth is there)" code_is 11 cni_del "$CNI_LIST" c11 "$NS11" eth0
check "vtepd down: DEL of an attachment that never was succeeds" cni_del "$CNI_LIST" c99 /run/netns/none eth0
vtepd_start h1

# ---- DEL
check "DEL p11 (portmap, then vtepd-cni)" cni_del "$CNI_LIST" c11 "$NS11" eth0
check_until "h2 withdrew p11's route" 15 no_route h2 "$IP11/32"
freed_11() { ! ipam_has pods "$IP11"; }
check "host-local freed $IP11" freed_11
no_dnat() { [ "$(dnat_count)" -eq 0 ]; }
check "portmap's DNAT for $IP11 is gone" no_dnat
gone_p11() { ! nx "${PFX}p11" ip link show eth0 && [ "$(vt h1 -j pods)" = "[]" ]; }
check "p11 has no eth0 any more, vtepctl pods is empty on h1" gone_p11
check "DEL p11 again succeeds (idempotent)" cni_del "$CNI_LIST" c11 "$NS11" eth0

# ---- the same address on the other node
cni_node h2
MOVED=$(hostdir h2)/moved.conflist
cni_conflist "$MOVED" moved 100 1 "$CNI_SOCK" 1.1.0 '[]'   # h2 from h1's range, vtepd-cni alone
pod_ns p22; NS22=$(pod_path p22)
check "ADD p22 on h2 from h1's range" cni_add "$MOVED" c22 "$NS22" eth0 web p22
same_ip() { local ip; ip=$(pod_ip "$MOVED" c22); echo "p22: $ip"; [ "$ip" = "$IP11" ]; }
check "p22 got p11's old address $IP11" same_ip
check "vtepd-cni alone runs at 1.1.0: interfaces carry mtu" result_ok "$(cni_cached "$MOVED" c22 eth0)" "$NS22" 1.1.0
cni_node h1
pod_ns p13; NS13=$(pod_path p13)
check "ADD p13 on h1" cni_add "$CNI_LIST" c13 "$NS13" eth0 web p13
check_until "h1 routes $IP11 to h2 now" 15 has_route h1 "$IP11/32" "$(vtep_ip h2)"
check "p13 (h1) -> p22 at $IP11 on h2" ping_ok "${PFX}p13" "$IP11"

# ---- GC
IP13=$(pod_ip "$CNI_LIST" c13)
pod_ns p14; NS14=$(pod_path p14)
check "ADD p14 on h1" cni_add "$CNI_LIST" c14 "$NS14" eth0 web p14
IP14=$(pod_ip "$CNI_LIST" c14)
# The runtime forgets p14 (its sandbox went while the runtime was down).
rm -f "$(cni_cache_file "$CNI_LIST" c14 eth0)"
pod_ns_del p14
check "GC with cni.dev/valid-attachments = [c13/eth0]" cni_gc "$CNI_LIST"
gc_done() {
	local p; p=$(vt h1 -j pods); echo "$p"
	jq_true "$p" '[.[].container_id] == ["c13"]' && ! ipam_has pods "$IP14" && ipam_has pods "$IP13"
}
check "GC removed p14 and gave $IP14 back to host-local, kept p13" gc_done
check "p13 still reaches p22 after GC" ping_ok "${PFX}p13" "$IP11"
check "STATUS on h1" cni_status "$CNI_LIST"

# ---- a node reboot: vtepd stops, the pod's namespace and veth are gone;
# vtepd comes back with the record. The runtime then does what containerd
# does after a reboot: DEL of the old sandbox (its namespace gone: the spec
# lets DEL go on without it), ADD of a new one.
vtepd_stop h1
pod_ns_del p13
vtepd_start h1
stale_kept() {
	local p; p=$(vt h1 -j pods); echo "$p"
	jq_true "$p" '[.[].container_id] == ["c13"]' &&
		vt h1 -j ports | jq -e '[.[] | select(.pod)] | length == 0'
}
check "after the 'reboot': p13's record is kept, its port waits for its interface" stale_kept
check "the runtime's DEL of the old sandbox c13 (netns gone) succeeds" \
	cni_del "$CNI_LIST" c13 "$NS13" eth0
gone_13() { [ "$(vt h1 -j pods)" = "[]" ] && ! ipam_has pods "$IP13"; }
check "c13's record and address are gone" gone_13
pod_ns p15; NS15=$(pod_path p15)
check "ADD of the new sandbox c15" cni_add "$CNI_LIST" c15 "$NS15" eth0 web p15
IP15=$(pod_ip "$CNI_LIST" c15)
# Only this node's side: two vtepds peering directly do not always
# re-establish after a quick restart (reported to the BGP work; the pods'
# side does not depend on it).
check "p15 is a pod and an attached port again" pods_has h1 c15 "$IP15"
check "p15 -> the VNI's gateway (answered by the port program)" ping_ok "${PFX}p15" 10.1.255.254
check "DEL p15" cni_del "$CNI_LIST" c15 "$NS15" eth0

# ---- clean up through the runtime
cni_node h2
del_h2() { cni_del "$CNI_LIST" c21 "$NS21" eth0 && cni_del "$MOVED" c22 "$NS22" eth0; }
check "DEL p21, p22 on h2" del_h2
h2_empty() { [ "$(vt h2 -j pods)" = "[]" ] && [ "$(vt h2 -j ports)" = "[]" ]; }
check "h2 holds no pods and no pod ports" h2_empty
