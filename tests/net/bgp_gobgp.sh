#!/bin/bash
# bgp_gobgp.sh - vtepd against GoBGP (Debian's gobgpd 3.x) as its leaf, eBGP
# (vtepd AS 65101, GoBGP AS 65000 in the fabric namespace).
#
# h1 runs vtepd with BGP; h2 runs vtepd with static routes only, so the
# routes h1 forwards by are exactly the ones injected into GoBGP with
# `gobgp global rib -a evpn add ...`:
#   - the session comes up (both sides connect: collision handling included);
#   - h1's own type-2 routes are in GoBGP's RIB with RD 192.0.2.1:100,
#     RT 65101:100, encapsulation VXLAN, label 100 and next hop 192.0.2.1;
#   - injected type-2 with IP (h2's workloads), type-2 MAC only, type-3 with
#     PMSI and type-5 with a router's MAC show up in vtepctl routes / fdb /
#     bgp routes / vtep_remotes, and traffic flows over the type-2 routes;
#   - a route with a foreign route target is not imported;
#   - a withdrawal removes exactly its entries; losing the session (gobgpd
#     killed, no graceful restart) removes everything learned from it;
#   - with graceful restart negotiated, killing gobgpd keeps the routes
#     (stale) and traffic flowing; gobgpd back with the routes and End-of-RIB
#     ends the stale state.
. "$(dirname "$0")/bgp_lib.sh"
bgp_begin

FAB=${PFX}fab
H1IP=$(uplink_ip h1)          # 198.51.100.2
GBIP=$(fab_ip h1)             # 198.51.100.1
RT=65000:100                  # imported by "auto" (local part = the VNI)

gobgp_conf() {  # gobgp_conf GR
	cat <<EOF
[global.config]
  as = 65000
  router-id = "$GBIP"
  port = 179
EOF
	gobgp_neighbor_toml "$H1IP" 65101 "$1"
}

# inject ARGS...: add (or with "del" first, delete) a route in GoBGP's RIB.
inject() { gb "$FAB" global rib -a evpn "$@"; }
w2x() {  # w2x add|del N: h2's workload 2N as a type-2 route with IP
	inject "$1" macadv "$(wl_mac "2$2")" "$(wl_ip "2$2")" etag 0 label 100 rd "$(vtep_ip h2):100" \
		rt "$RT" encap vxlan nexthop "$(vtep_ip h2)"
}

topo_base
bgp_config h1 65101 "[$(nbr_j "$GBIP" 65000 '{"hold_time_s": 9, "keepalive_s": 3}')]"
# h2: static routes to h1's workloads (no BGP there).
std_config h2
gobgp_start "$FAB" "$(gobgp_conf 0)"
vtepd_start h1
vtepd_start h2

check_until "session Established (vtepctl peers)" 20 peer_up h1 "$GBIP"
check_until "session established (gobgp neighbor)" 10 gobgp_up "$FAB" "$H1IP"

# ---- vtepd's own advertisements in GoBGP's RIB
ours() {  # ours IP: GoBGP's path for h1's workload with IP, as JSON
	gobgp_evpn "$FAB" | jq -c --arg ip "$1" \
		'[.. | objects | select(has("nlri") and has("attrs")) | select(.nlri.value.ip == $ip)] | .[0] // empty'
}
own_route_ok() {
	local p
	p=$(ours "$1"); echo "$p"
	[ -n "$p" ] || return 1
	# RD, MAC, label (the VNI), next hop, RT, encapsulation, AS path.
	jq_true "$p" '.nlri.value.rd.admin == "192.0.2.1" and .nlri.value.rd.assigned == 100' &&
	jq_true "$p" ".nlri.value.mac == \"$2\" and .nlri.value.labels == [100]" &&
	jq_true "$p" '[.attrs[] | select(.type == 14)][0].nexthop == "192.0.2.1"' &&
	jq_true "$p" '[.attrs[] | select(.type == 16)][0].value |
		(any(.[]; .subtype == 2 and .value == "65101:100") and any(.[]; .subtype == 12 and .tunnel_type == 8))' &&
	jq_true "$p" '[.attrs[] | select(.type == 2)][0].as_paths[0].asns == [65101]'
}
check_until "GoBGP holds h1's w11 (RD, MAC, label 100, next hop, RT, VXLAN)" 10 \
	own_route_ok 10.1.0.11 "$(wl_mac 11)"
check "GoBGP holds h1's w12" own_route_ok 10.1.0.12 "$(wl_mac 12)"

# ---- flood: true adds our type-3 route (RFC 7432 11, RFC 8365 5.1.3):
# PMSI ingress replication, label = the VNI, tunnel id = our VTEP.
our_imet() {
	local p
	p=$(gobgp_evpn "$FAB" | jq -c '[.. | objects | select(has("nlri") and has("attrs"))
		| select(.nlri.type == 3 and .nlri.value.ip == "192.0.2.1")] | .[0] // empty')
	echo "$p"
	jqe "$p" '.nlri.value.rd.admin == "192.0.2.1" and .nlri.value.rd.assigned == 100' &&
	jqe "$p" '[.attrs[] | select(.type == 22)][0] | .["tunnel-type"] == 6 and .label == 100 and .["tunnel-id"] == "192.0.2.1"' &&
	jqe "$p" '[.attrs[] | select(.type == 16)][0].value | any(.[]; .subtype == 2 and .value == "65101:100")'
}
f=$(cfg_of h1); jq '.vnis[0].flood = true' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
run vt h1 reload
check_until "flood: true -> our type-3 in GoBGP's RIB (PMSI, RD, RT)" 10 our_imet
jq '.vnis[0].flood = false' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
run vt h1 reload
check_until "flood: false again -> our type-3 withdrawn" 10 eval '! our_imet'

# ---- type 2 with IP: h2's workloads, injected; traffic flows over them
run w2x add 1
run w2x add 2
check_until "injected w21 in vtepctl routes (vtep 192.0.2.2, source bgp)" 10 \
	has_route h1 10.1.0.21/32 "$(vtep_ip h2)"
# One entry per MAC+IP route: its MAC is the ARP table's (vtepctl neigh),
# and vtep_fdb holds only MACs without an IP.
neigh_is() { vt "$1" -j neigh | jq -e --arg ip "$2" --arg m "$3" '[.[] | select(.ip == $ip and .mac == $m and .source == "bgp")] | length == 1'; }
check "injected w21 in vtepctl neigh (the route's MAC)" neigh_is h1 10.1.0.21 "$(wl_mac 21)"
check "injected w21 not in vtepctl fdb (MAC+IP: one entry, the route)" eval "! has_fdb h1 $(wl_mac 21) $(vtep_ip h2)"
check "injected w22 in vtepctl routes" has_route h1 10.1.0.22/32 "$(vtep_ip h2)"
check "w11 -> w21 over the learned route" ping_ok "${PFX}w11" 10.1.0.21
check "w22 -> w12 (replies over the learned route)" ping_ok "${PFX}w22" 10.1.0.12
tcp_once() {
	bg iperf-srv nx "${PFX}w21" iperf3 -s -1 -B 10.1.0.21
	local srv=$BG
	wait_until 10 sh -c "nsenter --net=/run/netns/${PFX}w21 ss -Hltn 'sport = :5201' | grep -q 5201" || return 1
	timeout 30 nsenter --net="/run/netns/${PFX}w11" iperf3 -c 10.1.0.21 -t 1 --connect-timeout 3000 -J >"$LOGDIR/iperf.json" 2>&1
	bg_wait "$srv" 10 >/dev/null
	jq -e '.end.sum_received.bytes > 0' "$LOGDIR/iperf.json"
}
check "TCP (iperf3) w11 -> w21 over the learned route" tcp_once
w21_in_rib() {
	bgp_route_has h1 ".prefix == \"10.1.0.21/32\" and .peer == \"$GBIP\" and
		.rd == \"192.0.2.2:100\" and (.route_targets | index(\"$RT\")) != null and
		.vtep == \"192.0.2.2\" and .label == 100 and .best"
}
check "vtepctl bgp routes shows w21 with RD, RT, label, peer, next hop" w21_in_rib

# ---- type 2 MAC only
run inject add macadv 02:00:00:00:00:77 0.0.0.0 etag 0 label 100 rd 192.0.2.9:100 rt "$RT" \
	encap vxlan nexthop 192.0.2.9
check_until "MAC-only type-2 in vtepctl fdb" 10 has_fdb h1 02:00:00:00:00:77 192.0.2.9
no_host_route_77() { ! vt h1 -j routes | jq -e '.[] | select(.mac == "02:00:00:00:00:77")'; }
check "MAC-only type-2 puts no host route" no_host_route_77

# ---- type 3 with PMSI (ingress replication): a remote VTEP for VNI 100
run inject add multicast 192.0.2.8 etag 0 rd 192.0.2.8:100 rt "$RT" encap vxlan \
	pmsi ingress-repl 100 192.0.2.8 nexthop 192.0.2.8
type3() { bgp_route_has h1 '.type == 3 and .vtep == "192.0.2.8"'; }
check_until "type-3 in vtepctl bgp routes" 10 type3
check "type-3's VTEP accepted on the uplink (vtep_remotes)" has_remote h1 192.0.2.8

# ---- type 5 with a router's MAC: a prefix route
run inject add prefix 10.1.128.0/24 0.0.0.0 etag 0 label 100 rd 192.0.2.7:100 rt "$RT" \
	encap vxlan router-mac 02:00:00:00:07:07 nexthop 192.0.2.7
check_until "type-5 10.1.128.0/24 in vtepctl routes" 10 has_route h1 10.1.128.0/24 192.0.2.7

# ---- foreign route target: not imported
run inject add macadv 02:00:00:00:00:66 10.1.0.66 etag 0 label 100 rd 192.0.2.9:200 \
	rt 65000:200 encap vxlan nexthop 192.0.2.9
run inject add macadv 02:00:00:00:00:65 10.1.0.65 etag 0 label 100 rd 192.0.2.9:100 \
	rt "$RT" encap vxlan nexthop 192.0.2.9
wait_until 10 has_route h1 10.1.0.65/32 192.0.2.9   # sent after the foreign one
check "route target 65000:200 not imported into VNI 100" no_route h1 10.1.0.66/32

# ---- withdrawal
run w2x del 2
check_until "withdrawn w22 leaves vtepctl routes" 10 no_route h1 10.1.0.22/32
check "withdrawn w22 leaves vtepctl fdb" no_fdb h1 "$(wl_mac 22)"
check "w21 untouched by w22's withdrawal" has_route h1 10.1.0.21/32 "$(vtep_ip h2)"
check "w11 -> w22 fails without its route" sh -c "! nsenter --net=/run/netns/${PFX}w11 ping -n -c 2 -W 1 -q 10.1.0.22"

# ---- session loss without graceful restart: everything learned goes
gobgp_kill9 "$FAB"
check_until "session down after gobgpd is killed" 20 peer_down h1 "$GBIP"
check_until "learned routes gone (w21)" 10 no_route h1 10.1.0.21/32
check "learned fdb gone (MAC only)" no_fdb h1 02:00:00:00:00:77
check "learned prefix gone" no_route h1 10.1.128.0/24
local_kept() { local r; r=$(vt_route h1 10.1.0.11/32); echo "$r"; [ -n "$r" ] && jq_true "$r" '.source == "local"'; }
check "local routes kept" local_kept

# ---- graceful restart: GoBGP restarts, vtepd keeps its routes meanwhile
gobgp_start "$FAB" "$(gobgp_conf 1)"
run w2x add 1
check_until "session back, graceful restart negotiated" 30 peer_up h1 "$GBIP"
check_until "w21 learned again" 10 has_route h1 10.1.0.21/32 "$(vtep_ip h2)"
gobgp_kill9 "$FAB"
check_until "session down after gobgpd is killed (GR)" 20 peer_down h1 "$GBIP"
check "w21 kept, stale, while the peer restarts" has_route h1 10.1.0.21/32 "$(vtep_ip h2)"
stale() { bgp_route_has h1 '.prefix == "10.1.0.21/32" and .stale'; }
check "vtepctl bgp routes marks it stale" stale
check "traffic still flows over the stale route" ping_ok "${PFX}w11" 10.1.0.21
# Back as a restarting speaker (-r: R and F bits): the stale routes wait for
# its End-of-RIB, which follows the routes it has now (w21, injected again).
gobgp_start "$FAB" "$(gobgp_conf 1)" -r
run w2x add 1
check_until "session back after the restart" 30 peer_up h1 "$GBIP"
fresh() { bgp_route_has h1 '.prefix == "10.1.0.21/32" and (.stale | not)'; }
check_until "w21 fresh again (announced anew)" 15 fresh
check "stale routes ended by End-of-RIB, not at once" \
	grep -q "End-of-RIB after its restart: deleting" "$LOGDIR/vtepd-h1.log"

