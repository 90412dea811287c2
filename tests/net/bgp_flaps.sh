#!/bin/bash
# bgp_flaps.sh - 100 session flaps leave nothing behind (issue 3 point 5,
# peer safety). h1 and h2 are iBGP clients of an FRR 8.4 route reflector in
# the fabric; FRR answers a new connection at once (GoBGP idles 5 s after
# every reset, which held the old version of this test to 15 flaps).
#
# A flap: h1 reloads a configuration that changes a session setting (the
# keepalive, 3 <-> 4 s), so vtepd ends the session with Cease/Other
# Configuration Change, frees it, and a fresh session connects. After every
# flap h1 holds exactly h2's routes again (polled; every 10th flap the
# reflector is checked to hold h1's again). After all of them:
#   - every map of h1 (routes, fdb, neigh, vnis, vtep_remotes) is exactly
#     what it was before the first flap: no stale entry, none missing;
#   - h1's Adj-RIB-In (vtepctl bgp routes) and the peer's prefix count are
#     as before, and so is what /metrics says of map entries, routes per
#     source, the peer's prefixes and vtepd's open fds (no socket leaked);
#     the reflector holds each of the 4 routes once;
#   - traffic flows; h1's vtepd RSS after flap 100 is within RSS_MARGIN_KB
#     of its RSS after flap 20.
# h1 runs the plain build (RSS means something there); h2, whose RIB and
# maps churn with every flap of h1's routes, runs the ASan/UBSan build and
# must exit with no report (LeakSanitizer included). FLAPS_H1_ASAN=1 runs h1
# under ASan too (then h1's RSS is only logged: the sanitizer's allocator
# and stack depot grow by design) and checks its exit the same way.
#
# RFC 8538 with FRR (both sides advertise the N bit): the flaps' Cease/6
# goes out as a plain NOTIFICATION (graceful by RFC 8538 5.1); removing the
# neighbor at the end sends a Hard Reset (Cease/9 wrapping Cease/3), which
# FRR decodes as one and drops h1's routes at once. Then every BGP-learned
# entry leaves h1's maps, and a reload brings the neighbor back.
. "$(dirname "$0")/bgp_lib.sh"
bgp_begin
PLAIN_VTEPD=$VTEPD
bgp_use_asan
ASAN_VTEPD=$VTEPD
H1_ASAN=${FLAPS_H1_ASAN:-0}

FLAPS=${FLAPS:-100}
MPORT=9464
# shellcheck disable=SC2034 # read by write_config (lib.sh)
METRICS="\"127.0.0.1:$MPORT\""   # /metrics on loopback, in each host's namespace
RSS_MARGIN_KB=${RSS_MARGIN_KB:-512}
FAB=${PFX}fab
G1=$(fab_ip h1); G2=$(fab_ip h2)

topo_base
frr_start "$FAB" "$(frr_rr_conf "$FAB" 65000 198.51.100.1 "h1 h2" "coalesce-time 50")"
nbr() { nbr_j "$1" 65000 "{\"hold_time_s\": 9, \"keepalive_s\": $2}"; }
bgp_config h1 65000 "[$(nbr "$G1" 3)]"
bgp_config h2 65000 "[$(nbr "$G2" 3)]"
if [ "$H1_ASAN" = 1 ]; then VTEPD=$ASAN_VTEPD; else VTEPD=$PLAIN_VTEPD; fi
vtepd_start h1
VTEPD=$ASAN_VTEPD
vtepd_start h2
check_until "h1 Established with the reflector" 30 peer_up h1 "$G1"
check_until "h2 Established with the reflector" 30 peer_up h2 "$G2"
check_until "h1 learned w21 and w22" 15 has_route h1 10.1.0.22/32 "$(vtep_ip h2)"

bgp_entries() {  # BGP-sourced entries in h1's routes + fdb maps
	{ vt h1 -j routes; vt h1 -j fdb; } | jq -s '[.[][] | select(.source == "bgp")] | length'
}
# maps_snapshot: h1's maps, canonical (sorted, keys sorted), counters left out.
maps_snapshot() {
	local o
	for o in routes fdb neigh vnis; do
		echo "== $o"
		vt h1 -j "$o" | jq -S 'map(del(.packets?, .bytes?, .hits?, .last_used?)) | sort_by(tostring)' ||
			return 1
	done
	echo "== vtep_remotes"
	bpftool -j map dump pinned "$(bpffs_of h1)/vtep_remotes" | jq -S 'map(.formatted.key // .key) | sort'
}
# rr_paths: the type-2 paths the reflector holds, all RDs.
rr_paths() {
	vty "$FAB" "show bgp l2vpn evpn route type macip json" |
		jq '[.[] | objects | .[]? | objects | .paths? // empty | flatten[]] | length'
}
rr_ok() {  # 4 workloads, one path each: h1's came back, none twice
	local n; n=$(rr_paths); echo "reflector: $n type-2 paths"; [ "$n" = 4 ]
}
check_until "the reflector holds the 4 workloads' routes, once each" 15 rr_ok
# metrics_snapshot: what /metrics says of h1's maps, routes, peer and fds.
metrics_snapshot() {
	nx "$(ns_of h1)" curl -sf --max-time 10 "http://127.0.0.1:$MPORT/metrics" |
		grep -E '^vtepd_(map_entries|routes|bgp_peer_prefixes_received|bgp_peer_up|process_open_fds)[{ ]' | sort
}
bgp_rib() { vt h1 -j bgp routes | jq -S 'map(del(.age_s?, .uptime_s?)) | sort_by(tostring)'; }
peer_pfx() { vt h1 -j peers | jq -r --arg a "$G1" '.[] | select(.address == $a) | .prefixes_received'; }

# ---- RFC 8538 with FRR: the N bit, and which NOTIFICATIONs are Hard Resets.
H1IP=$(uplink_ip h1)
FRRLOG=/var/run/frr/$FAB/bgpd.log
n_bit() {
	local j; j=$(vty "$FAB" "show bgp neighbors $H1IP json")
	echo "$j" | jq -c ".[\"$H1IP\"].gracefulRestartInfo // .[\"$H1IP\"].neighborCapabilities.gracefulRestart" | head -c 400
	jqe "$j" ".[\"$H1IP\"].gracefulRestartInfo.nBit == true"
}
check "FRR sees the N bit in h1's graceful restart capability (RFC 8538 2)" n_bit

# FRR 8.4 is no graceful-restart helper for L2VPN/EVPN (it drops a
# restarting peer's EVPN routes even after a bare TCP loss), so what it shows
# here is the NOTIFICATIONs: Cease/6 stays a plain NOTIFICATION (graceful by
# RFC 8538 5.1) and the Hard Reset at the end is decoded as such.
SNAP0=$LOGDIR/maps-before.json
maps_snapshot >"$SNAP0" || die "cannot read h1's maps"
bgp_rib >"$LOGDIR/rib-before.json"
PFX0=$(peer_pfx)
metrics_snapshot >"$LOGDIR/metrics-before.txt"
[ -s "$LOGDIR/metrics-before.txt" ] || die "no /metrics from h1"
BGP0=$(bgp_entries)   # h2's two MAC+IP routes: one entry each (layout 2)
echo "h1 before the flaps: $BGP0 BGP entries, $PFX0 prefixes from the reflector" >>"$LOG"
[ "$BGP0" -ge 2 ] || die "h1 holds $BGP0 BGP entries before the flaps, want h2's routes"

rss() { awk '/VmRSS/ {print $2}' /proc/"${VTEPD_PID[h1]}"/status; }
RSS20=
# The two configurations the flaps alternate between (keepalive 3 and 4 s),
# written once: a flap is a copy and a reload.
for ka in 3 4; do
	bgp_config h1 65000 "[$(nbr "$G1" "$ka")]"
	cp "$(cfg_of h1)" "$LOGDIR/h1-ka$ka.json"
done
# flap N: reset h1's session (keepalive 3 <-> 4), wait for it to come back
# with h2's routes and the reflector to hold h1's.
flap() {
	local ka=$((3 + $1 % 2)) deadline=$((SECONDS + 20))
	cp "$LOGDIR/h1-ka$ka.json" "$(cfg_of h1)"
	vt h1 reload >/dev/null || return 1
	# The reflector's view is checked every 10th flap (vtysh is slow).
	until peer_up h1 "$G1" && [ "$(bgp_entries)" = "$BGP0" ] &&
		{ [ $(($1 % 10)) != 0 ] || [ "$(rr_paths)" = 4 ]; }; do
		[ $SECONDS -ge $deadline ] && {
			echo "flap $1: not back in 20 s: $(peer_state h1 "$G1"), $(bgp_entries) BGP entries (want $BGP0), reflector $(rr_paths) paths (want 4)"
			return 1
		}
		sleep 0.02
	done
	[ "$1" = 20 ] && RSS20=$(rss)
	[ $(($1 % 10)) = 0 ] && echo "flap $1: RSS $(rss) kB"
	return 0
}
all_flaps() {
	local i t0=$SECONDS
	for ((i = 1; i <= FLAPS; i++)); do flap "$i" || return 1; done
	echo "$FLAPS flaps in $((SECONDS - t0)) s"
	say "  $FLAPS flaps in $((SECONDS - t0)) s"
	echo "Cease/6 sent: $(grep -c "sent Cease/6" "$LOGDIR/vtepd-h1.log")"
	[ "$(grep -c "sent Cease/6" "$LOGDIR/vtepd-h1.log")" -ge "$FLAPS" ] &&
		grep -q "NOTIFICATION: received from neighbor $H1IP 6/6" "$FRRLOG"
}
check "$FLAPS session resets, each back with h2's routes (and the reflector with h1's)" all_flaps

same_maps() {
	maps_snapshot >"$LOGDIR/maps-after.json" || return 1
	diff -u "$SNAP0" "$LOGDIR/maps-after.json" && echo "maps identical to before the flaps"
}
check "h1's maps after $FLAPS flaps: exactly the entries of before (no stale, none missing)" same_maps
same_rib() {
	local p; p=$(peer_pfx)
	bgp_rib >"$LOGDIR/rib-after.json"
	echo "prefixes received: $p (before: $PFX0)"
	diff -u "$LOGDIR/rib-before.json" "$LOGDIR/rib-after.json" && [ "$p" = "$PFX0" ]
}
check "h1's Adj-RIB-In and prefix count: as before the flaps" same_rib
same_metrics() {
	metrics_snapshot >"$LOGDIR/metrics-after.txt"
	grep -E "open_fds|prefixes_received" "$LOGDIR/metrics-after.txt"
	diff -u "$LOGDIR/metrics-before.txt" "$LOGDIR/metrics-after.txt" &&
		echo "map entries, routes, peer prefixes, open fds: as before"
}
check "/metrics after $FLAPS flaps: map entries, routes, prefixes, open fds as before" same_metrics
check "the reflector holds each of the 4 routes once" rr_ok
check "w11 -> w21 after the flaps" ping_ok "${PFX}w11" 10.1.0.21
rss_flat() {
	local r; r=$(rss)
	echo "h1 vtepd RSS: $RSS20 kB after flap 20, $r kB after flap $FLAPS (margin $RSS_MARGIN_KB kB)"
	say "  h1 vtepd RSS: $RSS20 kB after flap 20, $r kB after flap $FLAPS"
	[ -n "$RSS20" ] && [ "$r" -le $((RSS20 + RSS_MARGIN_KB)) ]
}
if [ "$FLAPS" -ge 20 ] && [ "$H1_ASAN" = 0 ]; then
	check "h1's vtepd RSS after flap $FLAPS within $RSS_MARGIN_KB kB of flap 20's" rss_flat
fi

# Remove the neighbor: everything it taught goes.
bgp_config h1 65000 "[]"
run vt h1 reload
nothing_learned() {
	local n
	n=$(bgp_entries); echo "BGP entries in routes+fdb: $n"
	[ "$n" = 0 ] && ! has_remote h1 "$(vtep_ip h2)"
}
check_until "neighbor removed: no BGP entry left in h1's maps" 15 nothing_learned
rr_h1_gone() { local n; n=$(rr_paths); echo "reflector: $n type-2 paths"; [ "$n" = 2 ]; }
check_until "Hard Reset: FRR dropped h1's routes at once (RFC 8538 5)" 5 rr_h1_gone
check "FRR logged a Hard Reset wrapping Cease/3 (RFC 8538 5)" \
	grep -E "NOTIFICATION\(Hard Reset\): received from neighbor $H1IP 6/3" "$FRRLOG"
check "w11 -> w21 gone with the routes" sh -c "! nsenter --net=/run/netns/${PFX}w11 ping -n -c 2 -W 1 -q 10.1.0.21"
bgp_config h1 65000 "[$(nbr "$G1" 3)]"
run vt h1 reload
back() { peer_up h1 "$G1" && has_route h1 10.1.0.21/32 "$(vtep_ip h2)"; }
check_until "neighbor added back by a reload: Established, w21 learned again" 30 back
vtepd_stop h1
[ "$H1_ASAN" = 1 ] && check "no sanitizer report from vtepd on h1 (exit included: no leak)" no_sanitizer_report h1
vtepd_stop h2
check "no sanitizer report from vtepd on h2 (its RIB and maps churned by $FLAPS flaps; exit included: no leak)" no_sanitizer_report h2
