#!/bin/bash
# cni_dupip.sh - two pods with one address on two nodes (a misconfigured
# IPAM range: Debian's `static` IPAM plugin gives both 10.1.7.7), driven
# through vtepd-cni as a runtime drives it (cni_lib.sh). The nodes' vtepds
# peer over eBGP; each sees its own pod and the other node's type-2 route
# for the same IP with another MAC. What it shows (agent/rib/rib_dup.c):
#   - each vtepd logs the duplicate once, as a warning naming the VNI, the
#     address, both MACs and where they are (its own pod's port, the other
#     VTEP) and the one its datapath uses (its own pod);
#   - /metrics: vtepd_bgp_duplicate_addresses 1 and _total 1 on both;
#   - `vtepctl -j bgp routes` marks both paths of the address duplicate
#     (and the table says so), and no other path;
#   - more BGP traffic (a third pod) logs nothing new;
#   - DEL of one pod: both vtepds log one "resolved" line, the gauge is 0,
#     the counter stays 1, nothing is marked any more.
PFX=${PFX:-dp-}
R=${R:-/run/vtepd-test-dp}
MPORT=9469   # /metrics on loopback, in each host's namespace
# shellcheck disable=SC2034 # read by write_config (lib.sh)
METRICS="\"127.0.0.1:$MPORT\""
. "$(dirname "$0")/bgp_lib.sh"
. "$(dirname "$0")/cni_lib.sh"
bgp_begin

DUP=10.1.7.7
H1IP=$(uplink_ip h1); H2IP=$(uplink_ip h2)
nbr() { nbr_j "$1" "$2" '{"hold_time_s": 9, "keepalive_s": 3}'; }
metric() { nx "$(ns_of "$1")" curl -sf --max-time 10 "http://127.0.0.1:$MPORT/metrics" | awk -v s="$2" '$1 == s { print $2 }'; }
metric_is() { local v; v=$(metric "$1" "$2"); echo "$1 $2 = ${v:-none} (want $3)"; [ "$v" = "$3" ]; }

# conflist_static FILE IP: vtepd-cni alone, the `static` IPAM plugin giving
# IP (what two nodes with overlapping ranges amount to).
conflist_static() {
	jq -n --arg sock "$CNI_SOCK" --arg ip "$2/16" '{
	cniVersion: "1.0.0", name: "dup",
	plugins: [{type: "vtepd-cni", vni: 100, socket: $sock,
	           ipam: {type: "static", addresses: [{address: $ip}]}}]
}' >"$1"
}

[ -x "$CNI_SYS/static" ] || { echo "SKIP cni_dupip: no $CNI_SYS/static (containernetworking-plugins)"; exit 77; }
topo_fabric
topo_host h1
topo_host h2
run ip -n "${PFX}h1" route add 198.51.100.4/30 via "$(fab_ip h1)"
run ip -n "${PFX}h2" route add 198.51.100.0/30 via "$(fab_ip h2)"
bgp_config h1 65101 "[$(nbr "$H2IP" 65102)]" "" ""
bgp_config h2 65102 "[$(nbr "$H1IP" 65101)]" "" ""
for h in h1 h2; do cni_vtepd_config "$h"; done
vtepd_start h1
vtepd_start h2
cni_setup
for h in h1 h2; do
	cni_node "$h"
	conflist_static "$(hostdir "$h")/dup.conflist" "$DUP"
	cni_conflist "$CNI_LIST" pods 100 "${h#h}" "$CNI_SOCK" 1.1.0 '[]'
done
check_until "h1 and h2 Established" 30 peer_up h1 "$H2IP"

# warned H: the lines of H's log that report the duplicate's start / end.
warned() { grep -c "vni 100 $DUP: duplicate address: held by" "$LOGDIR/vtepd-$1.log"; }
resolved() { grep -c "vni 100 $DUP: duplicate address resolved" "$LOGDIR/vtepd-$1.log"; }
count_is() { local n; n=$("$1" "$2"); echo "$1 $2: $n (want $3)"; [ "$n" -eq "$3" ]; }

cni_node h1
L1=$(hostdir h1)/dup.conflist
pod_ns d1
check "ADD d1 on h1 with $DUP (static IPAM)" cni_add "$L1" c-d1 "$(pod_path d1)" eth0 default d1
HOST1=$(cni_cached "$L1" c-d1 eth0 | jq -r '.interfaces[0].name')
MAC1=$(cni_cached "$L1" c-d1 eth0 | jq -r '.interfaces[1].mac')
cni_node h2
L2=$(hostdir h2)/dup.conflist
pod_ns d2
check "ADD d2 on h2 with the same $DUP" cni_add "$L2" c-d2 "$(pod_path d2)" eth0 default d2
HOST2=$(cni_cached "$L2" c-d2 eth0 | jq -r '.interfaces[0].name')
MAC2=$(cni_cached "$L2" c-d2 eth0 | jq -r '.interfaces[1].mac')
echo "d1: $MAC1 on h1 ($HOST1); d2: $MAC2 on h2 ($HOST2)" >>"$LOG"

check_until "h1 holds d2's type-2 route ($MAC2 $DUP) from h2" 15 bgp_route_has h1 \
	".prefix == \"$DUP/32\" and .mac == \"$MAC2\" and .peer == \"$H2IP\""
check_until "h1 logged the duplicate" 10 count_is warned h1 1
check_until "h2 logged the duplicate" 10 count_is warned h2 1
names_both() {  # names_both H OWN_MAC OWN_PORT OTHER_MAC OTHER_VTEP
	local l; l=$(grep "vni 100 $DUP: duplicate address: held by" "$LOGDIR/vtepd-$1.log"); echo "$l"
	grep -qF "$2 at port $3 (this host)" <<<"$l" && grep -qF "$4 at VTEP $5" <<<"$l" &&
		grep -qF "the datapath uses $2 at port $3 (this host)" <<<"$l"
}
check "h1's warning names both MACs, its port $HOST1 and VTEP $(vtep_ip h2), and its own pod as used" \
	names_both h1 "$MAC1" "$HOST1" "$MAC2" "$(vtep_ip h2)"
check "h2's warning names both MACs, its port $HOST2 and VTEP $(vtep_ip h1), and its own pod as used" \
	names_both h2 "$MAC2" "$HOST2" "$MAC1" "$(vtep_ip h1)"
check "h1: vtepd_bgp_duplicate_addresses 1" metric_is h1 vtepd_bgp_duplicate_addresses 1
check "h2: vtepd_bgp_duplicate_addresses 1" metric_is h2 vtepd_bgp_duplicate_addresses 1
check "h1: vtepd_bgp_duplicate_addresses_total 1" metric_is h1 vtepd_bgp_duplicate_addresses_total 1
check "h2: vtepd_bgp_duplicate_addresses_total 1" metric_is h2 vtepd_bgp_duplicate_addresses_total 1
marked() {  # marked H: the address's two paths, and only they, are duplicate
	local j; j=$(vt "$1" -j bgp routes); echo "$j"
	jqe "$j" '([.[] | select(.prefix == $p)] | length == 2 and all(.duplicate))
		and ([.[] | select(.prefix != $p and .duplicate)] | length == 0)' --arg p "$DUP/32"
}
check "h1: vtepctl -j bgp routes marks both paths of $DUP duplicate" marked h1
check "h2: the same" marked h2
table_says() { vt h1 bgp routes | tee /dev/stderr | grep -F "$DUP/32" | grep -c duplicate | matches -x 2; }
check "h1: vtepctl bgp routes (table) says duplicate on both lines" table_says

# more BGP traffic: another pod on h2, its route reaches h1; the duplicate
# is not reported again
cni_node h2
pod_ns o2
check "ADD o2 on h2 (host-local, another address)" cni_add "$CNI_LIST" c-o2 "$(pod_path o2)" eth0 default o2
O2=$(pod_ip "$CNI_LIST" c-o2)
check_until "h1 learned o2 ($O2)" 15 has_route h1 "$O2/32" "$(vtep_ip h2)"
check "h1: still one warning" sh -c "[ \"\$(grep -c 'vni 100 $DUP: duplicate address: held by' '$LOGDIR/vtepd-h1.log')\" -eq 1 ]"
check "h1: gauge still 1" metric_is h1 vtepd_bgp_duplicate_addresses 1

# ---- DEL d2: resolved on both nodes
check "DEL d2 on h2" cni_del "$L2" c-d2 "$(pod_path d2)" eth0
check_until "h1: vtepd_bgp_duplicate_addresses 0" 15 metric_is h1 vtepd_bgp_duplicate_addresses 0
check_until "h2: vtepd_bgp_duplicate_addresses 0" 15 metric_is h2 vtepd_bgp_duplicate_addresses 0
check "h1: one info line: resolved, held by d1 at its port" sh -c \
	"grep 'vni 100 $DUP: duplicate address resolved' '$LOGDIR/vtepd-h1.log' | tee /dev/stderr | grep -c 'held by $MAC1 at port $HOST1' | grep -qx 1"
check "h2: one info line: resolved, held by d1 at VTEP $(vtep_ip h1)" sh -c \
	"grep 'vni 100 $DUP: duplicate address resolved' '$LOGDIR/vtepd-h2.log' | tee /dev/stderr | grep -c 'held by $MAC1 at VTEP $(vtep_ip h1)' | grep -qx 1"
check "h1: vtepd_bgp_duplicate_addresses_total stays 1" metric_is h1 vtepd_bgp_duplicate_addresses_total 1
check "h1 and h2: one warning each in all" sh -c \
	"[ \"\$(grep -c 'vni 100 $DUP: duplicate address: held by' '$LOGDIR/vtepd-h1.log' '$LOGDIR/vtepd-h2.log' | awk -F: '{s += \$2} END {print s}')\" -eq 2 ]"
unmarked() { local j; j=$(vt h1 -j bgp routes); echo "$j"; jqe "$j" '[.[] | select(.duplicate)] | length == 0'; }
check "h1: no path marked duplicate any more" unmarked
cni_node h1
check "DEL d1 on h1" cni_del "$L1" c-d1 "$(pod_path d1)" eth0
cni_node h2
check "DEL o2 on h2" cni_del "$CNI_LIST" c-o2 "$(pod_path o2)" eth0
