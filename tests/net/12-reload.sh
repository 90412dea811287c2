#!/bin/bash
# 12-reload.sh - changing a running vtepd: SIGHUP and `vtepctl reload` apply
# the edited config file (a route added, then removed); a bad file is refused
# and the running datapath is left untouched; `vtepctl ports add/del` attach
# and withdraw a port at run time.
. "$(dirname "$0")/lib.sh"
net_begin
two_hosts
run ping_ok "${PFX}w11" 10.1.0.21 1

route_is() {  # route_is PREFIX SOURCE|none
	local n; n=$(vt h1 -j routes | jq --arg p "$1" --arg s "$2" '[.[] | select(.prefix == $p and ($s == "none" or .source == $s))] | length')
	echo "$1 $2: $n"
	if [ "$2" = none ]; then [ "$n" = 0 ]; else [ "$n" = 1 ]; fi
}
r23=$(route_j 10.1.0.23 "$(vtep_ip h2)" "$(wl_mac 23)")

write_config h1 "$(std_ports h1)" "$(std_routes h1; echo "$r23")"
kill -HUP "${VTEPD_PID[h1]}"
check_until "SIGHUP: a route added to the file appears" 5 route_is 10.1.0.23/32 static
write_config h1 "$(std_ports h1)" "$(std_routes h1)"
check "vtepctl reload: the route removed from the file goes" vt h1 reload
check_until "and is no longer listed" 5 route_is 10.1.0.23/32 none

cp "$(cfg_of h1)" "$LOGDIR/good.json"
jq '.vnis[0].colour = "blue"' "$LOGDIR/good.json" >"$(cfg_of h1)"
check "vtepctl reload of a bad file fails" sh -c "! nsenter --net=/run/netns/${PFX}h1 '$VTEPCTL' -s '$(sock_of h1)' reload"
check "the error names the bad key" sh -c "nsenter --net=/run/netns/${PFX}h1 '$VTEPCTL' -s '$(sock_of h1)' reload 2>&1 | grep colour"
kill -HUP "${VTEPD_PID[h1]}"
check_until "SIGHUP with a bad file: logged with the key" 5 grep colour "$LOGDIR/vtepd-h1.log"
check "vtepd still runs" kill -0 "${VTEPD_PID[h1]}"
check "routes unchanged" route_is 10.1.0.21/32 static
check "datapath untouched: w11 -> w21" ping_ok "${PFX}w11" 10.1.0.21
cp "$LOGDIR/good.json" "$(cfg_of h1)"

# Run-time port: added before its veth exists, attached when it appears.
ns_add "${PFX}w13"
check "vtepctl ports add w3" vt h1 ports add w3 vni 100 ip 10.1.0.13 mac auto
run vt h2 routes add vni 100 prefix 10.1.0.13/32 vtep "$(vtep_ip h1)" mac "$(wl_mac 13)"
run ip -n "${PFX}h1" link add w3 type veth peer name eth0 netns "${PFX}w13"
run ip -n "${PFX}w13" link set eth0 address "$(wl_mac 13)"
run ip -n "${PFX}w13" addr add 10.1.0.13/16 dev eth0
run ip -n "${PFX}w13" link set eth0 up
run ip -n "${PFX}w13" route add default via "$GW_IP"
run ip -n "${PFX}h1" link set w3 up
check_until "the run-time port forwards: w13 -> w21" 10 ping_ok "${PFX}w13" 10.1.0.21
check "vtepctl ports lists w3" sh -c "nsenter --net=/run/netns/${PFX}h1 '$VTEPCTL' -s '$(sock_of h1)' -b '$(bpffs_of h1)' -j ports | jq -e '[.[] | select(.ifname == \"w3\")] | length == 1'"
check "vtepctl ports del w3" vt h1 ports del w3
check_until "its route is withdrawn" 5 route_is 10.1.0.13/32 none
check "and w13 is cut off" sh -c "! nsenter --net=/run/netns/${PFX}w13 ping -n -q -c 2 -w 2 10.1.0.21"

# A static route shorter than /32 is a longest-prefix match (vtep_prefixes).
run vt h1 routes del vni 100 prefix 10.1.0.22/32
check "vtepctl routes add 10.1.0.22/31 (a prefix route)" vt h1 routes add vni 100 prefix 10.1.0.22/31 vtep "$(vtep_ip h2)" mac "$(wl_mac 22)"
check "listed with its length" route_is 10.1.0.22/31 static
check "w11 -> w22 through the /31" ping_ok "${PFX}w11" 10.1.0.22
run vt h1 routes del vni 100 prefix 10.1.0.22/31
before=$(stat_of h1 drop_no_route)
check "without it, w11 -> w22 fails" sh -c "! nsenter --net=/run/netns/${PFX}w11 ping -n -q -c 2 -w 2 10.1.0.22"
check "and drop_no_route counts it" counter_gt h1 drop_no_route "$before"
