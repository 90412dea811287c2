#!/bin/bash
# cni_dualstack.sh - dual-stack and IPv6-only pods through vtepd-cni, driven
# as a runtime drives it (cni_lib.sh): two nodes whose vtepds peer over
# eBGP, VNI 100 dual-stack (subnet 10.1.0.0/16 and subnet6 2001:db8:100::/64),
# host-local with two ranges (one per family) per node. What it shows:
#   - ADD: the result carries both addresses, the IPv6 one a /128 whose
#     gateway is the VNI gateway's link-local address, and both default
#     routes; cniVersion 0.4.0 results mark each address's version;
#   - the pod end (in a namespace made with IPv6 off, as pods may be): IPv6
#     on, router advertisements off, the /128 without DAD, ::/0 via the
#     gateway's link-local address; vtepctl pods and ports with ip6, the
#     host's /128 route to the pod;
#   - the other node learns the pod's MAC+IPv6 route over BGP, and the pods
#     ping each other over IPv6 across VXLAN;
#   - CHECK compares both families (fails when the pod lost its IPv6
#     address), and keeps passing after vtepd restarts;
#   - an IPv6-only pod (host-local with the IPv6 range only): no IPv4 at all;
#   - DEL: both addresses back to host-local, the /128 route gone, the
#     route withdrawn on the other node.
PFX=${PFX:-vc-}
R=${R:-/run/vtepd-cni-test}
. "$(dirname "$0")/bgp_lib.sh"
. "$(dirname "$0")/cni_lib.sh"
bgp_begin

NET6=2001:db8:100
GW6_LL=fe80::ff:fe00:100      # fe80:: + the EUI-64 of GW_MAC 02:00:00:00:01:00
jq_true() { printf '%s' "$1" | jq -e "${@:2}" >/dev/null; }

# conflist6 FILE NODE VERSION FAMILIES: vtepd-cni alone, host-local with
# the node's IPv4 range (FAMILIES has 4) and IPv6 range (6), in that order.
conflist6() {
	local f=$1 node=$2 ver=$3 fams=$4
	jq -n --arg sock "$CNI_SOCK" --arg ver "$ver" --arg data "$CNI_IPAM_DIR" \
		--arg s4 "10.1.$node.10" --arg e4 "10.1.$node.250" \
		--arg s6 "$NET6::$node:10" --arg e6 "$NET6::$node:250" --arg fams "$fams" '{
	cniVersion: $ver, name: "pods6",
	plugins: [{type: "vtepd-cni", vni: 100, socket: $sock,
	           ipam: {type: "host-local", dataDir: $data,
	                  ranges: ((if ($fams | contains("4")) then [[{subnet: "10.1.0.0/16",
	                              rangeStart: $s4, rangeEnd: $e4}]] else [] end)
	                         + (if ($fams | contains("6")) then [[{subnet: "2001:db8:100::/64",
	                              rangeStart: $s6, rangeEnd: $e6}]] else [] end))}}]
}' >"$f"
}
# vni6 H: VNI 100 of H's config becomes dual-stack.
vni6() {
	local f; f=$(cfg_of "$1")
	jq --arg s "$NET6::/64" '.vnis[0] += {subnet6: $s}' "$f" >"$f.tmp" && mv "$f.tmp" "$f" ||
		die "cannot write $f"
}
# conflists6 H: node H's three conflists (dual stack at 1.1.0 and 0.4.0,
# IPv6 only).
conflists6() {
	conflist6 "$CNI_LIST" "${1#h}" 1.1.0 46 &&
	conflist6 "$(hostdir "$1")/pods6-040.conflist" "${1#h}" 0.4.0 46 &&
	conflist6 "$(hostdir "$1")/pods6-only.conflist" "${1#h}" 1.1.0 6
}

cni_two_nodes --config vni6 --node conflists6

# pod_ip6 LIST CID: the IPv6 address the cached result gives the pod.
pod_ip6() { cni_cached "$1" "$2" eth0 | jq -r '[.ips[].address | select(contains(":"))][0] | split("/")[0]'; }
pod_ip4() { cni_cached "$1" "$2" eth0 | jq -r '[.ips[].address | select(contains(":") | not)][0] // "" | split("/")[0]'; }

cni_node h1
pod_ns p11; NS11=$(pod_path p11)
check "ADD p11 on h1 (dual stack, 1.1.0)" cni_add "$CNI_LIST" c11 "$NS11" eth0 web p11
R11=$(cni_cached "$CNI_LIST" c11 eth0); IP11=$(pod_ip4 "$CNI_LIST" c11); IP6_11=$(pod_ip6 "$CNI_LIST" c11)
result6_ok() {
	echo "$1"
	jq_true "$1" --arg gw "$GW6_LL" '(.ips | length) == 2
		and (.ips[0].address | test("^10\\.1\\.1\\.[0-9]+/32$"))
		and (.ips[1].address | test("^2001:db8:100::1:[0-9a-f]+/128$"))
		and .ips[1].gateway == $gw and .ips[1].interface == 1 and (.ips[1] | has("version") | not)
		and .routes == [{dst: "0.0.0.0/0", gw: "10.1.255.254"}, {dst: "::/0", gw: $gw}]'
}
check "the result: IPv4 /32 and IPv6 /128 (gateway $GW6_LL), both default routes" result6_ok "$R11"
pod6_ok() {  # pod6_ok NS IP6: the pod end's IPv6 as podnet.h says
	nx "$1" ip -j -6 addr show eth0 | tee /dev/stderr | jq -e --arg ip "$2" \
		'[.[0].addr_info[] | select(.local == $ip and .prefixlen == 128)] | length == 1' &&
	nx "$1" ip -j -6 route show default | tee /dev/stderr | jq -e --arg gw "$GW6_LL" \
		'.[0] | .gateway == $gw and .dev == "eth0"' &&
	[ "$(nx "$1" sysctl -n net.ipv6.conf.eth0.disable_ipv6)" = 0 ] &&
	[ "$(nx "$1" sysctl -n net.ipv6.conf.eth0.accept_ra)" = 0 ]
}
check "p11: eth0 holds $IP6_11/128, ::/0 via $GW6_LL, IPv6 on, no RAs" pod6_ok "${PFX}p11" "$IP6_11"
pods6_has() {  # pods6_has H CID IP IP6 ("" IP: null)
	local p; p=$(vt "$1" -j pods); echo "$p"
	jq_true "$p" --arg c "$2" --arg ip "$3" --arg ip6 "$4" '[.[] | select(.container_id == $c
		and .ip == (if $ip == "" then null else $ip end) and .ip6 == $ip6)] | length == 1' &&
	vt "$1" -j ports | jq -e --arg ip6 "$4" '[.[] | select(.ip6 == $ip6 and .pod)] | length == 1'
}
check "vtepctl pods and ports: p11 with ip and ip6" pods6_has h1 c11 "$IP11" "$IP6_11"
host6_route() {  # host6_route H IP6: the host's /128 to the pod (proto 118)
	nx "${PFX}$1" ip -6 route show proto 118 | tee /dev/stderr | matches "^$2 dev vt"
}
check "h1: the /128 route to $IP6_11 through the pod's host end" host6_route h1 "$IP6_11"

cni_node h2
pod_ns p21; NS21=$(pod_path p21)
check "ADD p21 on h2 (dual stack)" cni_add "$CNI_LIST" c21 "$NS21" eth0 web p21
IP6_21=$(pod_ip6 "$CNI_LIST" c21); IP21=$(pod_ip4 "$CNI_LIST" c21)
check_until "h2 learned p11's MAC+IPv6 route ($IP6_11) over BGP" 15 has_route h2 "$IP6_11/128" "$(vtep_ip h1)"
check_until "h1 learned p21's ($IP6_21)" 15 has_route h1 "$IP6_21/128" "$(vtep_ip h2)"
ping6_ok() { nx "$1" ping -6 -n -c 2 -i 0.2 -W 2 -q "$2"; }
check "p11 -> p21 over IPv6 across VXLAN" ping6_ok "${PFX}p11" "$IP6_21"
check "p21 -> p11 over IPv6" ping6_ok "${PFX}p21" "$IP6_11"
check "p11 -> p21 over IPv4 still" ping_ok "${PFX}p11" "$IP21"

# ---- CHECK
cni_node h1
check "CHECK p11 (both families)" cni_check "$CNI_LIST" c11 "$NS11" eth0
run ip -n "${PFX}p11" -6 addr del "$IP6_11/128" dev eth0
check_fails() { ! cni_check "$@" && jq_true "$CNI_RESULT" '.details | test("/128")'; }
check "CHECK p11 fails once the pod lost its IPv6 address" check_fails "$CNI_LIST" c11 "$NS11" eth0
run ip -n "${PFX}p11" -6 addr add "$IP6_11/128" dev eth0 nodad

# ---- 0.4.0: each address says its version
pod_ns p12; NS12=$(pod_path p12)
L040=$(hostdir h1)/pods6-040.conflist
check "ADD p12 at 0.4.0" cni_add "$L040" c12 "$NS12" eth0 web p12
versions_ok() {
	local r; r=$(cni_cached "$L040" c12 eth0); echo "$r"
	jq_true "$r" '.cniVersion == "0.4.0" and [.ips[].version] == ["4", "6"]'
}
check "0.4.0 result: version 4 and version 6" versions_ok

# ---- IPv6 only
pod_ns p13; NS13=$(pod_path p13)
L6=$(hostdir h1)/pods6-only.conflist
check "ADD p13 (host-local with the IPv6 range only)" cni_add "$L6" c13 "$NS13" eth0 web p13
IP6_13=$(pod_ip6 "$L6" c13)
only6_ok() {
	local r; r=$(cni_cached "$L6" c13 eth0); echo "$r"
	jq_true "$r" '(.ips | length) == 1 and .routes == [{dst: "::/0", gw: "fe80::ff:fe00:100"}]' &&
	[ -z "$(nx "${PFX}p13" ip -4 addr show dev eth0)" ] &&
	[ -z "$(nx "${PFX}p13" ip -4 route show)" ]
}
check "p13: one address, IPv6; no IPv4 address or route in the pod" only6_ok
check "vtepctl pods: p13 with ip null" pods6_has h1 c13 "" "$IP6_13"
check "p13 (IPv6-only) -> p21" ping6_ok "${PFX}p13" "$IP6_21"

# ---- restart keeps the pods
vtepd_stop h1
vtepd_start h1
check "after vtepd restarts: p11 still has ip and ip6" pods6_has h1 c11 "$IP11" "$IP6_11"
check "after vtepd restarts: CHECK p11" cni_check "$CNI_LIST" c11 "$NS11" eth0
check "after vtepd restarts: p13 -> p21" ping6_ok "${PFX}p13" "$IP6_21"

# ---- DEL
check "DEL p11" cni_del "$CNI_LIST" c11 "$NS11" eth0
freed() { ! ipam_ips pods6 | matches -x -e "$IP11" -e "$IP6_11"; }
check "host-local got both addresses back" freed
no_host6() { ! host6_route h1 "$IP6_11"; }
check "h1: the /128 route to $IP6_11 is gone" no_host6
check_until "h2: p11's MAC+IPv6 route withdrawn" 15 no_route h2 "$IP6_11/128"
