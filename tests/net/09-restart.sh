#!/bin/bash
# 09-restart.sh - the datapath lives in the kernel (programs attached through
# netlink, maps pinned), so vtepd can die and come back without a packet lost:
# a 500 pps ping across hosts while vtepd on h1 is killed with SIGKILL and
# restarted, then while vtepd on h2 is stopped with SIGTERM and restarted.
# A route added with vtepctl survives the restarts (state_dir) until deleted.
. "$(dirname "$0")/lib.sh"
net_begin
two_hosts
run ping_ok "${PFX}w11" 10.1.0.21 1

has_route() {  # has_route H PREFIX SOURCE
	vt "$1" -j routes | jq -e --arg p "$2" --arg s "$3" '[.[] | select(.prefix == $p and .source == $s)] | length == 1'
}
ports_are() { vt "$1" -j ports | jq -e --argjson w "$2" '[.[].ifname] | sort == $w'; }
no_route() { vt "$1" -j routes | jq -e --arg p "$2" '[.[] | select(.prefix == $p)] | length == 0'; }

check "vtepctl routes add 10.1.0.23/32 on h1" vt h1 routes add vni 100 prefix 10.1.0.23/32 vtep "$(vtep_ip h2)" mac "$(wl_mac 23)"
check "it is listed as static" has_route h1 10.1.0.23/32 static

# flood_restart H HOW: ping flood w11 -> w21 while vtepd on H restarts.
flood_restart() {
	local h=$1 how=$2 flood before out
	before=$(stat_of h1 fwd_encap)
	bg "flood-$h" nx "${PFX}w11" ping -n -q -i 0.002 -c 3000 -w 60 10.1.0.21
	flood=$BG
	# Restart only once the flood is under way (h1 has encapsulated 200 of it).
	wait_until 10 counter_gt h1 fwd_encap $((before + 200)) || echo "flood did not start"
	if [ "$how" = kill ]; then vtepd_kill9 "$h"; else vtepd_stop "$h"; fi
	vtepd_start "$h"
	if kill -0 "$flood" 2>/dev/null; then echo "vtepd on $h restarted while the flood ran"
	else echo "the flood ended before vtepd was back: the test proved nothing"; return 1; fi
	bg_wait "$flood" 60
	out=$(cat "$LOGDIR/flood-$h.out"); echo "$out"
	echo "$out" | grep -E '^3000 packets transmitted, 3000 received' >/dev/null
}
check "SIGKILL + restart of vtepd on h1 during a ping flood: 0 lost" flood_restart h1 kill
check "SIGTERM + restart of vtepd on h2 during a ping flood: 0 lost" flood_restart h2 term

check "after the restart: local route 10.1.0.11/32" has_route h1 10.1.0.11/32 local
check "after the restart: config route 10.1.0.21/32" has_route h1 10.1.0.21/32 static
check "after the restart: vtepctl-added 10.1.0.23/32 is still there" has_route h1 10.1.0.23/32 static
check "after the restart: ports w1 and w2" ports_are h1 '["w1", "w2"]'
check "pings still work" ping_ok "${PFX}w11" 10.1.0.21

check "vtepctl routes del 10.1.0.23/32" vt h1 routes del vni 100 prefix 10.1.0.23/32
vtepd_stop h1
vtepd_start h1
check "a deleted route stays deleted across a restart" no_route h1 10.1.0.23/32
