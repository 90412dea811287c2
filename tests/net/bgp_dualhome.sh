#!/bin/bash
# bgp_dualhome.sh - a host dual-homed to two leaves (issue 3, point 1):
# vtepd on h1 peers with two GoBGP instances (leaf A in the fabric namespace,
# leaf B in its own namespace one hop further), and both announce the same
# routes for h2's workloads (h2 runs vtepd with static routes). Either leaf
# may go away without h1 losing a route or a packet; when both are gone,
# the routes go.
. "$(dirname "$0")/bgp_lib.sh"
bgp_begin

FAB=${PFX}fab; LB=${PFX}lb
H1IP=$(uplink_ip h1)
GA=$(fab_ip h1)            # leaf A: 198.51.100.1
GB=198.51.100.14           # leaf B, behind the fabric (.13)
RT=65000:100

leaf_conf() {  # leaf_conf ROUTER_ID: leaf B is two hops from h1 (GoBGP's
	# eBGP TTL is 1 unless multihop is on)
	printf '[global.config]\n  as = 65000\n  router-id = "%s"\n  port = 179\n' "$1"
	gobgp_neighbor_toml "$H1IP" 65101 0 0 "" \
		"$(printf '  [neighbors.ebgp-multihop.config]\n    enabled = true\n    multihop-ttl = 4')"
}
w2x() {  # w2x NS add|del N: h2's workload 2N, the same route on either leaf
	gb "$1" global rib -a evpn "$2" macadv "$(wl_mac "2$3")" "$(wl_ip "2$3")" etag 0 label 100 \
		rd "$(vtep_ip h2):100" rt "$RT" encap vxlan nexthop "$(vtep_ip h2)"
}

topo_base
ns_add "$LB"
run ip -n "$FAB" link add to-lb type veth peer name up0 netns "$LB"
run ip -n "$FAB" addr add 198.51.100.13/30 dev to-lb
run ip -n "$FAB" link set to-lb up
run ip -n "$LB" addr add "$GB/30" dev up0
run ip -n "$LB" link set up0 up
run ip -n "$LB" route add default via 198.51.100.13
run ip -n "${PFX}h1" route add 198.51.100.12/30 via "$GA"

bgp_config h1 65101 "[$(nbr_j "$GA" 65000 '{"hold_time_s": 9, "keepalive_s": 3}'),
	$(nbr_j "$GB" 65000 '{"hold_time_s": 9, "keepalive_s": 3}')]"
std_config h2
gobgp_start "$FAB" "$(leaf_conf "$GA")"
gobgp_start "$LB" "$(leaf_conf "$GB")"
vtepd_start h1
vtepd_start h2
check_until "session with leaf A" 30 peer_up h1 "$GA"
check_until "session with leaf B" 30 peer_up h1 "$GB"
for ns in "$FAB" "$LB"; do run w2x "$ns" add 1; run w2x "$ns" add 2; done
two_paths() { [ "$(bgp_routes_where h1 '.prefix == "10.1.0.21/32"' | wc -l)" = 2 ]; }
check_until "w21 held twice (one path per leaf)" 15 two_paths
check "w21 installed via 192.0.2.2" has_route h1 10.1.0.21/32 "$(vtep_ip h2)"
prefixes() { vt h1 -j peers | jq -e --arg a "$1" '.[] | select(.address == $a) | .prefixes_received == 2'; }
check "vtepctl peers: 2 prefixes from leaf A" prefixes "$GA"
check "vtepctl peers: 2 prefixes from leaf B" prefixes "$GB"

# flood_during NAME CMD...: a 2 ms ping flood w11 -> w21 (3000 pings) while
# CMD runs; every reply must come back.
flood_during() {
	local name=$1 before; shift
	before=$(stat_of h1 fwd_encap)
	bg "flood-$name" nx "${PFX}w11" ping -n -q -i 0.002 -c 3000 -w 60 10.1.0.21
	local f=$BG
	wait_until 10 counter_gt h1 fwd_encap $((before + 200)) || echo "flood did not start"
	"$@"
	bg_wait "$f" 60
	cat "$LOGDIR/flood-$name.out"
	grep -q " 0% packet loss" "$LOGDIR/flood-$name.out"
}
lose_a() { gobgp_kill9 "$FAB"; wait_until 20 peer_down h1 "$GA"; }
check "leaf A goes away: no packet lost" flood_during a lose_a
check "leaf A is down" peer_down h1 "$GA"
check "w21 kept (leaf B's path)" has_route h1 10.1.0.21/32 "$(vtep_ip h2)"
check "w22 kept" has_route h1 10.1.0.22/32 "$(vtep_ip h2)"
one_path() { [ "$(bgp_routes_where h1 '.prefix == "10.1.0.21/32"' | wc -l)" = 1 ]; }
check "w21 now held once" one_path

# Leaf A back; then leaf B goes the same way.
gobgp_start "$FAB" "$(leaf_conf "$GA")"
run w2x "$FAB" add 1; run w2x "$FAB" add 2
check_until "leaf A back, two paths again" 30 two_paths
lose_b() { gobgp_kill9 "$LB"; wait_until 20 peer_down h1 "$GB"; }
check "leaf B goes away: no packet lost" flood_during b lose_b
check "w21 kept (leaf A's path)" has_route h1 10.1.0.21/32 "$(vtep_ip h2)"

# Both gone: the routes go.
gobgp_kill9 "$FAB"
check_until "both leaves gone: w21 removed" 20 no_route h1 10.1.0.21/32
check "w22 removed" no_route h1 10.1.0.22/32
