# shellcheck shell=bash
# lib.sh - shared by the network tests (tests/net/NN-*.sh) and scripts/demo.sh.
#
# Builds the two-host topology in network namespaces, starts vtepd per host,
# and tears down exactly what it created (also on failure: an EXIT trap).
#
#   ${PFX}fab     routed fabric (IP forwarding), to-h1 / to-h2 towards the hosts
#   ${PFX}h1      uplink up0 198.51.100.2/30 (fabric .1), VTEP 192.0.2.1 on lo
#   ${PFX}h2      uplink up0 198.51.100.6/30 (fabric .5), VTEP 192.0.2.2 on lo
#   ${PFX}wHI     workload I on host H: eth0 (10.1.0.HI/16, MAC 02:00:00:00:00:HI,
#                 default route via 10.1.255.254) <-> wI in ${PFX}hH
#
# Each host gets its own bpffs, mounted in the root mount namespace at
# $R/${PFX}hH/bpf, and vtepd runs as `nsenter --net=/run/netns/${PFX}hH vtepd`:
# `ip netns exec` would remount /sys privately and hide the pins (DESIGN.md,
# kernel facts). Processes are tracked by pid, never by name.
#
# Most scenarios start with two_hosts: this topology, the standard config on
# both hosts and vtepd on both.
#
# Sourced with PFX (vt-), R (/run/vtepd-test) and LOGDIR preset if wanted.
# Every wait polls a condition against a deadline; nothing sleeps blindly.

set -u
set -o pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
VTEPD=${VTEPD:-$TOP/build/vtepd}
VTEPCTL=${VTEPCTL:-$TOP/build/vtepctl}
NETPKT=$TOP/tests/net/netpkt.py
PY=${PY:-/usr/bin/python3}
PFX=${PFX:-vt-}
R=${R:-/run/vtepd-test}
UPLINK_ATTACH=${UPLINK_ATTACH:-auto}
VTEPD_ARGS=${VTEPD_ARGS:-}
METRICS=${METRICS:-null}   # JSON value of the config's "metrics" key
# vtepd runs with exactly the capabilities dist/vtepd.service grants (so the
# tests prove that set is enough); VTEPD_CAPS= (empty) runs it as plain root.
VTEPD_CAPS=${VTEPD_CAPS-+bpf,+net_admin,+perfmon,+sys_admin,+net_bind_service}

GW_IP=10.1.255.254
GW_MAC=02:00:00:00:01:00
FAB=${PFX}fab

SCEN=${SCEN:-$(basename "$0" .sh)}
LOGDIR=${LOGDIR:-$TOP/build/net-logs/$SCEN}
LOG=$LOGDIR/commands.log

NS_CREATED=()     # namespaces, in creation order
MOUNTS=()         # bpffs mount points
DIRS=()           # directories we made under $R
HELPERS=()        # pids of background helpers (tcpdump, iperf3, python)
declare -A VTEPD_PID=()
PASSES=0
FAILS=0
SKIPS=0

# ---------------------------------------------------------------- naming

ns_of()     { echo "${PFX}$1"; }                 # h1 -> vt-h1, w11 -> vt-w11
hostdir()   { echo "$R/${PFX}$1"; }
bpffs_of()  { echo "$(hostdir "$1")/bpf/vtepd"; }
sock_of()   { echo "$(hostdir "$1")/vtepd.sock"; }
cfg_of()    { echo "$(hostdir "$1")/vtepd.json"; }
vtep_ip()   { echo "192.0.2.${1#h}"; }           # h1 -> 192.0.2.1
uplink_ip() { [ "$1" = h1 ] && echo 198.51.100.2 || echo 198.51.100.6; }
fab_ip()    { [ "$1" = h1 ] && echo 198.51.100.1 || echo 198.51.100.5; }
wl_ip()     { echo "10.1.0.$1"; }                # 11 -> 10.1.0.11
wl_mac()    { echo "02:00:00:00:00:$1"; }
other()     { [ "$1" = h1 ] && echo h2 || echo h1; }

# ---------------------------------------------------------------- running

# nx NS CMD...: run CMD in namespace NS (network namespace only).
nx() { local ns=$1; shift; nsenter --net="/run/netns/$ns" -- "$@"; }
# vt H ARGS...: vtepctl for host H.
vt() { local h=$1; shift; nx "$(ns_of "$h")" "$VTEPCTL" -s "$(sock_of "$h")" -b "$(bpffs_of "$h")" "$@"; }
# stat_of H NAME: one counter from `vtepctl -j stats` (0 when unreadable).
stat_of() { local v; v=$(vt "$1" -j stats 2>/dev/null | jq -r ".$2 // 0" 2>/dev/null); echo "${v:-0}"; }
# counter_gt H NAME N: the counter is above N (shows the value for the log).
counter_gt() { local v; v=$(stat_of "$1" "$2"); echo "$1 $2 = $v (before: $3)"; [ "$v" -gt "$3" ]; }

# fd 3 is the script's own stdout: PASS/FAIL lines go there even from inside
# a check, whose command output is captured. Background processes get it (and
# the lock's fd 9) closed, so a daemon never holds the caller's pipe open.
exec 3>&1
say() { echo "$*" >>"$LOG"; echo "$*" >&3; }
# run CMD...: a setup step; its output goes to the log; failure aborts the test.
run() {
	echo "+ $*" >>"$LOG"
	"$@" >>"$LOG" 2>&1 || die "setup step failed: $*"
}
die() {
	FAILS=$((FAILS + 1))
	say "FAIL $SCEN: $*"
	exit 1
}

# wait_until SECONDS CMD...: poll CMD every 100 ms until it succeeds.
wait_until() {
	local deadline=$((SECONDS + $1)); shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.1
	done
}

# matches GREP-ARGS...: `grep -q` for the end of a pipeline. Under pipefail
# `cmd | grep -q` is racy: grep leaves at its first match, the writer's next
# write (ip and tee write a line at a time) dies of SIGPIPE, and the pipeline
# fails although the line was there. This reads all of stdin first.
matches() {
	local in
	in=$(cat) || return 1
	grep -q "$@" <<<"$in"
}

# check NAME CMD...: one PASS/FAIL line. CMD runs in this shell (not a
# subshell: it may start, stop and wait for processes); its output goes to the
# log and, on failure, its last lines are shown under the FAIL line.
check() {
	local name=$1; shift
	local out=$LOGDIR/.check.out rc
	echo "+ [$name] $*" >>"$LOG"
	"$@" >"$out" 2>&1; rc=$?
	cat "$out" >>"$LOG"
	if [ $rc -eq 0 ]; then
		PASSES=$((PASSES + 1)); say "PASS $SCEN: $name"
	else
		FAILS=$((FAILS + 1)); say "FAIL $SCEN: $name"
		tail -n 8 "$out" | sed 's/^/    | /'
	fi
	rm -f "$out"
	return $rc
}
# skip NAME REASON: one SKIP line, for checks this kernel cannot run (said
# where PASS/FAIL lines go; tests/net/run.sh counts them apart). A skip is
# neither a pass nor a failure, and always says why.
skip() {
	SKIPS=$((SKIPS + 1))
	say "SKIP $SCEN $1: $2"
}

# xdp_unavailable: why vtepd's XDP uplink cannot run on this kernel, or
# nothing when it can; from `vtepd --probe -j` (the kernel loads the XDP
# half or says why not: .xdp_program is "loaded" or the reason), with the
# verifier's note on the XDP capabilities vtepd found missing. Run once per
# scenario run: cached in $LOGDIR, which net_begin empties. With
# --test-features in VTEPD_ARGS the probe honours VTEPD_TEST_FEATURES as
# vtepd will (a test can force the skip on any kernel). Fails (status 1,
# nothing printed) when the probe gives no answer: a broken probe must fail
# the scenario, never turn it into a skip.
xdp_unavailable() {
	local cache=$LOGDIR/.xdp-unavailable out args=()
	if [ ! -f "$cache" ]; then
		[[ " $VTEPD_ARGS " == *" --test-features "* ]] && args+=(--test-features)
		echo "+ $VTEPD --probe -j ${args[*]}" >>"$LOG"
		out=$("$VTEPD" --probe -j "${args[@]}" 2>>"$LOG") &&
			printf '%s\n' "$out" >>"$LOG" &&
			out=$(printf '%s' "$out" | jq -er '.xdp_program as $x
				| if ($x | type) != "string" then error("no .xdp_program")
				  elif $x == "loaded" then ""
				  else $x + ([.feature_notes // {} | to_entries[]
					| select(.key | startswith("xdp")) | " (\(.key): \(.value))"] | join(""))
				  end' 2>>"$LOG") ||
			{ echo "xdp_unavailable: no answer from $VTEPD --probe -j" >>"$LOG"; return 1; }
		printf '%s' "$out" >"$cache"
	fi
	cat "$cache"
}

# skip_mode MODE: for scenarios that loop over uplink modes. Succeeds (and
# prints the SKIP line) when MODE cannot run on this kernel, so the loop
# goes on with `skip_mode "$mode" && continue`. Only "xdp" can be
# unavailable: "auto" and "tc" run everywhere vtepd runs.
skip_mode() {
	local why
	[ "$1" = xdp ] || return 1
	why=$(xdp_unavailable) || die "cannot tell whether the XDP uplink runs here (vtepd --probe -j)"
	[ -n "$why" ] || return 1
	skip "[$1]" "$why"
}

# check_until NAME SECONDS CMD...: a check that may take a while to come true:
# polls CMD until it succeeds or the deadline passes, then checks it once more.
check_until() {
	local name=$1 secs=$2; shift 2
	wait_until "$secs" "$@"
	check "$name" "$@"
}

# ---------------------------------------------------------------- lifecycle

net_begin() {
	[ "$(id -u)" -eq 0 ] || { echo "FAIL $SCEN: needs root"; exit 1; }
	for b in "$VTEPD" "$VTEPCTL"; do
		[ -x "$b" ] || { echo "FAIL $SCEN: $b not built (make)"; exit 1; }
	done
	mkdir -p "$LOGDIR"
	# One scenario at a time: they share the ${PFX} names. fd 9 is closed
	# for every process we start, so only this shell holds the lock.
	mkdir -p /run/lock
	exec 9>"/run/lock/vtepd-test-${PFX%-}.lock"
	flock -w 300 9 || { echo "FAIL $SCEN: another network test holds /run/lock/vtepd-test-${PFX%-}.lock"; exit 1; }
	find "$LOGDIR" -mindepth 1 -maxdepth 1 -type f -delete   # the previous run's logs
	: >"$LOG"
	trap net_cleanup EXIT
	trap 'exit 143' TERM INT
	stale_cleanup
	mkdir -p "$R"
}

# A previous run that was killed hard may have left our prefix's state behind:
# remove it by name and recorded pid before building anything.
stale_cleanup() {
	local f pid ns m
	for f in "$R"/*/vtepd.pid "$R"/*.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		[ "$(cat /proc/"$pid"/comm 2>/dev/null)" = vtepd ] && kill -9 "$pid" 2>/dev/null
	done
	for ns in /run/netns/"${PFX}"*; do
		[ -e "$ns" ] && ip netns del "${ns##*/}" 2>/dev/null
	done
	for m in "$R"/*/bpf; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
	[ -d "$R" ] && rm -rf "$R"
	return 0
}

# stop_pid PID [SECONDS]: TERM, wait for it to go, then KILL.
stop_pid() {
	local pid=$1 secs=${2:-5}
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -TERM "$pid" 2>/dev/null
	wait_until "$secs" sh -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# topo_down: stop what runs and remove what was built, in reverse order.
topo_down() {
	local pid h i m
	for pid in "${HELPERS[@]}"; do stop_pid "$pid" 2; done
	for h in "${!VTEPD_PID[@]}"; do stop_pid "${VTEPD_PID[$h]}" 5; done
	for ((i = ${#NS_CREATED[@]} - 1; i >= 0; i--)); do
		ip netns del "${NS_CREATED[$i]}" 2>/dev/null
	done
	for m in "${MOUNTS[@]}"; do mountpoint -q "$m" && umount "$m"; done
	for ((i = ${#DIRS[@]} - 1; i >= 0; i--)); do rm -rf "${DIRS[$i]}"; done
	HELPERS=(); NS_CREATED=(); MOUNTS=(); DIRS=(); VTEPD_PID=()
	return 0
}

net_cleanup() {
	local rc=$? h
	trap - EXIT
	if [ $FAILS -gt 0 ]; then
		for h in h1 h2; do
			[ -s "$LOGDIR/vtepd-$h.log" ] || continue
			[ -d "$(bpffs_of "$h")" ] &&
				echo "    -- vtepctl stats on $h: $(vt "$h" stats 2>&1 | awk 'NR > 1 {printf "%s=%s ", $1, $2}')"
			echo "    -- last lines of $LOGDIR/vtepd-$h.log"
			tail -n 15 "$LOGDIR/vtepd-$h.log" | sed 's/^/    | /'
		done
	fi
	topo_down
	rmdir "$R" 2>/dev/null
	if [ $FAILS -eq 0 ] && [ $rc -eq 0 ]; then
		echo "$SCEN: $PASSES passed, $FAILS failed, $SKIPS skipped"
		exit 0
	fi
	echo "$SCEN: $PASSES passed, $FAILS failed, $SKIPS skipped (logs: $LOGDIR)"
	exit 1
}

# bg NAME CMD...: start a helper in the background, record its pid in $BG.
# `nx NS` is spelled out so that $BG is the helper's own pid (nsenter execs
# it), not a subshell's: killing the pid then ends the helper itself.
bg() {
	local name=$1; shift
	[ "$1" = nx ] && set -- nsenter --net="/run/netns/$2" -- "${@:3}"
	echo "+ & $*" >>"$LOG"
	"$@" >"$LOGDIR/$name.out" 2>"$LOGDIR/$name.err" 3>&- 9>&- &
	BG=$!
	HELPERS+=("$BG")
}
# bg_wait PID SECONDS: wait for a helper to exit; its status, or 124 on timeout.
bg_wait() {
	local pid=$1
	wait_until "$2" sh -c "! kill -0 $pid 2>/dev/null" || { stop_pid "$pid" 1; return 124; }
	wait "$pid"
}

# ---------------------------------------------------------------- topology

ns_add() {
	local ns=$1
	run ip netns add "$ns"
	NS_CREATED+=("$ns")
	# No IPv6: its router/neighbour solicitations would be noise in captures
	# and counters; vtepd handles IPv4 only.
	run nx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	run ip -n "$ns" link set lo up
}

topo_fabric() {
	ns_add "$FAB"
	run nx "$FAB" sysctl -qw net.ipv4.ip_forward=1
}

# topo_host H: the host namespace, its uplink to the fabric and its VTEP IP.
topo_host() {
	local h=$1 ns d
	ns=$(ns_of "$h"); d=$(hostdir "$h")
	ns_add "$ns"
	run ip -n "$ns" addr add "$(vtep_ip "$h")/32" dev lo
	run ip -n "$ns" link add up0 type veth peer name "to-$h" netns "$FAB"
	run ip -n "$ns" addr add "$(uplink_ip "$h")/30" dev up0
	run ip -n "$ns" link set up0 up
	run ip -n "$FAB" addr add "$(fab_ip "$h")/30" dev "to-$h"
	run ip -n "$FAB" link set "to-$h" up
	run ip -n "$ns" route add 192.0.2.0/24 via "$(fab_ip "$h")"
	run ip -n "$FAB" route add "$(vtep_ip "$h")/32" via "$(uplink_ip "$h")"
	run mkdir -p "$d/bpf" "$d/state"
	DIRS+=("$d")
	run mount -t bpf bpf "$d/bpf"
	MOUNTS+=("$d/bpf")
}

# topo_workload H I [IFNAME]: workload HI on host H behind host-side veth wI.
topo_workload() {
	local h=$1 i=$2 ifname=${3:-w$2} hi=${1#h}$2 ns
	ns=$(ns_of "w$hi")
	ns_add "$ns"
	run ip -n "$(ns_of "$h")" link add "$ifname" type veth peer name eth0 netns "$ns"
	run ip -n "$ns" link set eth0 address "$(wl_mac "$hi")"
	run ip -n "$ns" addr add "$(wl_ip "$hi")/16" dev eth0
	run ip -n "$ns" link set eth0 up
	run ip -n "$ns" route add default via "$GW_IP"
	run ip -n "$(ns_of "$h")" link set "$ifname" up
}

# topo_base: fabric, both hosts, workloads 11 12 21 22.
topo_base() {
	topo_fabric
	topo_host h1
	topo_host h2
	topo_workload h1 1
	topo_workload h1 2
	topo_workload h2 1
	topo_workload h2 2
}

# ---------------------------------------------------------------- config

port_j()  { jq -nc --arg i "$1" --arg ip "$2" --arg m "$3" '{ifname: $i, vni: 100, ip: $ip, mac: $m}'; }
route_j() { jq -nc --arg p "$1/32" --arg v "$2" --arg m "$3" '{vni: 100, prefix: $p, vtep: $v, mac: $m}'; }
# std_ports H: the host's two workload ports; std_routes H: the other host's two.
std_ports()  { local n=${1#h}; port_j w1 "$(wl_ip "${n}1")" "$(wl_mac "${n}1")"; port_j w2 "$(wl_ip "${n}2")" "$(wl_mac "${n}2")"; }
std_routes() {
	local o; o=$(other "$1"); o=${o#h}
	route_j "$(wl_ip "${o}1")" "192.0.2.$o" "$(wl_mac "${o}1")"
	route_j "$(wl_ip "${o}2")" "192.0.2.$o" "$(wl_mac "${o}2")"
}

# write_config H PORTS ROUTES [ARP_REPLY] [ATTACH]: PORTS and ROUTES are
# newline-separated JSON objects (port_j / route_j output).
write_config() {
	local h=$1 ports=$2 routes=$3 arp=${4:-gateway} attach=${5:-$UPLINK_ATTACH}
	jq -n --arg ip "$(vtep_ip "$h")" --arg attach "$attach" --arg bpffs "$(bpffs_of "$h")" \
		--arg sock "$(sock_of "$h")" --arg state "$(hostdir "$h")/state" \
		--arg gw "$GW_IP" --arg gwmac "$GW_MAC" --arg arp "$arp" --argjson metrics "$METRICS" \
		--argjson ports "$(printf '%s\n' "$ports" | jq -s 'map(select(. != null))')" \
		--argjson routes "$(printf '%s\n' "$routes" | jq -s 'map(select(. != null))')" '{
	vtep: { ip: $ip, uplink: "up0", uplink_attach: $attach },
	bpffs: $bpffs,
	control_socket: $sock,
	state_dir: $state,
	metrics: $metrics,
	limits: { routes: 4096, fdb: 4096, ports: 64 },
	vnis: [ { vni: 100, subnet: "10.1.0.0/16", gateway_ip: $gw, gateway_mac: $gwmac,
	          route_target: "auto", arp_reply: $arp } ],
	ports: $ports,
	routes: $routes
}' >"$(cfg_of "$h")" || die "cannot write $(cfg_of "$h")"
}
std_config() { write_config "$1" "$(std_ports "$1")" "$(std_routes "$1")" "${2:-gateway}" "${3:-$UPLINK_ATTACH}"; }

# ---------------------------------------------------------------- vtepd

# vtepd_argv H: sets VARGV to the command that runs vtepd in host H's
# namespace with $VTEPD_CAPS only. nsenter and setpriv both exec, so a
# background job started from it has vtepd's own pid.
vtepd_argv() {
	VARGV=(nsenter --net="/run/netns/$(ns_of "$1")" --)
	[ -n "$VTEPD_CAPS" ] && VARGV+=(setpriv "--bounding-set=-all,$VTEPD_CAPS" --inh-caps=-all)
	VARGV+=("$VTEPD")
}
# vtepd_run H ARGS...: run vtepd in the foreground (--cleanup).
vtepd_run() { local h=$1; shift; vtepd_argv "$h"; "${VARGV[@]}" "$@"; }

vtepd_ready() { local h=$1; [ -S "$(sock_of "$h")" ] && vt "$h" -j ports >/dev/null 2>&1; }

# vtepd_start H: start vtepd for host H, wait until vtepctl gets answers.
vtepd_start() {
	local h=$1 pid log=$LOGDIR/vtepd-$1.log
	echo "+ [caps ${VTEPD_CAPS:-all}] nsenter --net=/run/netns/$(ns_of "$h") $VTEPD $VTEPD_ARGS -c $(cfg_of "$h")" >>"$LOG"
	echo "=== start $(date +%T.%N)" >>"$log"
	vtepd_argv "$h"
	# shellcheck disable=SC2086 # VTEPD_ARGS is a word list (-v)
	"${VARGV[@]}" $VTEPD_ARGS -c "$(cfg_of "$h")" >>"$log" 2>&1 3>&- 9>&- </dev/null &
	pid=$!
	VTEPD_PID[$h]=$pid
	echo "$pid" >"$(hostdir "$h")/vtepd.pid"
	local deadline=$((SECONDS + 15))
	until vtepd_ready "$h"; do
		kill -0 "$pid" 2>/dev/null || { wait "$pid"; die "vtepd on $h exited (status $?) before it was ready: $(tail -n 3 "$log" | tr '\n' ' ')"; }
		[ $SECONDS -ge $deadline ] && die "vtepd on $h not ready after 15 s"
		sleep 0.1
	done
}
vtepd_stop() {
	local h=$1
	[ -n "${VTEPD_PID[$h]:-}" ] || return 0
	stop_pid "${VTEPD_PID[$h]}" 5
	unset "VTEPD_PID[$h]"
}
vtepd_kill9() {
	local h=$1 pid=${VTEPD_PID[$1]}
	kill -9 "$pid"
	wait "$pid" 2>/dev/null
	unset "VTEPD_PID[$h]"
}

# two_hosts [ARP_H1 [ARP_H2 [ATTACH]]]: what most scenarios start from: the
# topology of topo_base, the standard config on each host (std_config: its
# two workloads as ports, the other host's two as static routes) with
# arp_reply ARP_H1 on h1 and ARP_H2 on h2 ("gateway" unless given) and
# uplink_attach ATTACH ($UPLINK_ATTACH unless given), and vtepd started on
# h1, then h2.
two_hosts() {
	local attach=${3:-$UPLINK_ATTACH}
	topo_base
	std_config h1 "${1:-gateway}" "$attach"
	std_config h2 "${2:-gateway}" "$attach"
	vtepd_start h1
	vtepd_start h2
}

# ---------------------------------------------------------------- traffic

# ping_ok NS DST [COUNT]: every echo answered (ping -w makes a loss fail).
ping_ok() { nx "$1" ping -n -q -c "${3:-3}" -i 0.2 -w 5 "$2"; }
# neigh_mac NS IP: the MAC the namespace's ARP cache holds for IP.
neigh_mac() { nx "$1" ip neigh show "$2" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i+1)}'; }

# cap_start NAME NS IFACE FILTER: tcpdump into $LOGDIR/NAME.pcap; waits until
# it is listening. cap_stop PID flushes and ends it.
cap_start() {
	local name=$1 ns=$2 ifc=$3 filter=$4
	bg "$name" nx "$ns" tcpdump -n -U -i "$ifc" -w "$LOGDIR/$name.pcap" "$filter"
	# shellcheck disable=SC2034 # CAP is read by the scenarios
	CAP=$BG
	wait_until 10 grep -q "listening on" "$LOGDIR/$name.err" || die "tcpdump $name did not start"
}
cap_stop() { kill -INT "$1" 2>/dev/null; bg_wait "$1" 5 >/dev/null; return 0; }
# pcap_json NAME: the capture as a JSON array of decoded frames (netpkt.py pcap).
pcap_json() { "$PY" "$NETPKT" pcap "$LOGDIR/$1.pcap" | jq -s .; }
# pcap_has NAME N: the capture holds at least N frames so far.
pcap_has() { [ "$("$PY" "$NETPKT" pcap "$LOGDIR/$1.pcap" | wc -l)" -ge "$2" ]; }
# jq_true JSON FILTER: the filter yields true on the given JSON text.
jq_true() { printf '%s' "$1" | jq -e "$2" >/dev/null; }
