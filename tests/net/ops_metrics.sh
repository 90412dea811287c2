#!/bin/bash
# ops_metrics.sh - GET /metrics from vtepd running in namespaces (issue 4,
# point 3): the text passes `promtool check metrics`; the datapath counters
# move when traffic flows (a ping w11 -> w21 is encapsulated on h1 and
# delivered on h2); routes per VNI and source, map occupancy, the process
# and scrape figures are there; the endpoint listens on loopback only; with
# a GoBGP peer, the per-peer BGP message and route counters move and the
# UPDATE-to-map histogram fills (and the text still passes promtool).
# Issue 4 (session 2): routes with a route target no VNI imports are counted
# per peer (vtepd_bgp_peer_routes_rejected_total, `vtepctl peers`
# routes_rejected) and not held; `vtepctl bgp routes` is sorted and shows the
# route target of our own routes; `vtepctl stats -a` works like `-a stats`.
. "$(dirname "$0")/ops_lib.sh"
METRICS="\"127.0.0.1:$MPORT\""
net_begin
two_hosts
run ping_ok "${PFX}w11" 10.1.0.21 1

promtool_ok() {
	local f=$LOGDIR/metrics-$1.txt
	metrics_of "$1" >"$f" || { echo "no answer from http://127.0.0.1:$MPORT/metrics on $1"; return 1; }
	wc -l <"$f"
	promtool check metrics <"$f"
}
check "h1: /metrics passes promtool check metrics" promtool_ok h1
check "h2: /metrics passes promtool check metrics" promtool_ok h2
check "the endpoint listens on 127.0.0.1 only" sh -c \
	"nsenter --net=/run/netns/${PFX}h1 ss -Hltn 'sport = :$MPORT' | tee /dev/stderr | awk '{print \$4}' | grep -qx '127.0.0.1:$MPORT'"
check "not reachable on the uplink address" sh -c \
	"! nsenter --net=/run/netns/${PFX}fab curl -s --max-time 3 http://$(uplink_ip h1):$MPORT/metrics"

# value_is H SERIES VALUE
value_is() { local v; v=$(metric "$1" "$2"); echo "$1 $2 = ${v:-absent} (want $3)"; [ "$v" = "$3" ]; }
check "routes per VNI and source: 2 local on h1" value_is h1 'vtepd_routes{vni="100",source="local"}' 2
check "routes per VNI and source: 2 static on h1" value_is h1 'vtepd_routes{vni="100",source="static"}' 2
check "occupancy: vtep_routes holds 4" value_is h1 'vtepd_map_entries{map="vtep_routes"}' 4
check "capacity: vtep_routes is limits.routes" value_is h1 'vtepd_map_capacity{map="vtep_routes"}' 4096
check "a route added with vtepctl shows at once" sh -c \
	"nsenter --net=/run/netns/${PFX}h1 '$VTEPCTL' -s '$(sock_of h1)' routes add vni 100 prefix 10.1.0.23/32 vtep 192.0.2.2 mac 02:00:00:00:00:23"
check_until "and is counted as static" 5 value_is h1 'vtepd_routes{vni="100",source="static"}' 3
run vt h1 routes del vni 100 prefix 10.1.0.23/32

positive() { local v; v=$(metric "$1" "$2"); echo "$1 $2 = ${v:-absent}"; awk -v v="${v:-0}" 'BEGIN { exit !(v > 0) }'; }
check "process: resident memory" positive h1 vtepd_process_resident_memory_bytes
check "process: start time" positive h1 vtepd_process_start_time_seconds
check "process: open fds" positive h1 vtepd_process_open_fds
check "scrape duration reported" sh -c "nsenter --net=/run/netns/${PFX}h1 curl -sf http://127.0.0.1:$MPORT/metrics | grep -E '^vtepd_scrape_duration_seconds [0-9.]+$'"
start=$(metric h1 vtepd_process_start_time_seconds)
check "start time is this vtepd's (within a minute of now)" awk -v s="$start" -v n="$(date +%s)" 'BEGIN { print s, n; exit !(s <= n + 1 && s > n - 60) }'

# Counters move when traffic flows.
enc0=$(metric h1 'vtepd_datapath_packets_total{counter="fwd_encap"}')
rx0=$(metric h1 'vtepd_datapath_packets_total{counter="port_rx"}')
dec0=$(metric h2 'vtepd_datapath_packets_total{counter="decap_deliver"}')
vx0=$(metric h2 'vtepd_datapath_packets_total{counter="vxlan_rx"}')
nr0=$(metric h1 'vtepd_datapath_drops_total{reason="no_route"}')
run ping_ok "${PFX}w11" 10.1.0.21 20
run sh -c "! nsenter --net=/run/netns/${PFX}w11 ping -n -q -c 5 -i 0.2 -w 2 192.0.2.99"
grew() {  # grew H SERIES BEFORE MIN
	local v; v=$(metric "$1" "$2"); echo "$1 $2: ${3:-?} -> ${v:-absent}"
	[ -n "$v" ] && [ -n "$3" ] && [ $((v - $3)) -ge "$4" ]
}
check "h1 fwd_encap rose by the 20 echo requests" grew h1 'vtepd_datapath_packets_total{counter="fwd_encap"}' "$enc0" 20
check "h1 port_rx rose" grew h1 'vtepd_datapath_packets_total{counter="port_rx"}' "$rx0" 20
check "h2 vxlan_rx rose" grew h2 'vtepd_datapath_packets_total{counter="vxlan_rx"}' "$vx0" 20
check "h2 decap_deliver rose" grew h2 'vtepd_datapath_packets_total{counter="decap_deliver"}' "$dec0" 20
check "h1 drops{reason=no_route} rose by the pings to 192.0.2.99 (no route in the VNI)" grew h1 'vtepd_datapath_drops_total{reason="no_route"}' "$nr0" 5
check "metrics and vtepctl stats agree on fwd_encap" sh -c \
	"a=\$(nsenter --net=/run/netns/${PFX}h1 curl -sf http://127.0.0.1:$MPORT/metrics | awk '\$1 == \"vtepd_datapath_packets_total{counter=\\\"fwd_encap\\\"}\" {print \$2}'); \
	 b=\$(nsenter --net=/run/netns/${PFX}h1 '$VTEPCTL' -s '$(sock_of h1)' -b '$(bpffs_of h1)' -j stats | jq .fwd_encap); echo \"metrics \$a vtepctl \$b\"; [ \"\$a\" = \"\$b\" ]"

# ---- BGP (issue 4 point 3): per-peer messages and routes, and the histogram
# of an UPDATE's arrival to its map write. h1 restarts with a "bgp" section
# and peers (eBGP, AS 65101) with GoBGP (AS 65000) in the fabric namespace,
# which sends it one type-2 route (RT 65000:100: imported by "auto").
GBIP=$(fab_ip h1)
cat >"$LOGDIR/gobgpd.toml" <<EOF
[global.config]
  as = 65000
  router-id = "$GBIP"
  port = 179
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$(uplink_ip h1)"
    peer-as = 65101
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 9
    keepalive-interval = 3
    idle-hold-time-after-reset = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
EOF
bg gobgpd nx "$FAB" gobgpd -f "$LOGDIR/gobgpd.toml" -t toml -p --pprof-disable \
	--api-hosts 127.0.0.1:50051
wait_until 15 nx "$FAB" gobgp global || die "gobgpd did not start: $(tail -n 3 "$LOGDIR/gobgpd.err")"
vtepd_stop h1
cfg=$(cfg_of h1)
jq --arg rid "$(vtep_ip h1)" --arg n "$GBIP" \
	'.bgp = {asn: 65101, router_id: $rid, neighbors: [{address: $n, asn: 65000}]}' \
	"$cfg" >"$cfg.tmp" && mv "$cfg.tmp" "$cfg" || die "cannot write $cfg"
vtepd_start h1
PL="peer=\"$GBIP\",asn=\"65000\""
check_until "BGP: vtepd_bgp_peer_up is 1 for GoBGP" 30 value_is h1 "vtepd_bgp_peer_up{$PL}" 1
run nx "$FAB" gobgp global rib -a evpn add macadv 02:00:00:00:00:99 10.1.0.99 etag 0 label 100 \
	rd 192.0.2.9:100 rt 65000:100 encap vxlan nexthop 192.0.2.9
check_until "BGP: the route is in the maps" 10 value_is h1 'vtepd_routes{vni="100",source="bgp"}' 1
check "BGP: UPDATEs received counted" positive h1 "vtepd_bgp_peer_messages_received_total{$PL,type=\"update\"}"
# OPENs: one per connection (a collision makes two, RFC 4271 6.8).
check "BGP: OPEN received" positive h1 "vtepd_bgp_peer_messages_received_total{$PL,type=\"open\"}"
check "BGP: OPEN sent" positive h1 "vtepd_bgp_peer_messages_sent_total{$PL,type=\"open\"}"
check "BGP: KEEPALIVEs sent" positive h1 "vtepd_bgp_peer_messages_sent_total{$PL,type=\"keepalive\"}"
check "BGP: UPDATEs sent (our workloads, End-of-RIB)" positive h1 "vtepd_bgp_peer_messages_sent_total{$PL,type=\"update\"}"
check "BGP: routes received" value_is h1 "vtepd_bgp_peer_routes_received_total{$PL,kind=\"reach\"}" 1
check "BGP: routes sent (w11, w12)" positive h1 "vtepd_bgp_peer_routes_sent_total{$PL,kind=\"reach\"}"
check "BGP: no flap yet" value_is h1 "vtepd_bgp_peer_flaps_total{$PL}" 0
check_until "histogram: the UPDATE's map write observed" 10 positive h1 vtepd_bgp_update_to_map_seconds_count
check "histogram: +Inf bucket equals _count" sh -c \
	"nsenter --net=/run/netns/${PFX}h1 curl -sf http://127.0.0.1:$MPORT/metrics | awk '
	/^vtepd_bgp_update_to_map_seconds_bucket\\{le=\"\\+Inf\"\\}/ { inf = \$2 }
	/^vtepd_bgp_update_to_map_seconds_count / { n = \$2 }
	END { print inf, n; exit !(inf != \"\" && inf == n) }'"
check "h1 with BGP: /metrics passes promtool check metrics" promtool_ok h1

# Our own paths show the route target evpn_export attaches ("auto" for VNI
# 100 under AS 65101), received ones theirs; the list is sorted.
bgp_routes_rts() {
	vt h1 -j bgp routes | jq -e '
		([.[] | select(.peer == "local")] | length > 0 and
		 all(.route_targets == ["65101:100"])) and
		([.[] | select(.peer != "local")] | length > 0 and
		 all(.route_targets == ["65000:100"]))'
}
check "vtepctl bgp routes: our routes carry RT 65101:100, GoBGP's 65000:100" bgp_routes_rts
bgp_routes_sorted() {
	vt h1 -j bgp routes | jq -e '
		def ipn: if . == null then -1 else (split("/")[0] | split(".") | map(tonumber)
			| .[0] * 16777216 + .[1] * 65536 + .[2] * 256 + .[3]) end;
		map([.vni, .type, (.mac // ""), (.prefix | ipn)]) as $k
		| ($k | length) > 2 and $k == ($k | sort)'
}
check "vtepctl bgp routes: sorted by VNI, type, MAC, IP" bgp_routes_sorted
check "vtepctl bgp routes: the table has the same order as the JSON" bash -c "
	diff <(nsenter --net=/run/netns/${PFX}h1 '$VTEPCTL' -s '$(sock_of h1)' bgp routes | awk 'NR > 1 { print \$3 }') \
	     <(nsenter --net=/run/netns/${PFX}h1 '$VTEPCTL' -s '$(sock_of h1)' -j bgp routes | jq -r '.[] | .vtep // \"-\"')"

# Three routes whose route target (65000:777) no VNI of h1 imports: not
# held, counted per peer.
check "BGP: nothing rejected yet" value_is h1 "vtepd_bgp_peer_routes_rejected_total{$PL}" 0
for i in 1 2 3; do
	run nx "$FAB" gobgp global rib -a evpn add macadv 02:00:00:00:07:0$i 10.7.0.$i etag 0 \
		label 777 rd 192.0.2.9:777 rt 65000:777 encap vxlan nexthop 192.0.2.9
done
check_until "BGP: the 3 routes with a foreign route target are counted as rejected" 10 \
	value_is h1 "vtepd_bgp_peer_routes_rejected_total{$PL}" 3
check "BGP: they were received (reach 1 + 3)" \
	value_is h1 "vtepd_bgp_peer_routes_received_total{$PL,kind=\"reach\"}" 4
check "BGP: and not held (prefixes_received stays 1)" value_is h1 "vtepd_bgp_peer_prefixes_received{$PL}" 1
peers_rejected() { vt h1 -j peers | jq -e --arg a "$GBIP" '.[] | select(.address == $a) | .routes_rejected == 3 and .prefixes_received == 1'; }
check "vtepctl -j peers: routes_rejected 3, prefixes_received 1" peers_rejected
check "vtepctl peers (table): REJECTED column" sh -c \
	"nsenter --net=/run/netns/${PFX}h1 '$VTEPCTL' -s '$(sock_of h1)' peers | tee /dev/stderr | awk '\$1 == \"$GBIP\" { f = (\$NF == 3) } END { exit !f }'"
check "h1 with rejected routes: /metrics passes promtool check metrics" promtool_ok h1
for i in 1 2 3; do
	run nx "$FAB" gobgp global rib -a evpn del macadv 02:00:00:00:07:0$i 10.7.0.$i etag 0 \
		label 777 rd 192.0.2.9:777
done

# Global options after the object (issue 4): `stats -a` == `-a stats`.
stats_all_after() {
	local a b
	a=$(vt h1 -a stats | awk '{ print $1 }') || return 1
	b=$(vt h1 stats -a | awk '{ print $1 }') || return 1
	echo "-a stats: $(echo "$a" | wc -l) lines, stats -a: $(echo "$b" | wc -l) lines"
	[ -n "$a" ] && [ "$a" = "$b" ] && [ "$(echo "$b" | wc -l)" -gt "$(vt h1 stats | wc -l)" ]
}
check "vtepctl stats -a lists what vtepctl -a stats lists (zeros included)" stats_all_after
check "vtepctl peers -j is JSON" sh -c "nsenter --net=/run/netns/${PFX}h1 '$VTEPCTL' -s '$(sock_of h1)' peers -j | jq -e 'type == \"array\"'"

run nx "$FAB" gobgp global rib -a evpn del macadv 02:00:00:00:00:99 10.1.0.99 etag 0 label 100 \
	rd 192.0.2.9:100
check_until "BGP: withdrawals received (3 rejected routes, then this one)" 10 \
	value_is h1 "vtepd_bgp_peer_routes_received_total{$PL,kind=\"withdraw\"}" 4
