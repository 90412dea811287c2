#!/bin/bash
# bgp_ipv6.sh - the IPv6 control plane end to end: vtepd on h1 peers eBGP
# with GoBGP (AS 65000, in the fabric namespace) as bgp_gobgp.sh does; h2
# runs vtepd with static routes only. VNI 100 is dual-stack (subnet6
# 2001:db8:100::/64, gateway_ip6 ::fffe); h1's w1 has both families, w2 is
# IPv6-only; h2's w1 has both. What it shows:
#   - vtepctl: vnis with subnet6/gateway_ip6, ports with ip6 and the EUI-64
#     link-local address (ip null for the IPv6-only port), routes and neigh
#     with /128 host routes and IPv6 prefixes (RFC 5952, always /len);
#   - the host: a /128 route (proto 118) and a permanent neighbour entry to
#     each port's ip6, kept across a vtepd restart; the host's own IPv6
#     addresses in vtep_hostaddrs6 (not link-local ones), and the host
#     reaches a workload over IPv6 and gets the answer back;
#   - BGP: our ports' MAC+IPv6 type-2 routes in GoBGP's RIB (RD, label,
#     RT, next hop); GoBGP's MAC+IPv6 and IPv6 type-5 (router's MAC) routes
#     in vtep_routes6/vtep_prefixes6, withdrawals;
#   - traffic: ping6 between workloads over the learned and static routes,
#     and to the gateway;
#   - MAC mobility over IPv6 (RFC 7432 s.15): a remote MAC+IPv6 route of
#     w11's MAC from a lower VTEP takes the MAC away; w11's unsolicited NA
#     (a family 6 event from the datapath) brings it back with sequence 1
#     on its IPv4 and IPv6 routes alike (the sequence is per MAC);
#   - vtepctl routes add/del with an IPv6 prefix and ports add ... ip6.
. "$(dirname "$0")/bgp_lib.sh"
bgp_begin

H1=${PFX}h1; H2=${PFX}h2
H1IP=$(uplink_ip h1)          # 198.51.100.2
GBIP=$(fab_ip h1)             # 198.51.100.1
RT=65000:100
NET6=2001:db8:100
GW6=$NET6::fffe
GW6_LL=fe80::ff:fe00:100      # fe80:: + the EUI-64 of GW_MAC 02:00:00:00:01:00

gobgp_conf() {
	cat <<EOF
[global.config]
  as = 65000
  router-id = "$GBIP"
  port = 179
EOF
	gobgp_neighbor_toml "$H1IP" 65101 0
}
inject() { gb "$FAB" global rib -a evpn "$@"; }

# v6_on NS: IPv6 back on in a namespace lib.sh made without it.
v6_on() {
	run nx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
		net.ipv6.conf.lo.disable_ipv6=0
}
# wl6 HI [ADDR]: workload HI gets ADDR/64 (default $NET6::HI), no router
# advertisements, a default route via the gateway's link-local address.
wl6() {
	local ns=${PFX}w$1 a=${2:-$NET6::$1}
	v6_on "$ns"
	run nx "$ns" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0 net.ipv6.conf.eth0.accept_ra=0
	run ip -n "$ns" -6 addr add "$a/64" dev eth0 nodad
	run ip -n "$ns" -6 route replace default via "$GW6_LL" dev eth0
}
# port6_j IFNAME IP IP6 MAC: a port ("" IP: IPv6 only).
port6_j() {
	jq -nc --arg i "$1" --arg ip "$2" --arg ip6 "$3" --arg m "$4" \
		'{ifname: $i, vni: 100, ip6: $ip6, mac: $m} + (if $ip == "" then {} else {ip: $ip} end)'
}
# vni6 H: VNI 100 of H's config becomes dual-stack.
vni6() {
	local f; f=$(cfg_of "$1")
	jq --arg s "$NET6::/64" --arg g "$GW6" '.vnis[0] += {subnet6: $s, gateway_ip6: $g}' "$f" >"$f.tmp" &&
		mv "$f.tmp" "$f" || die "cannot write $f"
}

topo_base
for h in h1 h2; do v6_on "${PFX}$h"; done
wl6 11; wl6 12; wl6 21
bgp_config h1 65101 "[$(nbr_j "$GBIP" 65000 '{"hold_time_s": 9, "keepalive_s": 3}')]" \
	"$(port6_j w1 10.1.0.11 "$NET6::11" "$(wl_mac 11)"; port6_j w2 "" "$NET6::12" "$(wl_mac 12)")"
vni6 h1
# h2: static routes to h1's workloads, IPv6 ones included, and a prefix.
write_config h2 "$(port6_j w1 10.1.0.21 "$NET6::21" "$(wl_mac 21)")" \
	"$(route_j 10.1.0.11 192.0.2.1 "$(wl_mac 11)"
	   jq -nc --arg m "$(wl_mac 11)" --arg p "$NET6::11/128" '{vni: 100, prefix: $p, vtep: "192.0.2.1", mac: $m}'
	   jq -nc --arg m "$(wl_mac 12)" --arg p "$NET6::12/128" '{vni: 100, prefix: $p, vtep: "192.0.2.1", mac: $m}'
	   jq -nc --arg m "$(wl_mac 11)" '{vni: 100, prefix: "2001:db8:500::/48", vtep: "192.0.2.1", mac: $m}')"
vni6 h2
gobgp_start "$FAB" "$(gobgp_conf)"
vtepd_start h1
vtepd_start h2
check_until "session Established" 20 peer_up h1 "$GBIP"

# ---- vtepctl: vnis, ports, routes, neigh
vnis_ok() {
	local j; j=$(vt h1 -j vnis); echo "$j"
	jqe "$j" '.[0] | .subnet6 == "2001:db8:100::/64" and .gateway_ip6 == "2001:db8:100::fffe" and .slaac == false'
}
check "vtepctl vnis: subnet6, gateway_ip6, slaac" vnis_ok
ports_ok() {
	local j; j=$(vt h1 -j ports); echo "$j"
	jqe "$j" '[.[] | select(.ifname == "w1")][0] | .ip == "10.1.0.11" and .ip6 == "2001:db8:100::11"
		and .ip6_ll == "fe80::ff:fe00:11"' &&
	jqe "$j" '[.[] | select(.ifname == "w2")][0] | .ip == null and .ip6 == "2001:db8:100::12"'
}
check "vtepctl ports: ip6 and the EUI-64 link-local address; ip null for the IPv6-only port" ports_ok
local6_ok() {
	local r; r=$(vt_route "$1" "$2"); echo "$1 $2: ${r:-none}"
	[ -n "$r" ] && jq_true "$r" ".source == \"$3\" and .vni == 100"
}
check "h1 routes: $NET6::11/128 local" local6_ok h1 "$NET6::11/128" local
check "h1 routes: $NET6::12/128 local (IPv6-only port)" local6_ok h1 "$NET6::12/128" local
static6_ok() {
	has_route h2 "$NET6::11/128" 192.0.2.1 static && has_route h2 2001:db8:500::/48 192.0.2.1 static
}
check "h2 routes: static IPv6 host route and prefix" static6_ok

# ---- the host's side
host_route6() {  # host_route6 H ADDR DEV MAC: the /128 route (proto 118) and the permanent neighbour
	local r n
	r=$(nx "${PFX}$1" ip -6 route show proto 118); n=$(nx "${PFX}$1" ip -6 neigh show)
	printf 'routes (proto 118):\n%s\nneighbours:\n%s\n' "$r" "$n"
	grep -q "^$2 dev $3 " <<<"$r" && grep -q "^$2 dev $3 lladdr $4 .*PERMANENT" <<<"$n"
}
check "h1: $NET6::11/128 dev w1 (proto 118) and a permanent neighbour" host_route6 h1 "$NET6::11" w1 "$(wl_mac 11)"
check "h1: $NET6::12/128 dev w2 (IPv6-only port)" host_route6 h1 "$NET6::12" w2 "$(wl_mac 12)"
hex6() { python3 -c 'import socket,sys; print(socket.inet_pton(socket.AF_INET6, sys.argv[1]).hex())' "$1"; }
hostaddrs6() {  # the keys of vtep_hostaddrs6 on H, as hex
	bpftool -j map dump pinned "$(bpffs_of "$1")/vtep_hostaddrs6" |
		jq -r '.[] | .key | map(ltrimstr("0x") | if length == 1 then "0" + . else . end) | join("")'
}
has_hostaddr6() { local k; k=$(hostaddrs6 "$1"); echo "$k"; grep -qx "$(hex6 "$2")" <<<"$k"; }
run ip -n "$H1" -6 addr add 2001:db8:ff::1/128 dev lo
check_until "h1: its address 2001:db8:ff::1 in vtep_hostaddrs6" 5 has_hostaddr6 h1 2001:db8:ff::1
no_ll_hostaddr() { ! hostaddrs6 h1 | matches '^fe80'; }
check "h1: no link-local address in vtep_hostaddrs6" no_ll_hostaddr
ping6_ok() { nx "$1" ping -6 -n -c 2 -i 0.2 -W 2 -q "$2"; }
check "h1 (the host) pings w11 over its /128 route; the answer comes back (vtep_hostaddrs6)" \
	ping6_ok "$H1" "$NET6::11"

# ---- vtepd's MAC+IPv6 routes in GoBGP
ours6() {
	gobgp_evpn "$FAB" | jq -c --arg ip "$1" \
		'[.. | objects | select(has("nlri") and has("attrs")) | select(.nlri.value.ip == $ip)] | .[0] // empty'
}
own6_ok() {
	local p; p=$(ours6 "$1"); echo "$p"
	[ -n "$p" ] || return 1
	jq_true "$p" '.nlri.value.rd.admin == "192.0.2.1" and .nlri.value.rd.assigned == 100' &&
	jq_true "$p" ".nlri.value.mac == \"$2\" and .nlri.value.labels == [100]" &&
	jq_true "$p" '[.attrs[] | select(.type == 14)][0].nexthop == "192.0.2.1"' &&
	jq_true "$p" '[.attrs[] | select(.type == 16)][0].value | any(.[]; .subtype == 2 and .value == "65101:100")'
}
check_until "GoBGP holds h1's w11 MAC+IPv6 (RD, MAC, label 100, next hop, RT)" 10 \
	own6_ok "$NET6::11" "$(wl_mac 11)"
check "GoBGP holds h1's IPv6-only w12" own6_ok "$NET6::12" "$(wl_mac 12)"

# ---- GoBGP's MAC+IPv6 and IPv6 type-5 routes in vtepd
w21x() {
	inject "$1" macadv "$(wl_mac 21)" "$NET6::21" etag 0 label 100 rd 192.0.2.2:100 rt "$RT" \
		encap vxlan nexthop 192.0.2.2
}
run w21x add
check_until "injected MAC+IPv6 $NET6::21/128 in vtepctl routes (vtep 192.0.2.2, bgp)" 10 \
	has_route h1 "$NET6::21/128" 192.0.2.2
neigh6_is() {
	local j; j=$(vt h1 -j neigh); echo "$j"
	jqe "$j" '[.[] | select(.ip == $ip and .mac == $m and .source == "bgp")] | length == 1' \
		--arg ip "$1" --arg m "$2"
}
check "injected $NET6::21 in vtepctl neigh with its MAC" neigh6_is "$NET6::21" "$(wl_mac 21)"
w21_rib() {
	bgp_route_has h1 ".prefix == \"$NET6::21/128\" and .rd == \"192.0.2.2:100\" and .vtep == \"192.0.2.2\"
		and .label == 100 and .best"
}
check "vtepctl bgp routes shows it (RD, next hop, label)" w21_rib
run inject add prefix 2001:db8:400::/48 gw :: etag 0 label 100 rd 192.0.2.7:100 rt "$RT" \
	encap vxlan router-mac 02:00:00:00:07:07 nexthop 192.0.2.7
check_until "injected IPv6 type-5 2001:db8:400::/48 in vtepctl routes (router's MAC)" 10 \
	has_route h1 2001:db8:400::/48 192.0.2.7
prefix_mac() { local r; r=$(vt_route h1 2001:db8:400::/48); echo "$r"; jq_true "$r" '.mac == "02:00:00:00:07:07"'; }
check "the type-5 route carries the router's MAC (RFC 9135 8.1)" prefix_mac

# ---- traffic over the learned and static routes
check "w11 -> w21 (ping6 over the learned MAC+IPv6 route)" ping6_ok "${PFX}w11" "$NET6::21"
check "w12 (IPv6-only) -> w21" ping6_ok "${PFX}w12" "$NET6::21"
check "w21 -> w11 (h2's static IPv6 route)" ping6_ok "${PFX}w21" "$NET6::11"
check "w11 -> the gateway $GW6" ping6_ok "${PFX}w11" "$GW6"

# ---- MAC mobility over IPv6
m11x() {  # w11's MAC with its IPv6 and IPv4 addresses from VTEP 192.0.1.9 (lower than ours)
	inject "$1" macadv "$(wl_mac 11)" "$NET6::11" etag 0 label 100 rd 192.0.1.9:100 rt "$RT" \
		encap vxlan nexthop 192.0.1.9
	inject "$1" macadv "$(wl_mac 11)" 10.1.0.11 etag 0 label 100 rd 192.0.1.9:100 rt "$RT" \
		encap vxlan nexthop 192.0.1.9
}
run m11x add
check_until "a remote w11 from a lower VTEP with the same sequence takes $NET6::11" 10 \
	has_route h1 "$NET6::11/128" 192.0.1.9
check "... and 10.1.0.11 (one MAC)" has_route h1 10.1.0.11/32 192.0.1.9
our_seq() {  # our_seq IP: the MAC mobility sequence of our route for IP in GoBGP's RIB
	gobgp_evpn "$FAB" | jq -r --arg ip "$1" '[.. | objects | select(has("nlri") and has("attrs"))
		| select(.nlri.value.ip == $ip and .nlri.value.rd.admin == "192.0.2.1")][0]
		| [.attrs[] | select(.type == 16)][0].value // [] | map(select(.type == 6 and .subtype == 0))[0]
		| .sequence // .sequence_number // empty'
}
moved_back() {
	local s6 s4
	s6=$(our_seq "$NET6::11"); s4=$(our_seq 10.1.0.11); echo "sequence: IPv6 ${s6:-none}, IPv4 ${s4:-none}"
	[ "$s6" = 1 ] && [ "$s4" = 1 ] && local6_ok h1 "$NET6::11/128" local
}
na() { nx "${PFX}w11" "$PY" "$NETPKT" na eth0 "$NET6::11"; }
ga_before=$(stat_of h1 nd_announce)
run na
check_until "w11's unsolicited NA (family 6 event) takes it back: sequence 1 on its IPv6 and IPv4 routes" 10 \
	moved_back
check "the datapath counted the announcement (nd_announce)" counter_gt h1 nd_announce "$ga_before"
run m11x del

# ---- vtepctl routes add/del with IPv6, ports add ... ip6
run vt h1 routes add vni 100 prefix "$NET6::77/128" vtep 192.0.2.2 mac 02:00:00:00:00:77
check "vtepctl routes add $NET6::77/128: a static route" has_route h1 "$NET6::77/128" 192.0.2.2 static
run vt h1 routes add vni 100 prefix 2001:db8:600::/56 vtep 192.0.2.2 mac 02:00:00:00:00:77
check "vtepctl routes add 2001:db8:600::/56: a static prefix" has_route h1 2001:db8:600::/56 192.0.2.2 static
refused_ll() { ! vt h1 routes add vni 100 prefix fe80::1/128 vtep 192.0.2.2 mac 02:00:00:00:00:78; }
check "vtepctl routes add refuses a link-local /128" refused_ll
run ip -n "$H1" link add w3 type veth peer name w3p
run ip -n "$H1" link set w3p up
run ip -n "$H1" link set w3 up
run vt h1 ports add w3 vni 100 ip6 "$NET6::13" mac 02:00:00:00:00:13
check_until "ports add w3 ... ip6: the host's /128 route" 10 host_route6 h1 "$NET6::13" w3 02:00:00:00:00:13
check_until "... and its MAC+IPv6 route in GoBGP" 10 own6_ok "$NET6::13" 02:00:00:00:00:13

# ---- restart: local, static and host entries stay
vtepd_stop h1
check "vtepd stopped: the /128 routes stay (the datapath keeps forwarding)" host_route6 h1 "$NET6::11" w1 "$(wl_mac 11)"
vtepd_start h1
check_until "restarted: the vtepctl-added IPv6 route is back (state file)" 10 \
	has_route h1 "$NET6::77/128" 192.0.2.2 static
check "restarted: the vtepctl-added port with ip6 is back" local6_ok h1 "$NET6::13/128" local
check "restarted: the host routes are still there" host_route6 h1 "$NET6::12" w2 "$(wl_mac 12)"
run vt h1 routes del vni 100 prefix "$NET6::77/128"
check "vtepctl routes del $NET6::77/128" no_route h1 "$NET6::77/128"

# ---- withdrawal
check_until "session back" 30 peer_up h1 "$GBIP"
run w21x add
check_until "w21 learned again" 10 has_route h1 "$NET6::21/128" 192.0.2.2
run w21x del
check_until "withdrawn MAC+IPv6 leaves vtepctl routes" 10 no_route h1 "$NET6::21/128"
run inject del prefix 2001:db8:400::/48 gw :: etag 0 rd 192.0.2.7:100
check_until "withdrawn IPv6 type-5 leaves vtepctl routes" 10 no_route h1 2001:db8:400::/48
no_ping6() { ! ping6_ok "$@"; }
check "w11 -> w21 fails without its route" no_ping6 "${PFX}w11" "$NET6::21"
