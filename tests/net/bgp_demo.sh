#!/bin/bash
# bgp_demo.sh - the README's demo (scripts/demo.sh, `make demo`) with this
# suite's prefix and state dir: `up` builds two vtepd hosts, an FRR EVPN leaf
# and an FRR route reflector, and must leave every host having learned the
# others' workloads from BGP alone (no static route in any config) with
# traffic flowing across VXLAN both ways; `down` must leave no namespace,
# process, mount or FRR directory behind; a failed `up` must remove what it
# made.
# shellcheck source=tests/net/bgp_lib.sh
. "$(dirname "$0")/bgp_lib.sh"
net_begin
DEMO=$TOP/scripts/demo.sh
# The demo's own teardown runs whatever happens; then lib.sh's summary.
trap 'rc=$?; demo down >/dev/null 2>&1; (exit $rc); net_cleanup' EXIT

# demo ARGS...: scripts/demo.sh with this run's names and binaries. It must
# not inherit our lock (fd 9) or our PASS/FAIL pipe (fd 3): its daemons live on.
demo() {
	PFX=$PFX R=$R VTEPD=$VTEPD VTEPCTL=$VTEPCTL timeout -k 5 90 "$DEMO" "$@" 3>&- 9>&-
}
UP=$LOGDIR/demo-up.out
demo_up() { demo up >"$UP" 2>&1; local rc=$?; tail -n 5 "$UP"; return $rc; }

check "scripts/demo.sh up succeeds" demo_up || exit 1

# ---- what up printed: the sessions, FRR's view and three pings
printed() { local n; n=$(grep -c -- "$1" "$UP"); echo "'$1': $n times (want >= $2)"; [ "$n" -ge "$2" ]; }
check "up shows both vtepd sessions Established" printed "Established" 2
check "up shows FRR's EVPN summary" printed "Total number of neighbors 3" 1
check "up shows three pings with no loss" printed " 0% packet loss" 3

# ---- the state it left running
no_static_config() {
	local h f
	for h in h1 h2; do
		f=$(cfg_of "$h"); jq -c '{bgp: .bgp.neighbors, routes}' "$f"
		jq -e '(.routes | length) == 0 and (.bgp.neighbors | length) == 1' "$f" >/dev/null || return 1
	done
}
check "the hosts' configs hold a bgp section and no static route" no_static_config
for h in h1 h2; do
	check "$h: session with the reflector Established" peer_up "$h" "$(fab_ip "$h")"
done
for p in 10.1.0.21 10.1.0.22; do
	check "h1 learned $p from BGP (via 192.0.2.2)" has_route h1 "$p/32" 192.0.2.2 bgp
done
for p in 10.1.0.11 10.1.0.12; do
	check "h2 learned $p from BGP (via 192.0.2.1)" has_route h2 "$p/32" 192.0.2.1 bgp
done
for h in h1 h2; do
	check "$h learned w31 behind the FRR leaf from BGP" has_route "$h" 10.1.0.31/32 192.0.2.3 bgp
done
check "h1 fdb: w31's MAC behind the FRR leaf" has_fdb h1 "$(wl_mac 31)" 192.0.2.3
check "w12 -> w22 (vtepd to vtepd)" ping_ok "${PFX}w12" 10.1.0.22 2
check "w22 -> w31 (vtepd to the FRR leaf)" ping_ok "${PFX}w22" 10.1.0.31 2
check "w31 -> w11 (the FRR leaf to vtepd)" ping_ok "${PFX}w31" 10.1.0.11 2

# ---- down removes everything
leftovers() {  # prints and counts what the demo left behind
	local p n=0
	for p in "$@"; do kill -0 "$p" 2>/dev/null && { echo "process $p ($(cat /proc/"$p"/comm 2>/dev/null)) alive"; n=$((n + 1)); }; done
	for p in /run/netns/"${PFX}"*; do [ -e "$p" ] && { echo "namespace $p"; n=$((n + 1)); }; done
	grep -F " $R/" /proc/mounts && n=$((n + 1))
	for p in "$R" /etc/frr/"${PFX}"* /var/run/frr/"${PFX}"*; do [ -e "$p" ] && { echo "left: $p"; n=$((n + 1)); }; done
	echo "$n leftovers"
	[ "$n" -eq 0 ]
}
pids=$(cat "$R"/"${PFX}"h*/vtepd.pid /var/run/frr/"${PFX}"*/*.pid 2>/dev/null)
# shellcheck disable=SC2086 # a list of pids
echo "+ daemons before down: "$pids >>"$LOG"
[ "$(wc -w <<<"$pids")" -eq 6 ] || say "note: expected 6 daemon pids (2 vtepd, 2 zebra, 2 bgpd), got: $pids"
cp -r "$R/logs" "$LOGDIR/demo-logs" 2>/dev/null
check "scripts/demo.sh down succeeds" demo down
# shellcheck disable=SC2086
check "down left no process, namespace, mount or directory" leftovers $pids

# ---- a failed up removes what it made (vtepd that cannot start)
fail_up() {
	! PFX=$PFX R=$R VTEPD=/bin/false VTEPCTL=$VTEPCTL timeout -k 5 90 "$DEMO" up 3>&- 9>&-
}
check "up with a vtepd that cannot start fails" fail_up
check "the failed up left nothing behind" leftovers
