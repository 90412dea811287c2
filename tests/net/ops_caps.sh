#!/bin/bash
# ops_caps.sh - running as a service (issue 4, point 6): vtepd confined to
# the capability set of dist/vtepd.service (CapabilityBoundingSet, read from
# the unit) starts, forwards, accepts vtepctl edits and restarts (replacing
# its attached programs: with the default uplink_attach auto, TC on this veth
# uplink; then, where the kernel runs it, the XDP uplink, whose replacement
# needs CAP_SYS_ADMIN to open the old program by id); with CAP_NET_ADMIN
# alone it cannot load the datapath and says so. Logging: -v adds debug
# lines, and messages about a port name the port.
. "$(dirname "$0")/ops_lib.sh"
net_begin
UNIT=$TOP/dist/vtepd.service
[ -f "$UNIT" ] || die "no $UNIT"
# CAP_BPF CAP_NET_ADMIN ... -> +bpf,+net_admin,...
CAPS=$(sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr ' ' '\n' | sed -n 's/^CAP_\(.*\)/+\L\1/p' | paste -sd,)
[ -n "$CAPS" ] || die "no CapabilityBoundingSet in $UNIT"
REAL_VTEPD=$VTEPD
# confine CAPS: vtepd_start runs $VTEPD; a wrapper that execs vtepd with only
# those capabilities (same pid: setpriv and sh exec).
confine() {
	cat >"$LOGDIR/vtepd-confined" <<EOW
#!/bin/sh
exec setpriv --bounding-set -all,$1 --inh-caps -all -- $REAL_VTEPD "\$@"
EOW
	chmod +x "$LOGDIR/vtepd-confined"
	VTEPD=$LOGDIR/vtepd-confined
}
topo_base
std_config h1
std_config h2
vtepd_start h2
confine "$CAPS"
VTEPD_ARGS=-v
vtepd_start h1
VTEPD_ARGS=
# exactly_caps: vtepd's effective set, decoded, is the unit's list.
exactly_caps() {
	local eff have want
	eff=$(awk '/^CapEff/ {print $2}' "/proc/${VTEPD_PID[h1]}/status")
	have=$(capsh --decode="$eff" | sed 's/.*=//' | tr ',' '\n' | sort | paste -sd,)
	want=$(echo "$CAPS" | tr ',' '\n' | sed 's/^+/cap_/' | sort | paste -sd,)
	echo "CapEff $eff = $have; the unit: $want"
	[ "$have" = "$want" ]
}
check "vtepd runs with the unit's capabilities only ($CAPS)" exactly_caps
check "confined: w11 -> w21 across hosts" ping_ok "${PFX}w11" 10.1.0.21
check "confined: vtepctl routes add (host route, maps)" vt h1 routes add vni 100 prefix 10.1.0.23/32 vtep "$(vtep_ip h2)" mac "$(wl_mac 23)"
check "confined: vtepctl routes del" vt h1 routes del vni 100 prefix 10.1.0.23/32
# uplink_tc_id: the program id of up0's tc ingress filter, when it is tc
# mode's vtep_uplink_tc (what auto picks on a veth); one line per filter.
uplink_tc_id() { nx "${PFX}h1" tc filter show dev up0 ingress | sed -n 's/.* id \([0-9]*\) name vtep_uplink_tc .*/\1/p'; }
# tc_replaced OLD_ID: exactly one vtep_uplink_tc on up0, and not OLD_ID.
tc_replaced() {
	local now; now=$(uplink_tc_id)
	echo "up0's vtep_uplink_tc before the restart: id $1; now: id(s) ${now:-none}"
	[ -n "$1" ] && [ -n "$now" ] && [ "$(echo "$now" | wc -l)" -eq 1 ] && [ "$now" != "$1" ]
}
tc_id=$(uplink_tc_id)
vtepd_stop h1
vtepd_start h1
check "confined: a restart replaces the attached programs" tc_replaced "$tc_id"
check "confined: forwarding after the restart" ping_ok "${PFX}w11" 10.1.0.21
check "-v: debug lines are logged" grep -q " vtepd debug: " "$LOGDIR/vtepd-h1.log"
check "messages about a port name it" grep -qE "port w1: (TC ingress )?attached" "$LOGDIR/vtepd-h1.log"
n_debug() { grep -c " vtepd debug: " "$LOGDIR/vtepd-h1.log"; }
d0=$(n_debug)
vtepd_stop h1
vtepd_start h1
check "without -v: no debug lines" sh -c "[ \$(grep -c ' vtepd debug: ' '$LOGDIR/vtepd-h1.log') -eq $d0 ]"
vtepd_stop h1

# Not enough: CAP_NET_ADMIN alone cannot load the programs.
confine +net_admin
refused() {
	local out rc
	out=$(nsenter --net="/run/netns/${PFX}h1" "$VTEPD" -c "$(cfg_of h1)" 2>&1); rc=$?
	echo "$out" | tail -n 2; echo "exit $rc"
	[ $rc -eq 1 ] && echo "$out" | grep -q "Operation not permitted\|Permission denied"
}
check "with CAP_NET_ADMIN only: vtepd refuses to start, saying why" refused
check "the datapath still forwards (left by the previous vtepd)" ping_ok "${PFX}w11" 10.1.0.21

# The XDP uplink: a restart swaps the previous vtepd's XDP program for its
# own (XDP_FLAGS_REPLACE), which needs the old program's fd from its id:
# CAP_SYS_ADMIN, in the unit's set. Only where the kernel runs it (asked
# of the real vtepd, not the +net_admin wrapper that cannot probe).
VTEPD=$REAL_VTEPD
if ! skip_mode xdp; then
	confine "$CAPS"
	std_config h1 gateway xdp
	vtepd_start h1
	vtepd_stop h1
	vtepd_start h1
	check "[xdp] confined: a restart replaces the attached XDP program" grep -q "XDP program replaced" "$LOGDIR/vtepd-h1.log"
	check "[xdp] confined: forwarding after the restart" ping_ok "${PFX}w11" 10.1.0.21
fi
