#!/bin/bash
# demo.sh - a small BGP EVPN fabric in network namespaces named demo-*: two
# hosts running vtepd, an FRR EVPN leaf with a kernel bridge + VXLAN device,
# and an FRR route reflector in the routed fabric. Nobody configures a remote
# workload: every VTEP learns the others' from BGP EVPN type-2 routes (RFC
# 7432) reflected by FRR (RFC 4456). Builds nothing itself (`make demo`
# builds first).
#
#   scripts/demo.sh up     build the topology, start FRR and vtepd, wait for
#                          the sessions and routes, show them and pings across
#                          VXLAN; the daemons keep running (pids in
#                          $R/${PFX}h*/vtepd.pid, /var/run/frr/${PFX}*/*.pid)
#   scripts/demo.sh down   stop the daemons and remove everything `up` made
#
# PFX (namespace prefix, default demo-) and R (state dir, default
# /run/vtepd-demo) may be set in the environment so that a test runs the demo
# beside a user's (tests/net/bgp_demo.sh). The topology and the FRR helpers
# are the network tests' (tests/net/lib.sh, tests/net/bgp_lib.sh).
set -u
PFX=${PFX:-demo-}
R=${R:-/run/vtepd-demo}
export SCEN=demo
LOGDIR=$R/logs
export METRICS='"127.0.0.1:9469"'   # each host's own loopback, inside its namespace
ASN=65000                         # one AS: iBGP, FRR in the fabric reflects
RT=$ASN:100                       # what FRR's advertise-all-vni derives for VNI 100
# The daemons we leave running must not hold a caller's lock or pipe.
exec 9>&-
# shellcheck source=tests/net/bgp_lib.sh
. "$(dirname "$0")/../tests/net/bgp_lib.sh"

LEAF=${PFX}h3; W31=${PFX}w31
# Every namespace the demo makes: `down` removes exactly these.
DEMO_NS=(fab h1 h2 h3 w11 w12 w21 w22 w31)

usage() { echo "usage: $0 up|down" >&2; exit 2; }

# demo_pids: the daemons `up` left running, by their pid files, each only
# while it still is the program the file belongs to (a recycled pid is left
# alone).
demo_pids() {
	local f pid want
	for f in "$R"/"${PFX}"h*/vtepd.pid /var/run/frr/"${PFX}"{fab,h3}/{bgpd,zebra}.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f"); want=$(basename "$f" .pid)
		[ "$(cat /proc/"$pid"/comm 2>/dev/null)" = "$want" ] && echo "$pid"
	done
}
none_alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }

demo_down() {
	local pids n m
	# All at once: vtepd and FRR each take a second or two to stop.
	mapfile -t pids < <(demo_pids)
	if [ ${#pids[@]} -gt 0 ]; then
		kill -TERM "${pids[@]}" 2>/dev/null
		if ! wait_until 8 none_alive "${pids[@]}"; then
			for n in "${pids[@]}"; do kill -0 "$n" 2>/dev/null && kill -KILL "$n"; done
			wait_until 2 none_alive "${pids[@]}"
		fi
	fi
	for n in fab h3; do rm -rf "/etc/frr/${PFX}$n" "/var/run/frr/${PFX}$n"; done
	for n in "${DEMO_NS[@]}"; do
		[ -e "/run/netns/${PFX}$n" ] && ip netns del "${PFX}$n"
	done
	for m in "$R"/"${PFX}"h*/bpf; do mountpoint -q "$m" && umount "$m"; done
	rm -rf "$R"
	return 0
}

# Runs if `up` fails half-way (or is interrupted): remove what was made.
up_failed() {
	local rc=$?
	trap - EXIT
	[ $rc -eq 0 ] && return
	echo "demo: setup failed; last log lines:" >&2
	tail -n 20 "$LOGDIR"/vtepd-h*.log "$LOG" /var/run/frr/"${PFX}"{fab,h3}/bgpd.log 2>/dev/null >&2
	demo_down   # by pid files and the demo's names: all that up may have made
	exit $rc
}

# show PROMPT CMD...: print a shell-like prompt line ($SHOWN), then run CMD.
show() { local p=$1; shift; echo; echo "[$p]# $SHOWN"; "$@"; }

# leaf_conf: FRR on h3, an EVPN leaf: advertise-all-vni exports what its
# bridge and SVI learn; VNI 100's route targets are the automatic ASN:VNI.
leaf_conf() {
	cat <<EOF
frr version 8.4
frr defaults datacenter
hostname $LEAF
log timestamp precision 3
!
router bgp $ASN
 bgp router-id $(vtep_ip h3)
 no bgp default ipv4-unicast
 neighbor $(fab_ip h3) remote-as $ASN
 neighbor $(fab_ip h3) timers 3 9
 neighbor $(fab_ip h3) timers connect 1
 !
 address-family l2vpn evpn
  neighbor $(fab_ip h3) activate
  advertise-all-vni
 exit-address-family
exit
!
EOF
}

# demo_config H: bgp_lib's vtepd config (two ports, no static route, a
# "bgp" section peering with the reflector) with VNI 100's route target set.
demo_config() {
	local h=$1 f
	bgp_config "$h" "$ASN" "[$(nbr_j "$(fab_ip "$h")" "$ASN" '{"hold_time_s": 9, "keepalive_s": 3}')]"
	f=$(cfg_of "$h")
	jq --arg rt "$RT" '.vnis[0].route_target = $rt' "$f" >"$f.tmp" || die "cannot write $f"
	mv "$f.tmp" "$f" || die "cannot write $f"
}

rr_established() {
	jqe "$(vty "${PFX}fab" "show bgp l2vpn evpn summary json")" \
		'[.peers[] | select(.state == "Established")] | length == 3'
}
# learned H PREFIX VTEP: vtepd on H has PREFIX via VTEP from BGP.
learned() { has_route "$@" bgp; }

demo_up() {
	local h t0=$SECONDS
	[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (sudo make demo)" >&2; exit 1; }
	for b in "$VTEPD" "$VTEPCTL" "$FRR_DIR/bgpd" "$FRR_DIR/zebra"; do
		[ -x "$b" ] || { echo "demo: $b is missing: run make demo (it builds and installs first)" >&2; exit 1; }
	done
	for f in "$R"/"${PFX}"h*/vtepd.pid; do
		[ -f "$f" ] && [ "$(cat /proc/"$(cat "$f")"/comm 2>/dev/null)" = vtepd ] &&
			{ echo "demo: already up (make demo-down first)"; exit 1; }
	done
	demo_down
	mkdir -p "$LOGDIR"
	: >"$LOG"
	trap up_failed EXIT
	trap 'exit 143' TERM INT
	echo "demo: building the fabric, starting FRR and vtepd (logs in $LOGDIR) ..."
	topo_fabric
	for h in h1 h2 h3; do topo_host "$h"; done
	for h in h1 h2; do topo_workload "$h" 1; topo_workload "$h" 2; done
	frr_leaf_topo h3 31   # bgp_lib.sh: bridge + VXLAN + SVI, w31 behind it
	# FRR daemonizes: fd 3 (our stdout) must not stay open in it.
	frr_start "${PFX}fab" "$(frr_rr_conf "${PFX}fab" "$ASN" "$(fab_ip h1)" "h1 h2 h3")" 3>>"$LOG"
	frr_start "$LEAF" "$(leaf_conf)" 3>>"$LOG"
	for h in h1 h2; do
		demo_config "$h"
		vtepd_start "$h"
	done

	for h in h1 h2; do
		wait_until 30 peer_up "$h" "$(fab_ip "$h")" || die "$h: no BGP session with the reflector"
	done
	wait_until 30 rr_established || die "the reflector does not have its 3 sessions"
	# FRR learns w31's MAC from the bridge and its IP from the SVI's
	# neighbour table: w31 talks to the SVI until FRR has both.
	frr_local_ip "$W31" "$(wl_ip 31)" "$LEAF" || die "the FRR leaf did not learn w31"
	for h in h1 h2; do
		o=$(other "$h"); o=${o#h}
		for p in "$(wl_ip "${o}1")" "$(wl_ip "${o}2")"; do
			wait_until 20 learned "$h" "$p/32" "192.0.2.$o" || die "$h did not learn $p from BGP"
		done
		wait_until 20 learned "$h" "$(wl_ip 31)/32" "$(vtep_ip h3)" ||
			die "$h did not learn w31 (behind the FRR leaf) from BGP"
	done
	wait_until 15 ping_ok "${PFX}w11" "$(wl_ip 21)" 1 || die "no ping w11 -> w21 across VXLAN"
	wait_until 15 ping_ok "${PFX}w11" "$(wl_ip 31)" 1 || die "no ping w11 -> w31 (FRR leaf) across VXLAN"
	wait_until 15 ping_ok "$W31" "$(wl_ip 22)" 1 || die "no ping w31 (FRR leaf) -> w22 across VXLAN"
	trap - EXIT TERM INT

	cat <<EOF
demo: ready in $((SECONDS - t0)) s.

vtepd demo: a BGP EVPN fabric, AS $ASN, VNI 100 (10.1.0.0/16, route target $RT);
every box is a network namespace named ${PFX}<name>. No static route anywhere:
vtepd on h1 and h2 and the FRR leaf h3 learn each other's workloads through
the route reflector (FRR bgpd) in the fabric.

  w11 10.1.0.11  w12 10.1.0.12   w21 10.1.0.21  w22 10.1.0.22      w31 10.1.0.31
        | w1           | w2            | w1           | w2               | w1
 +------+--------------+----+   +------+--------------+----+   +---------+-------------+
 | h1: vtepd (XDP/TC, eBPF) |   | h2: vtepd (XDP/TC, eBPF) |   | h3: FRR leaf, br100 + |
 |     VTEP 192.0.2.1       |   |     VTEP 192.0.2.2       |   | vx100, VTEP 192.0.2.3 |
 +------------+-------------+   +------------+-------------+   +---------+-------------+
              | up0 198.51.100.2             | up0 198.51.100.6          | up0 198.51.100.10
              +------ fab: routed underlay + FRR route reflector (iBGP, l2vpn evpn) ------+
EOF
	# What this kernel runs and the mode vtepd chose for the uplink.
	SHOWN="vtepctl status"; show "${PFX}h1" vt h1 status
	SHOWN="vtepctl peers"; show "${PFX}h1" vt h1 peers
	SHOWN="vtepctl peers"; show "${PFX}h2" vt h2 peers
	SHOWN="vtysh -c 'show bgp l2vpn evpn summary'"; show "${PFX}fab" vty "${PFX}fab" "show bgp l2vpn evpn summary"
	# What vtepd on h1 advertised, as the reflector holds it.
	SHOWN="vtysh -c 'show bgp l2vpn evpn route rd 192.0.2.1:100'"
	show "${PFX}fab" vty "${PFX}fab" "show bgp l2vpn evpn route rd $(vtep_ip h1):100"
	SHOWN="vtepctl routes"; show "${PFX}h1" vt h1 routes
	SHOWN="vtepctl fdb"; show "${PFX}h1" vt h1 fdb
	SHOWN="vtepctl bgp routes"; show "${PFX}h1" vt h1 bgp routes
	SHOWN="vtysh -c 'show evpn mac vni 100'"; show "$LEAF" vty "$LEAF" "show evpn mac vni 100"
	SHOWN="ping -c 3 10.1.0.21"; show "${PFX}w11" nx "${PFX}w11" ping -c 3 -i 0.2 "$(wl_ip 21)"
	SHOWN="ping -c 3 10.1.0.31"; show "${PFX}w11" nx "${PFX}w11" ping -c 3 -i 0.2 "$(wl_ip 31)"
	SHOWN="ping -c 3 10.1.0.12"; show "$W31" nx "$W31" ping -c 3 -i 0.2 "$(wl_ip 12)"
	cat <<EOF

The daemons keep running: logs in $LOGDIR, pids in $R/${PFX}h1/vtepd.pid and
$R/${PFX}h2/vtepd.pid; FRR's logs and pids in /var/run/frr/${PFX}fab and /var/run/frr/$LEAF.
Look around (as root):
  VT1="nsenter --net=/run/netns/${PFX}h1 $VTEPCTL -s $(sock_of h1) -b $(bpffs_of h1)"
  \$VT1 peers            # also: routes, fdb, bgp routes, ports, neigh, vnis, stats, -j -p ...
  vtysh -N ${PFX}fab -c 'show bgp l2vpn evpn'          # the reflector's RIB
  vtysh -N $LEAF -c 'show evpn arp-cache vni 100'    # the leaf's ARP suppression table
  nsenter --net=/run/netns/$LEAF bridge fdb show dev vx100
  bpftool map dump pinned $(bpffs_of h1)/vtep_routes
  nsenter --net=/run/netns/${PFX}h1 bpftool net show
  nsenter --net=/run/netns/${PFX}h1 curl -s http://127.0.0.1:9469/metrics
  ip netns exec ${PFX}w11 ping 10.1.0.31
  ip netns exec ${PFX}fab tcpdump -n -i to-h1 'tcp port 179 or udp port 4789'
Tear down: make demo-down
EOF
}

case "${1:-}" in
up) demo_up ;;
down) demo_down; echo "demo: down" ;;
*) usage ;;
esac
