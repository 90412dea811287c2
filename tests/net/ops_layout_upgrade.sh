#!/bin/bash
# ops_layout_upgrade.sh - an upgrade across a map layout change under
# traffic: hosts run the last vtepd of map layout 1 (built here from the
# repository's history), then this vtepd (layout 2) replaces it on h1 while
# w11 floods w21 over VXLAN, and on h2 while w21 floods w11. Every entry
# comes across (agent/dp/migrate_history.c: vtep_vnis and vtep_ports
# converted, vtep_neigh's pin removed), no packet is lost, and what vtep_fdb
# no longer needs (remote MAC+IP entries) is gone once the new vtepd runs.
#
# The old vtepd is built from git (LAYOUT1_COMMIT) into build/old/; a
# checkout without that history cannot run this: it prints SKIP.
. "$(dirname "$0")/ops_lib.sh"
net_begin

LAYOUT1_COMMIT=8a1e6ec     # main just before map layout 2
OLD=$TOP/build/old/$LAYOUT1_COMMIT

# build_old: the layout-1 vtepd and vtepctl (a vtepctl reads only its own
# layout's pins), built once per checkout (kept in build/old).
build_old() {
	local src=$OLD/src
	[ -x "$OLD/vtepd" ] && [ -x "$OLD/vtepctl" ] && return 0
	git -C "$TOP" cat-file -e "$LAYOUT1_COMMIT^{commit}" 2>/dev/null || return 2
	rm -rf "$OLD" && mkdir -p "$src" || return 1
	git -C "$TOP" archive "$LAYOUT1_COMMIT" | tar -x -C "$src" || return 1
	make -C "$src" -j2 BUILD=build build/vtepd build/vtepctl >"$OLD/build.log" 2>&1 || return 1
	cp "$src/build/vtepd" "$src/build/vtepctl" "$OLD/"
}
build_old; rc=$?
if [ $rc -eq 2 ]; then
	skip "[layout 1 -> 2]" "commit $LAYOUT1_COMMIT is not in this checkout's history (a shallow clone?)"
	exit 0
fi
[ $rc -eq 0 ] || die "cannot build the layout-1 vtepd (see $OLD/build.log)"

NEW_VTEPD=$VTEPD NEW_VTEPCTL=$VTEPCTL
old_tools() { VTEPD=$OLD/vtepd; VTEPCTL=$OLD/vtepctl; }
new_tools() { VTEPD=$NEW_VTEPD; VTEPCTL=$NEW_VTEPCTL; }
topo_base
std_config h1
std_config h2
old_tools
vtepd_start h1
vtepd_start h2
run ping_ok "${PFX}w11" 10.1.0.21 1
for i in 23 24 25; do
	run vt h1 routes add vni 100 prefix "10.1.0.$i/32" vtep "$(vtep_ip h2)" mac "$(wl_mac "$i")"
done
PIN=$(bpffs_of h1)
layout_of() { bpftool -j map dump pinned "$(bpffs_of "$1")/vtep_global" | jq '.[0].formatted.value.layout_version'; }
check "the old vtepd pinned layout 1 with a vtep_neigh" sh -c \
	"[ \"\$(bpftool -j map dump pinned '$PIN/vtep_global' | jq '.[0].formatted.value.layout_version')\" = 1 ] && [ -e '$PIN/vtep_neigh' ]"

# upgrade_under_flood H FROM TO: H's vtepd replaced by the new one while FROM
# pings TO 3000 times at 2 ms; nothing may be lost.
upgrade_under_flood() {
	local h=$1 from=$2 to=$3 before out flood
	old_tools
	before=$(stat_of "$h" port_rx)
	bg flood nx "${PFX}$from" ping -n -q -i 0.002 -c 3000 -w 60 "$to"
	flood=$BG
	wait_until 10 counter_gt "$h" port_rx $((before + 200)) || echo "flood did not start"
	vtepd_stop "$h"
	new_tools
	vtepd_start "$h"
	kill -0 "$flood" 2>/dev/null || { echo "the flood ended before vtepd was back: proved nothing"; return 1; }
	bg_wait "$flood" 60
	out=$(cat "$LOGDIR/flood.out"); echo "$out"
	echo "$out" | grep -qE '^3000 packets transmitted, 3000 received'
}
check "h1: layout 1 -> 2 during a ping flood w11 -> w21: 0 lost" upgrade_under_flood h1 w11 10.1.0.21
check "h1's pins say layout 2" sh -c "[ \"\$(bpftool -j map dump pinned '$PIN/vtep_global' | jq '.[0].formatted.value.layout_version')\" = 2 ]"
check "the log names the converted maps" sh -c \
	"grep -q 'vtep_vnis: migrating 1 entries' '$LOGDIR/vtepd-h1.log' && grep -q 'vtep_ports: migrating 2 entries' '$LOGDIR/vtepd-h1.log'"
check "vtep_neigh's pin is gone" sh -c "[ ! -e '$PIN/vtep_neigh' ] && grep -q 'vtep_neigh removed' '$LOGDIR/vtepd-h1.log'"
check "vtep_routes6 and vtep_prefixes6 exist" sh -c "[ -e '$PIN/vtep_routes6' ] && [ -e '$PIN/vtep_prefixes6' ]"
routes_kept() {
	local j
	j=$(vt h1 -j routes) || return 1
	echo "$j" | jq -c '[.[] | .prefix]'
	echo "$j" | jq -e '[.[] | select(.source == "static")] | length == 5' >/dev/null &&
		echo "$j" | jq -e '[.[] | select(.source == "local")] | length == 2' >/dev/null
}
check "h1: every route came across (2 local, 5 static)" routes_kept
check "h1: vtepctl vnis and ports as before" sh -c \
	"$(declare -f nx vt ns_of sock_of bpffs_of hostdir); $(declare -p PFX R VTEPCTL); vt h1 -j vnis | jq -e '.[0].vni == 100 and .[0].gateway_ip == \"10.1.255.254\"' && vt h1 -j ports | jq -e 'length == 2'"
check "h1: the ARP table is the routes' MACs" sh -c \
	"$(declare -f nx vt ns_of sock_of bpffs_of hostdir); $(declare -p PFX R VTEPCTL); vt h1 -j neigh | jq -e '[.[] | select(.ip == \"10.1.0.23\" and .mac == \"$(wl_mac 23)\")] | length == 1'"
fdb_pruned() {
	local j
	j=$(vt h1 -j fdb) || return 1
	echo "$j" | jq -c '[.[] | .mac + " " + (.source)]'
	echo "$j" | jq -e '[.[] | select(.source == "static")] | length == 0' >/dev/null &&
		echo "$j" | jq -e '[.[] | select(.source == "local")] | length == 2' >/dev/null
}
check "h1: vtep_fdb keeps only the local MACs (static MAC+IP entries pruned)" fdb_pruned
check "h2 (still layout 1) and h1 (layout 2) forward: w21 -> w11" ping_ok "${PFX}w21" 10.1.0.11
check "h2: layout 1 -> 2 during a ping flood w21 -> w11: 0 lost" upgrade_under_flood h2 w21 10.1.0.11
check "both on layout 2: w11 -> w21, w12 -> w22, w22 -> w12" sh -c \
	"nsenter --net=/run/netns/${PFX}w11 ping -n -q -c 3 -i 0.2 -w 5 10.1.0.21 && nsenter --net=/run/netns/${PFX}w12 ping -n -q -c 3 -i 0.2 -w 5 10.1.0.22 && nsenter --net=/run/netns/${PFX}w22 ping -n -q -c 3 -i 0.2 -w 5 10.1.0.12"
check "ARP through the new datapath answers from the route (w11 asks for w21)" sh -c \
	"nsenter --net=/run/netns/${PFX}w11 ip neigh flush dev eth0 && nsenter --net=/run/netns/${PFX}w11 ping -n -q -c 1 -w 5 10.1.0.21"
topo_down
