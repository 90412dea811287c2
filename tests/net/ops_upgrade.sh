#!/bin/bash
# ops_upgrade.sh - pinned maps whose size changed (issue 4, point 4): vtepd
# restarted with bigger `limits` during a ping flood migrates every entry
# into new maps (agent/dp/migrate.h) with no packet lost; the attached programs
# then use the new maps; a restart with a capacity below what a map holds is
# refused with a message naming the map, the entry count and the limit,
# while the datapath keeps forwarding and the pins stay as they were.
. "$(dirname "$0")/ops_lib.sh"
net_begin
two_hosts
run ping_ok "${PFX}w11" 10.1.0.21 1
for i in 23 24 25; do
	run vt h1 routes add vni 100 prefix "10.1.0.$i/32" vtep "$(vtep_ip h2)" mac "$(wl_mac "$i")"
done
snapshot h1 "$LOGDIR/before.json" || die "cannot snapshot h1"
PIN=$(bpffs_of h1)
# limits H ROUTES FDB: rewrites H's config with these limits.
limits() { local c; c=$(cfg_of "$1"); jq --argjson r "$2" --argjson f "$3" '.limits.routes = $r | .limits.fdb = $f' "$c" >"$c.tmp" && mv "$c.tmp" "$c"; }
cap_of() { bpftool -j map show pinned "$PIN/$1" | jq .max_entries; }
map_id() { bpftool -j map show pinned "$PIN/$1" | jq .id; }

# Bigger limits, applied by a restart while w11 floods w21.
grow_under_flood() {
	local before out flood
	before=$(stat_of h1 fwd_encap)
	bg flood nx "${PFX}w11" ping -n -q -i 0.002 -c 3000 -w 60 10.1.0.21
	flood=$BG
	wait_until 10 counter_gt h1 fwd_encap $((before + 200)) || echo "flood did not start"
	vtepd_stop h1
	limits h1 8192 8192
	vtepd_start h1
	kill -0 "$flood" 2>/dev/null || { echo "the flood ended before vtepd was back: proved nothing"; return 1; }
	bg_wait "$flood" 60
	out=$(cat "$LOGDIR/flood.out"); echo "$out"
	echo "$out" | grep -qE '^3000 packets transmitted, 3000 received'
}
check "restart with limits 4096 -> 8192 during a ping flood: 0 lost" grow_under_flood
check "the log says which maps were migrated" grep -E "vtep_routes: migrating 7 entries \(capacity 4096 -> 8192\)" "$LOGDIR/vtepd-h1.log"
check "and that the migration finished" grep "map migration done" "$LOGDIR/vtepd-h1.log"
check "vtep_routes now holds 8192" sh -c "[ \$(bpftool -j map show pinned '$PIN/vtep_routes' | jq .max_entries) = 8192 ]"
check "vtep_fdb now holds 8192" sh -c "[ \$(bpftool -j map show pinned '$PIN/vtep_fdb' | jq .max_entries) = 8192 ]"
check "the migrated map still has BTF (bpftool prints field names)" sh -c \
	"bpftool -j map dump pinned '$PIN/vtep_routes' | jq -e '.[0].formatted.value | has(\"vtep\") and has(\"seq\")'"
check "no temporary pin left" sh -c "! ls '$PIN' | grep -- -new"
check "routes, ports, vnis, neigh, fdb carried over" same_snapshot h1 "$LOGDIR/before.json"
# The program on port w1 now uses the new vtep_routes.
uses_new_map() {
	local pid mid
	pid=$(nx "$(ns_of h1)" bpftool -j net show dev w1 | jq '[.[0].tc[]? | select(.kind == "clsact/ingress") | .id] | first')
	mid=$(map_id vtep_routes)
	echo "port program $pid, pinned vtep_routes $mid"
	bpftool -j prog show id "$pid" | jq -e --argjson m "$mid" '.map_ids | index($m) != null'
}
check "the attached port program uses the new map" uses_new_map
check "forwarding after the migration: w11 -> w21, w12 -> w22" sh -c \
	"nsenter --net=/run/netns/${PFX}w11 ping -n -q -c 3 -i 0.2 -w 5 10.1.0.21 && nsenter --net=/run/netns/${PFX}w12 ping -n -q -c 3 -i 0.2 -w 5 10.1.0.22"

# Too small: 7 routes do not fit in 5. Refused; pins and forwarding kept.
shrink_refused() {
	local out rc
	vtepd_stop h1
	limits h1 5 8192
	out=$(nsenter --net="/run/netns/${PFX}h1" "$VTEPD" -c "$(cfg_of h1)" 2>&1); rc=$?
	echo "$out" | tail -n 3
	echo "exit $rc"
	[ $rc -ne 0 ] && echo "$out" | grep -q "vtep_routes holds 7 entries" &&
		echo "$out" | grep -q "limits.routes"
}
check "restart with limits.routes 5 < 7 entries: refused, the map, count and limit named" shrink_refused
check "the pins are untouched (capacity 8192)" sh -c "[ \$(bpftool -j map show pinned '$PIN/vtep_routes' | jq .max_entries) = 8192 ]"
check "no temporary pin left" sh -c "! ls '$PIN' | grep -- -new"
check "the datapath forwards with vtepd down" ping_ok "${PFX}w11" 10.1.0.21
limits h1 4096 4096
vtepd_start h1
check "a restart with limits that fit migrates back (8192 -> 4096)" grep -E "vtep_routes: migrating 7 entries \(capacity 8192 -> 4096\)" "$LOGDIR/vtepd-h1.log"
check "everything still there" same_snapshot h1 "$LOGDIR/before.json"
check "and forwarding" ping_ok "${PFX}w11" 10.1.0.21
