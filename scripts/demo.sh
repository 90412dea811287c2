#!/bin/bash
# demo.sh - two simulated hosts running vtepd, four workloads, VXLAN between
# them, all in network namespaces named demo-*. Builds nothing itself
# (`make demo` builds first).
#
#   scripts/demo.sh up     build the topology, start vtepd on both hosts, show
#                          the routes and a ping across VXLAN; the daemons keep
#                          running (pids in /run/vtepd-demo/demo-h*/vtepd.pid)
#   scripts/demo.sh down   stop the daemons and remove everything `up` made
#
# The topology is the network tests' (tests/net/lib.sh) with another prefix.
set -u
PFX=demo-
R=/run/vtepd-demo
export SCEN=demo
LOGDIR=$R/logs
export METRICS='"127.0.0.1:9469"'   # each host's own loopback, inside its namespace
# shellcheck source=../tests/net/lib.sh
. "$(dirname "$0")/../tests/net/lib.sh"

usage() { echo "usage: $0 up|down" >&2; exit 2; }

demo_down() {
	local f pid ns m
	for f in "$R"/"${PFX}"h*/vtepd.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		# Only the pid we recorded, and only while it is still a vtepd.
		if [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = vtepd ]; then
			kill -TERM "$pid"
			wait_until 5 sh -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid"
		fi
	done
	if [ -f "$R/namespaces" ]; then
		while read -r ns; do ip netns del "$ns" 2>/dev/null; done < <(tac "$R/namespaces")
	fi
	for m in "$R"/"${PFX}"h*/bpf; do mountpoint -q "$m" && umount "$m"; done
	rm -rf "$R"
	return 0
}

# Runs if `up` fails half-way: remove what was made so far.
up_failed() {
	local rc=$?
	trap - EXIT
	[ $rc -eq 0 ] && return
	echo "demo: setup failed; logs were in $LOGDIR:" >&2
	tail -n 20 "$LOGDIR"/vtepd-h*.log "$LOG" 2>/dev/null >&2
	topo_down
	rm -rf "$R"
	exit $rc
}

# show PROMPT CMD...: print a shell-like prompt line ($SHOWN), then run CMD.
show() { local p=$1; shift; echo; echo "[$p]# $SHOWN"; "$@"; }

demo_up() {
	[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (sudo make demo)" >&2; exit 1; }
	for b in "$VTEPD" "$VTEPCTL"; do
		[ -x "$b" ] || { echo "demo: $b is not built: run make demo (it builds first)" >&2; exit 1; }
	done
	for f in "$R"/"${PFX}"h*/vtepd.pid; do
		[ -f "$f" ] && [ "$(cat /proc/"$(cat "$f")"/comm 2>/dev/null)" = vtepd ] &&
			{ echo "demo: already up (make demo-down first)"; exit 1; }
	done
	demo_down
	mkdir -p "$LOGDIR"
	: >"$LOG"
	trap up_failed EXIT
	topo_base
	std_config h1
	std_config h2
	vtepd_start h1
	vtepd_start h2
	printf '%s\n' "${NS_CREATED[@]}" >"$R/namespaces"
	wait_until 10 ping_ok "${PFX}w11" 10.1.0.21 1 || die "no ping across VXLAN"
	trap - EXIT

	cat <<EOF
vtepd demo: two hosts, a routed fabric, VNI 100 (10.1.0.0/16, gateway 10.1.255.254);
every box is a network namespace named ${PFX}<name>.

  w11 10.1.0.11    w12 10.1.0.12           w21 10.1.0.21    w22 10.1.0.22
        | eth0           | eth0                  | eth0           | eth0
        | w1             | w2                    | w1             | w2
 +------+----------------+------+        +-------+----------------+-----+
 | h1: vtepd, VTEP 192.0.2.1    |        | h2: vtepd, VTEP 192.0.2.2    |
 +--------------+---------------+        +--------------+---------------+
                | up0 198.51.100.2/30                   | up0 198.51.100.6/30
                +-------- fab: routed underlay ---------+
EOF
	SHOWN="vtepctl routes"; show "${PFX}h1" vt h1 routes
	SHOWN="vtepctl routes"; show "${PFX}h2" vt h2 routes
	SHOWN="ping -c 3 10.1.0.21"; show "${PFX}w11" nx "${PFX}w11" ping -c 3 -i 0.2 10.1.0.21
	SHOWN="ip neigh show 10.1.0.21"; show "${PFX}w11" nx "${PFX}w11" ip neigh show 10.1.0.21
	cat <<EOF

The daemons keep running: logs in $LOGDIR, pids in $R/${PFX}h1/vtepd.pid and $R/${PFX}h2/vtepd.pid.
Look around (as root):
  VT1="nsenter --net=/run/netns/${PFX}h1 $VTEPCTL -s $(sock_of h1) -b $(bpffs_of h1)"
  \$VT1 routes          # also: ports, neigh, fdb, vnis, stats, -j -p stats
  \$VT1 routes add vni 100 prefix 10.1.0.23/32 vtep 192.0.2.2 mac 02:00:00:00:00:23
  bpftool map dump pinned $(bpffs_of h1)/vtep_routes
  bpftool map dump pinned $(bpffs_of h1)/vtep_stats
  nsenter --net=/run/netns/${PFX}h1 bpftool net show
  nsenter --net=/run/netns/${PFX}h1 curl -s http://127.0.0.1:9469/metrics
  ip netns exec ${PFX}w11 ping 10.1.0.22
  ip netns exec ${PFX}fab tcpdump -n -i to-h1 udp port 4789
Tear down: make demo-down
EOF
}

case "${1:-}" in
up) demo_up ;;
down) demo_down; echo "demo: down" ;;
*) usage ;;
esac
