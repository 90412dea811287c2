#!/bin/bash
# ipv6_dp.sh - the IPv6 datapath end to end, with static routes only (no BGP):
# the issue "IPv6 and dual-stack workloads", its test list. VNI 100 is
# dual-stack (subnet6 2001:db8:100::/64, gateway_ip6 ::fffe, "slaac": true);
# w11, w12 (h1) and w21 (h2) have static addresses of both families, w22 (h2)
# takes its IPv6 address from the gateway's Router Advertisement. What it
# shows:
#   - DAD (RFC 4862 s.5.4): every workload's own addresses pass DAD, since
#     the ND proxy never answers a probe for the asker's own address
#     (drop_nd_self); an address that belongs to someone else (a workload
#     on the same host, or one behind another VTEP) fails it: the proxy
#     answers the probe with an NA to all-nodes (RFC 4861 s.7.2.4), and the
#     kernel marks the address dadfailed; a free address passes;
#   - SLAAC (RFC 4862 s.5.5.3): w22, with accept_ra=1 and autoconf=1 and no
#     static IPv6 address, gets subnet6 + the EUI-64 of its MAC from the RA
#     the datapath sends for its RS (RFC 4861 s.6.2.6), not tentative and
#     not dadfailed, and a default route via the gateway's link-local
#     address (the RA's source, s.4.2; the port's ip6 is set to that same
#     address so anti-spoofing lets it through); then it pings across hosts;
#   - dual-stack traffic: ping and a 1 MiB TCP echo (1 MiB each way, the
#     bytes compared) over both families, between two workloads of one host
#     and across hosts (VXLAN over the IPv4 underlay); ping6 to the gateway;
#   - path MTU discovery (RFC 8201; RFC 8200 s.5: IPv6 routers never
#     fragment, so the datapath must answer Packet Too Big): with the fabric
#     links at MTU 1400 and the workloads at 1500, a 1448-byte ping6 gets
#     ICMPv6 Packet Too Big with mtu 1350 (1400 - 50 of VXLAN), the kernel
#     caches that PMTU (`ip -6 route get` shows it), the ping then succeeds
#     (fragmented at the source), and a 1 MiB TCP echo completes; the IPv4
#     equivalent (DF, fragmentation needed, RFC 1191) as well;
#   - the fabric, captured on both links for the whole scenario and decoded
#     (netpkt.py pcap): no VXLAN frame carries an inner ARP, an inner ICMPv6
#     Neighbor Discovery message (types 133-137) or a multicast/broadcast
#     inner destination: the ARP and ND proxies answer on the host, nothing
#     is flooded (RFC 9161's proxy ND); and the capture did carry IPv6 inner
#     frames (echo, TCP, fragments), so that check is not vacuous;
#   - vtepctl -j: the VNI's subnet6/slaac, ports with ip6, the static /128
#     routes; the counters nd_reply, ra_reply, icmp6_echo_reply,
#     icmp6_too_big and icmp_frag_needed moved.
# Prefix e6- and /run/vtepd-test-e6 of its own (v6- is taken on the shared
# test machine), so it runs beside the other scenarios.
PFX=${PFX:-e6-}
R=${R:-/run/vtepd-test-e6}
. "$(dirname "$0")/lib.sh"
net_begin

NET6=2001:db8:100
GW6=$NET6::fffe
GW6_LL=fe80::ff:fe00:100      # fe80:: + the EUI-64 of GW_MAC 02:00:00:00:01:00
SLAAC22=$NET6::ff:fe00:22     # subnet6 + the EUI-64 of w22's MAC 02:00:00:00:00:22
UL_MTU=1400                   # the fabric links' MTU in the PMTU part
PMTU=$((UL_MTU - 50))         # what the workloads may send through VXLAN
MIB=1048576

# ---------------------------------------------------------------- helpers

# v6_on NS: IPv6 back on in a namespace lib.sh made without it.
v6_on() {
	run nx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
		net.ipv6.conf.lo.disable_ipv6=0
}
# wl6 HI: workload HI gets $NET6::HI/64 (with DAD), no RAs, a default route
# via the gateway's link-local address.
wl6() {
	local ns=${PFX}w$1
	run nx "$ns" sysctl -qw net.ipv6.conf.eth0.accept_ra=0 net.ipv6.conf.eth0.autoconf=0
	v6_on "$ns"
	run nx "$ns" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
	run ip -n "$ns" -6 addr add "$NET6::$1/64" dev eth0
	run ip -n "$ns" -6 route replace default via "$GW6_LL" dev eth0
}
# wl6_slaac HI: workload HI with accept_ra=1, autoconf=1, no IPv6 address of its own.
wl6_slaac() {
	local ns=${PFX}w$1
	run nx "$ns" sysctl -qw net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1 \
		net.ipv6.conf.eth0.forwarding=0
	v6_on "$ns"
	run nx "$ns" sysctl -qw net.ipv6.conf.eth0.disable_ipv6=0
}
# port6_j IFNAME IP IP6 MAC: a dual-stack port.
port6_j() {
	jq -nc --arg i "$1" --arg ip "$2" --arg ip6 "$3" --arg m "$4" \
		'{ifname: $i, vni: 100, ip: $ip, ip6: $ip6, mac: $m}'
}
route6_j() { jq -nc --arg p "$1/128" --arg v "$2" --arg m "$3" '{vni: 100, prefix: $p, vtep: $v, mac: $m}'; }
# vni6 H: VNI 100 of H's config becomes dual-stack, with SLAAC.
vni6() {
	local f; f=$(cfg_of "$1")
	jq --arg s "$NET6::/64" --arg g "$GW6" '.vnis[0] += {subnet6: $s, gateway_ip6: $g, slaac: true}' \
		"$f" >"$f.tmp" && mv "$f.tmp" "$f" || die "cannot write $f"
}
# addr_state NS ADDR: absent, dadfailed, tentative or ok (eth0's address ADDR).
addr_state() {
	ip -n "$1" -j -6 addr show dev eth0 | jq -r --arg a "$2" '
		[.[0].addr_info[] | select(.local == $a)][0]
		| if . == null then "absent" elif .dadfailed then "dadfailed"
		  elif .tentative then "tentative" else "ok" end'
}
# addr_is NS ADDR STATE: the address is in that state (shows eth0's addresses).
addr_is() {
	local s; s=$(addr_state "$1" "$2")
	echo "$1 $2: $s (want $3)"; ip -n "$1" -6 addr show dev eth0
	[ "$s" = "$3" ]
}
ping6_ok() { nx "$1" ping -6 -n -q -c 3 -i 0.2 -w 5 "$2"; }
# tcp_echo SERVER_NS CLIENT_NS ADDR PORT: 1 MiB sent, echoed back, compared.
tcp_echo() {
	local sns=$1 cns=$2 addr=$3 port=$4 name=tcp-$3-$4 srv
	name=${name//:/_}
	rm -f "$LOGDIR/$name.ready"
	bg "$name" nx "$sns" "$PY" "$NETPKT" tcp-server "$addr" "$port" --ready "$LOGDIR/$name.ready" --timeout 30
	srv=$BG
	wait_until 5 test -f "$LOGDIR/$name.ready" || { echo "listener did not start"; return 1; }
	nx "$cns" "$PY" "$NETPKT" tcp-client "$addr" "$port" --bytes $MIB --timeout 30 || return 1
	bg_wait "$srv" 10 || return 1
	cat "$LOGDIR/$name.out"
	grep -q "^echoed $MIB bytes" "$LOGDIR/$name.out"
}

# ---------------------------------------------------------------- topology

topo_base
# The capture runs from before anything speaks IPv6 to the very end.
declare -A CAPS=()
cap_fab() {  # cap_fab H: the fabric's link to H, headers only (256 octets)
	bg "fab-$1" nx "$FAB" tcpdump -n -U -s 256 -i "to-$1" -w "$LOGDIR/fab-$1.pcap" "udp port 4789"
	CAPS[$1]=$BG
	wait_until 10 grep -q "listening on" "$LOGDIR/fab-$1.err" || die "tcpdump on to-$1 did not start"
}
cap_fab h1
cap_fab h2

for h in h1 h2; do v6_on "${PFX}$h"; done
wl6 11; wl6 12; wl6 21; wl6_slaac 22

write_config h1 "$(port6_j w1 10.1.0.11 "$NET6::11" "$(wl_mac 11)"; port6_j w2 10.1.0.12 "$NET6::12" "$(wl_mac 12)")" \
	"$(std_routes h1
	   route6_j "$NET6::21" 192.0.2.2 "$(wl_mac 21)"
	   route6_j "$SLAAC22" 192.0.2.2 "$(wl_mac 22)")"
write_config h2 "$(port6_j w1 10.1.0.21 "$NET6::21" "$(wl_mac 21)"; port6_j w2 10.1.0.22 "$SLAAC22" "$(wl_mac 22)")" \
	"$(std_routes h2
	   route6_j "$NET6::11" 192.0.2.1 "$(wl_mac 11)"
	   route6_j "$NET6::12" 192.0.2.1 "$(wl_mac 12)")"
vni6 h1
vni6 h2
vtepd_start h1
vtepd_start h2

# ---------------------------------------------------------------- DAD, SLAAC

for hi in 11 12 21; do
	check_until "w$hi: $NET6::$hi passed DAD (no answer for the asker's own address)" 10 \
		addr_is "${PFX}w$hi" "$NET6::$hi" ok
done
check_until "w22 (SLAAC): $SLAAC22 from the RA's prefix + EUI-64, DAD passed" 20 \
	addr_is "${PFX}w22" "$SLAAC22" ok
slaac_dynamic() {  # a SLAAC address has lifetimes: the RA's 2592000/604800
	local j; j=$(ip -n "${PFX}w22" -j -6 addr show dev eth0); echo "$j"
	jq -e --arg a "$SLAAC22" '[.[0].addr_info[] | select(.local == $a)][0]
		| .dynamic == true and .valid_life_time > 2500000 and .preferred_life_time > 600000' <<<"$j" >/dev/null
}
check "w22: the address is autoconfigured (dynamic, the RA's lifetimes)" slaac_dynamic
ra_route() {
	local r; r=$(ip -n "${PFX}w22" -6 route show default); echo "$r"
	grep -q "^default via $GW6_LL dev eth0 proto ra" <<<"$r"
}
check_until "w22: default route via the gateway's link-local address $GW6_LL (proto ra)" 10 ra_route
check "h2: ra_reply counted" counter_gt h2 ra_reply 0

# ---------------------------------------------------------------- traffic

check "w11 -> w12 (same host) IPv4 ping" ping_ok "${PFX}w11" 10.1.0.12
check "w11 -> w12 (same host) IPv6 ping" ping6_ok "${PFX}w11" "$NET6::12"
check "w11 -> w21 (across hosts) IPv4 ping" ping_ok "${PFX}w11" 10.1.0.21
check "w11 -> w21 (across hosts) IPv6 ping" ping6_ok "${PFX}w11" "$NET6::21"
check "w21 -> w12 (across hosts) IPv6 ping" ping6_ok "${PFX}w21" "$NET6::12"
check "w22 (SLAAC) -> w11 (across hosts) IPv6 ping" ping6_ok "${PFX}w22" "$NET6::11"
check "w12 -> w22's SLAAC address (across hosts) IPv6 ping" ping6_ok "${PFX}w12" "$SLAAC22"
e6=$(stat_of h1 icmp6_echo_reply)
check "w11 -> the gateway $GW6: ping6 answered" ping6_ok "${PFX}w11" "$GW6"
check "h1: icmp6_echo_reply counted" counter_gt h1 icmp6_echo_reply "$e6"

check "TCP 1 MiB echo w11 -> w12 (same host) over IPv4" tcp_echo "${PFX}w12" "${PFX}w11" 10.1.0.12 5001
check "TCP 1 MiB echo w11 -> w12 (same host) over IPv6" tcp_echo "${PFX}w12" "${PFX}w11" "$NET6::12" 5002
check "TCP 1 MiB echo w11 -> w21 (across hosts) over IPv4" tcp_echo "${PFX}w21" "${PFX}w11" 10.1.0.21 5003
check "TCP 1 MiB echo w11 -> w21 (across hosts) over IPv6" tcp_echo "${PFX}w21" "${PFX}w11" "$NET6::21" 5004

# ---------------------------------------------------------------- DAD conflicts

nd1=$(stat_of h1 nd_reply)
# w12 tries w11's address (a workload of the same host), w21's (behind h2)
# and a free one: the first two get an NA from the proxy, the last none.
run ip -n "${PFX}w12" -6 addr add "$NET6::11/64" dev eth0
run ip -n "${PFX}w12" -6 addr add "$NET6::21/64" dev eth0
run ip -n "${PFX}w12" -6 addr add "$NET6::99/64" dev eth0
check_until "DAD conflict: w12 trying w11's $NET6::11 (same host) gets dadfailed" 10 \
	addr_is "${PFX}w12" "$NET6::11" dadfailed
check_until "DAD conflict: w12 trying w21's $NET6::21 (behind h2) gets dadfailed" 10 \
	addr_is "${PFX}w12" "$NET6::21" dadfailed
check_until "DAD: w12 trying the free $NET6::99 passes (no answer for an unknown target)" 10 \
	addr_is "${PFX}w12" "$NET6::99" ok
check "h1: nd_reply counted the DAD answers" counter_gt h1 nd_reply "$((nd1 + 1))"
for a in 11 21 99; do run ip -n "${PFX}w12" -6 addr del "$NET6::$a/64" dev eth0; done
check "w11 still reachable over IPv6 after the conflicts" ping6_ok "${PFX}w12" "$NET6::11"

# ---------------------------------------------------------------- path MTU

for h in h1 h2; do
	run ip -n "${PFX}$h" link set up0 mtu "$UL_MTU"
	run ip -n "$FAB" link set "to-$h" mtu "$UL_MTU"
done
for hi in 12 21; do
	run ip -n "${PFX}w$hi" -6 route flush cache
	run ip -n "${PFX}w$hi" route flush cache
done
tb=$(stat_of h1 icmp6_too_big)
ptb_first() {  # the first 1448-octet packet: Packet Too Big, nothing delivered
	local out; out=$(nx "${PFX}w12" ping -6 -n -c 1 -W 2 -s 1400 "$NET6::21" 2>&1); echo "$out"
	grep -Eq "Packet too big: mtu ?= ?$PMTU" <<<"$out"
}
check "w12 -> w21 ping6 -s 1400 over a $UL_MTU underlay: Packet Too Big mtu $PMTU" ptb_first
check "h1: icmp6_too_big counted" counter_gt h1 icmp6_too_big "$tb"
pmtu_cached() {
	local r; r=$(nx "${PFX}w12" ip -6 route get "$NET6::21"); echo "$r"
	grep -q "mtu $PMTU" <<<"$r"
}
check "w12: the kernel cached PMTU $PMTU for $NET6::21 (ip -6 route get)" pmtu_cached
check "w12 -> w21 ping6 -s 1400 now succeeds (fragmented at the source)" \
	nx "${PFX}w12" ping -6 -n -q -c 3 -i 0.2 -w 5 -s 1400 "$NET6::21"
check "TCP 1 MiB echo w12 -> w21 over IPv6 with the $UL_MTU underlay" tcp_echo "${PFX}w21" "${PFX}w12" "$NET6::21" 5005
fn=$(stat_of h1 icmp_frag_needed)
df_first() {  # IPv4 with DF: fragmentation needed
	local out; out=$(nx "${PFX}w12" ping -4 -n -c 1 -W 2 -M "do" -s 1400 10.1.0.21 2>&1); echo "$out"
	grep -Eq "mtu ?= ?$PMTU" <<<"$out"
}
check "w12 -> w21 IPv4 DF ping -s 1400: fragmentation needed mtu $PMTU" df_first
check "h1: icmp_frag_needed counted" counter_gt h1 icmp_frag_needed "$fn"
check "TCP 1 MiB echo w12 -> w21 over IPv4 with the $UL_MTU underlay" tcp_echo "${PFX}w21" "${PFX}w12" 10.1.0.21 5006

# ---------------------------------------------------------------- vtepctl

vnis_ok() {
	local j; j=$(vt h2 -j vnis); echo "$j"
	jq -e '.[0] | .subnet6 == "2001:db8:100::/64" and .gateway_ip6 == "2001:db8:100::fffe" and .slaac == true' \
		<<<"$j" >/dev/null
}
check "vtepctl -j vnis: subnet6, gateway_ip6, slaac true" vnis_ok
ports_ok() {
	local j; j=$(vt h2 -j ports); echo "$j"
	jq -e --arg a "$SLAAC22" '[.[] | select(.ifname == "w2")][0] | .ip == "10.1.0.22" and .ip6 == $a
		and .ip6_ll == "fe80::ff:fe00:22"' <<<"$j" >/dev/null
}
check "vtepctl -j ports: w22's ip6 (the SLAAC address) and its EUI-64 link-local" ports_ok
routes_ok() {
	local j; j=$(vt h1 -j routes); echo "$j"
	jq -e --arg p "$NET6::21/128" --arg s "$SLAAC22/128" '
		([.[] | select(.prefix == $p and .vtep == "192.0.2.2" and .source == "static")] | length == 1) and
		([.[] | select(.prefix == $s and .vtep == "192.0.2.2" and .source == "static")] | length == 1) and
		([.[] | select(.prefix == "2001:db8:100::11/128" and .source == "local")] | length == 1)' <<<"$j" >/dev/null
}
check "vtepctl -j routes: the static /128s to h2 and w11's local /128" routes_ok
check "h2: nd_reply counted (the gateway's link-local resolved by the proxy)" counter_gt h2 nd_reply 0

# ---------------------------------------------------------------- the capture

for h in h1 h2; do
	cap_stop "${CAPS[$h]}"
	"$PY" "$NETPKT" pcap "$LOGDIR/fab-$h.pcap" >"$LOGDIR/fab-$h.jsonl" || die "cannot decode fab-$h.pcap"
done
FRAMES=$LOGDIR/fab.jsonl
cat "$LOGDIR/fab-h1.jsonl" "$LOGDIR/fab-h2.jsonl" >"$FRAMES"
# cap_none NAME FILTER: no VXLAN frame matches FILTER (shows the first few that do).
cap_none() {
	local n
	n=$(jq -s "[.[] | select(.vni != null) | select($2)] | length" "$FRAMES") || return 1
	echo "$n VXLAN frames with $1 (of $(wc -l <"$FRAMES") captured)"
	jq -c "select(.vni != null) | select($2)" "$FRAMES" | head -n 5
	[ "$n" -eq 0 ]
}
# cap_some NAME FILTER N: at least N VXLAN frames match FILTER.
cap_some() {
	local n
	n=$(jq -s "[.[] | select(.vni != null) | select($2)] | length" "$FRAMES") || return 1
	echo "$n VXLAN frames with $1 (want >= $3)"
	[ "$n" -ge "$3" ]
}
check "capture: VXLAN frames with inner IPv6 ICMPv6 echo (not vacuous)" \
	cap_some "inner ICMPv6 echo" '.in_ip6 == true and (.in_icmp6_type == 128 or .in_icmp6_type == 129)' 20
check "capture: VXLAN frames with inner IPv6 TCP" cap_some "inner IPv6 TCP" '.in_ip6 == true and .in_nh == 6' 100
check "capture: VXLAN frames with inner IPv6 fragments (the PMTU ping)" cap_some "inner IPv6 fragments" '.in_frag == true' 2
check "capture: no VXLAN frame carries an inner ARP (0x0806)" cap_none "inner ARP" '.in_ethertype == 2054'
check "capture: no VXLAN frame carries inner ICMPv6 ND (types 133-137)" \
	cap_none "inner ND" '.in_icmp6_type != null and .in_icmp6_type >= 133 and .in_icmp6_type <= 137'
check "capture: no VXLAN frame carries a multicast or broadcast inner destination" \
	cap_none "multicast inner destination" '.in_eth_dst != null and (.in_eth_dst | test("^.[13579bdf]:"))'
