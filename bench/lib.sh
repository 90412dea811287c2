# lib.sh - shared by the bench scripts (sourced, not run).
#
# Network namespaces named bn-*, one bpffs per simulated host under
# /run/vtepd-bench/<host> mounted in the root mount namespace (DESIGN.md: `ip
# netns exec` would hide it), vtepd started with `nsenter --net` and its pid
# recorded. bn_cleanup removes exactly what this file created, by name and
# recorded pid, and is safe to call twice.
#
# Needs: ROOT (the project root), OUT (the output directory).

# BN_PFX / BN_RUN may be set before sourcing: the ingestion, TCP and
# mobility scripts use bn2-* and /run/vtepd-bench2, so they never meet the
# forwarding and cost runs' namespaces.
BN_PFX=${BN_PFX:-bn}
BN_RUN=${BN_RUN:-/run/vtepd-bench}
BN_BUILD=${BUILD:-$ROOT/build}
BN_GEN=$BN_BUILD/bench/gen
BN_FILL=$BN_BUILD/bench/fill
BN_MEMLAT=$BN_BUILD/bench/memlat
BN_FLOORLOAD=$BN_BUILD/bench/floorload
BN_KCOUNT=$BN_BUILD/bench/kcount
BN_VTEPD=$BN_BUILD/vtepd
BN_NS_ALL=${BN_NS_ALL:-"$BN_PFX-h1 $BN_PFX-h2 $BN_PFX-w1 $BN_PFX-w2 $BN_PFX-wf $BN_PFX-fab"}
BN_PIDS=()          # vtepd pids we started
BN_CFGS=()          # their config files, for --cleanup
BN_MOUNTS=()        # bpffs mounts we made
BN_STATS_OLD=       # kernel.bpf_stats_enabled before we touched it
BN_NAPI_PIDS=()     # NAPI threads bn_napi_pin bound (they end with their device)

# Fixed addresses: everything is crafted by the generator, so the MACs are
# set rather than learned.
GW_IP=10.0.0.1
GW_MAC=02:00:00:00:01:00
W1_IP=10.1.0.1;  W1_MAC=02:00:00:00:01:01
W2_IP=10.1.0.2;  W2_MAC=02:00:00:00:01:02
WF_IP=10.1.0.15; WF_MAC=02:00:00:00:01:0f
R_IP=10.2.0.1;   R_MAC=02:00:00:00:02:01   # the configured remote workload
VTEP1=192.0.2.1; VTEP2=192.0.2.2
U1_IP=172.31.0.1; U2_IP=172.31.0.2
U1_MAC=02:00:00:00:0e:01; U2_MAC=02:00:00:00:0e:02
FILL_BASE=10.16.0.0   # bench/fill's default base: routes 10.16.0.0 + i
VNI=100
# IPv6 twins of the above (VNI subnet6 2001:db8::/32): the IPv6 paths.
GW_IP6=2001:db8::1
W1_IP6=2001:db8:1::1; W2_IP6=2001:db8:1::2
R_IP6=2001:db8:2::1
FILL_BASE6=2001:db8:16::   # bench/fill --ipv6's default base6

bn_log() { printf 'bench: %s\n' "$*" >&2; }
bn_die() { bn_log "error: $*"; exit 1; }

# Runs a command in a host namespace without remounting /sys (so bpffs pins
# under /run/vtepd-bench stay visible).
bn_in() { local ns=$1; shift; nsenter --net=/run/netns/"$ns" "$@"; }

bn_ns_add() {
	ip netns add "$1" || return 1
	ip -n "$1" link set lo up
	# No IPv6: router solicitations and DAD would hit the datapath and
	# blur the counter checks.
	bn_in "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	bn_in "$1" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
}

# bn_veth NS_A NAME_A NS_B NAME_B [MAC_A [MAC_B]]
bn_veth() {
	ip -n "$1" link add "$2" ${5:+address $5} type veth peer name "$4" netns "$3" \
		${6:+address $6} || return 1
	ip -n "$1" link set "$2" up && ip -n "$3" link set "$4" up
}

bn_ifindex() { ip -n "$1" -j link show dev "$2" | jq '.[0].ifindex'; }
bn_ifmac() { ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'; }
bn_rx_packets() { ip -n "$1" -s -j link show dev "$2" | jq '.[0].stats64.rx.packets'; }

# XDP_PASS on a veth end so frames XDP-redirected into its peer arrive.
bn_xdp_pass() { ip -n "$1" link set dev "$2" xdpdrv obj "$BN_BUILD/bench/pass.bpf.o" sec xdp; }
bn_xdp_off() { ip -n "$1" link set dev "$2" xdpdrv off 2>/dev/null; true; }

# The generator's sending mode on this kernel: live (XDP live frames) or xsk
# (AF_XDP; the kernel refuses live frames). See bench/xsk_tx.h.
bn_gen_mode() { "$BN_GEN" --probe; }

# bn_napi_pin NS DEV CPU: DEV's NAPI (it has one once XDP is attached) in
# its own kernel thread (sysfs "threaded", net/core/dev.c napi_threaded_poll),
# bound to CPU. With the AF_XDP generator on another CPU, everything the
# receiving path does then runs on CPU: the veth ring is drained there in
# NAPI batches, and the rest of the path follows from that thread's softirq.
# The thread is named napi/DEV-<napi id> (dev.c napi_kthread_create); threads
# of that name which appear when threaded mode is switched on are ours. They
# end with the device.
bn_napi_pin() {
	local ns=$1 dev=$2 cpu=$3 before after pid n=0
	before=$(pgrep -x "napi/$dev-[0-9]+" | sort)
	ip netns exec "$ns" sh -c "echo 1 > /sys/class/net/$dev/threaded" || return 1
	after=$(pgrep -x "napi/$dev-[0-9]+" | sort)
	for pid in $(comm -13 <(echo "$before") <(echo "$after")); do
		taskset -pc "$cpu" "$pid" >/dev/null || return 1
		BN_NAPI_PIDS+=("$pid")
		n=$((n + 1))
	done
	[ "$n" -gt 0 ] || { bn_log "no new NAPI thread for $ns/$dev"; return 1; }
}

# CPU time (ns) the pinned NAPI threads and CPU 0's ksoftirqd have run, from
# /proc/PID/schedstat: the softirq work a thread runs at local_bh_enable()
# counts as its own time (no CONFIG_IRQ_TIME_ACCOUNTING here), and what is
# deferred goes to ksoftirqd. Divided by the packets, the path's CPU cost,
# whatever share of the CPU other jobs took meanwhile.
bn_path_cpu_ns() {
	local pid t=0 k
	k=$(pgrep -x 'ksoftirqd/0' | head -1)
	for pid in "${BN_NAPI_PIDS[@]}" $k; do
		t=$((t + $(awk '{print $1}' "/proc/$pid/schedstat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}

# bn_tc NS DEV OBJ: OBJ (floor or sink) on DEV's clsact ingress.
bn_tc() {
	bn_in "$1" tc qdisc replace dev "$2" clsact &&
	bn_in "$1" tc filter replace dev "$2" ingress pref 1 handle 1 bpf da \
		obj "$BN_BUILD/bench/$3.bpf.o" sec tc
}

# Program ids attached on a device: bn_prog_id NS DEV xdp|tc
bn_prog_id() {
	if [ "$3" = xdp ]; then
		bn_in "$1" bpftool -j net show dev "$2" | jq -r '[.[0].xdp[]?.id] | first // empty'
	else
		bn_in "$1" bpftool -j net show dev "$2" |
			jq -r '[.[0].tc[]? | select(.kind == "clsact/ingress") | .id] | first // empty'
	fi
}

# One JSON object {id: {name, run_time_ns, run_cnt}} for the given ids.
bn_prog_stats() {
	local list=("$@")
	bpftool -j prog show | jq -c --argjson ids "[$(IFS=,; echo "${list[*]}")]" '
		map(select(.id as $i | $ids | index($i))) |
		map({key: (.id | tostring), value: {name, run_time_ns: (.run_time_ns // 0),
		     run_cnt: (.run_cnt // 0)}}) | from_entries'
}

# Datapath counters summed over CPUs: {name: value}. vtepctl reads them from
# the pins (DESIGN.md: map dumps work with vtepd down); bpftool's BTF view is
# the fallback.
bn_counters() {
	local c
	if [ -x "$BN_BUILD/vtepctl" ] && c=$("$BN_BUILD/vtepctl" -b "$1" -j stats 2>/dev/null) &&
		jq -e 'type == "object"' <<<"$c" >/dev/null 2>&1; then
		echo "$c"
		return 0
	fi
	bpftool -j map dump pinned "$1/vtep_stats" | jq -c '
		.[0].formatted.values | map(.value) |
		reduce .[] as $c ({}; reduce ($c | to_entries[]) as $e (.; .[$e.key] += $e.value))'
}

# kernel.bpf_stats_enabled is global: remember the value we found, and
# bn_cleanup puts it back.
bn_stats_set() {
	[ -n "$BN_STATS_OLD" ] || BN_STATS_OLD=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled="$1"
}

bn_bpffs() {
	local d=$BN_RUN/$1
	mkdir -p "$d" || return 1
	if ! mountpoint -q "$d"; then
		mount -t bpf bpf "$d" || return 1
		BN_MOUNTS+=("$d")
	fi
}

# bn_vtepd_start HOST CFG: starts vtepd in bn-HOST, waits (10 s deadline)
# until it has attached its port and uplink programs.
bn_vtepd_start() {
	local host=$1 cfg=$2 log=$OUT/vtepd-$1.log pid i
	[ -x "$BN_VTEPD" ] || bn_die "no $BN_VTEPD (make all)"
	# nsenter execs vtepd: $! is vtepd itself (a function here would
	# leave $! naming a subshell and vtepd orphaned at kill time).
	nsenter --net=/run/netns/"$BN_PFX-$host" "$BN_VTEPD" -c "$cfg" >"$log" 2>&1 &
	pid=$!
	BN_PIDS+=("$pid")
	BN_CFGS+=("$host:$cfg")
	for ((i = 0; i < 100; i++)); do
		if [ -e "$BN_RUN/$host/vtep_stats" ] && bn_in "$BN_PFX-$host" bpftool -j net show |
			jq -e '[.[0].tc[]?.name // empty | select(startswith("vtep_uplink"))] | length > 0' \
			>/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; bn_die "vtepd $host exited"; }
		sleep 0.1
	done
	cat "$log" >&2
	bn_die "vtepd $host did not attach within 10 s"
}

# bn_xdp_refusal [VTEPD]: empty when the XDP uplink program loads on this
# kernel (`vtepd --probe -j`: .xdp_program == "loaded"), else why not (the
# probe's own words). Probed once per binary; the probe pins nothing.
declare -A BN_XDP_WHY=()
bn_xdp_refusal() {
	local bin=${1:-$BN_VTEPD} j
	if [ -z "${BN_XDP_WHY[$bin]+set}" ]; then
		if j=$("$bin" --probe -j 2>/dev/null) &&
			jq -e 'has("xdp_program")' <<<"$j" >/dev/null 2>&1; then
			BN_XDP_WHY[$bin]=$(jq -r 'if .xdp_program == "loaded" then ""
				else "XDP uplink program \(.xdp_program)" end' <<<"$j")
		else
			BN_XDP_WHY[$bin]="vtepd --probe -j gave no answer"
		fi
	fi
	printf '%s' "${BN_XDP_WHY[$bin]}"
}

# bn_uplinks HOST...: what each vtepd chose for its uplink, from `vtepctl -j
# status` on its control socket: {HOST: {ifname, mode, generic, reason}}.
# A host whose vtepd does not answer gets {mode: null, reason: "..."}.
bn_uplinks() {
	local h s i out='{}'
	for h in "$@"; do
		# The control socket may open a moment after the programs attach:
		# up to 5 s.
		for ((i = 0; i < 50; i++)); do
			s=$("$BN_BUILD/vtepctl" -s "$BN_RUN/$h.sock" -j status 2>/dev/null) &&
				jq -e '.uplinks | type == "array"' <<<"$s" >/dev/null 2>&1 && break
			s=
			sleep 0.1
		done
		[ -n "$s" ] ||
			s='{"uplinks": [{"mode": null, "reason": "vtepctl status gave no answer"}]}'
		out=$(jq -c --arg h "$h" --argjson s "$s" \
			'.[$h] = ($s.uplinks[0] // {mode: null, reason: "no uplink"} |
			  {ifname, mode, generic, reason})' <<<"$out")
	done
	echo "$out"
}

# bn_uplink_mode UPLINKS_JSON: the one mode of all hosts ("tc", "xdp",
# "xdp-generic"), or "mixed".
bn_uplink_mode() {
	jq -r '[.[] | (.mode // "unknown") + (if .generic then "-generic" else "" end)] | unique |
		if length == 1 then .[0] else "mixed" end' <<<"$1"
}

# Is every vtepd we started still running? Logs the ones that are not: the
# datapath keeps working without the agent (programs and pins stay), so the
# figures are still the datapath's, but the report should say so.
bn_vtepd_alive() {
	local pid ok=0
	for pid in "${BN_PIDS[@]}"; do
		kill -0 "$pid" 2>/dev/null || { bn_log "warning: vtepd pid $pid is not running"; ok=1; }
	done
	return $ok
}

# Waits until a port has been attached (its tc program present).
bn_wait_tc() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ -n "$(bn_prog_id "$1" "$2" tc)" ] && return 0
		sleep 0.1
	done
	bn_die "no tc program on $1/$2 within 10 s"
}

bn_vtepd_stop_all() {
	local pid hc host cfg i
	for pid in "${BN_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || continue
		# Up to 5 s to exit (a zombie counts as gone: wait reaps it).
		for ((i = 0; i < 50; i++)); do
			[[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) =~ ^(Z|X|)$ ]] && break
			sleep 0.1
		done
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	BN_PIDS=()
	for hc in "${BN_CFGS[@]}"; do
		host=${hc%%:*}; cfg=${hc#*:}
		[ -e "/run/netns/$BN_PFX-$host" ] &&
			bn_in "$BN_PFX-$host" "$BN_VTEPD" --cleanup -c "$cfg" >/dev/null 2>&1
	done
	BN_CFGS=()
}

bn_cleanup() {
	local ns d
	bn_vtepd_stop_all
	for ns in $BN_NS_ALL; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns"
	done
	BN_NAPI_PIDS=()
	for d in "${BN_MOUNTS[@]}"; do
		umount "$d" 2>/dev/null && rmdir "$d" 2>/dev/null
	done
	BN_MOUNTS=()
	rm -rf "$BN_RUN"/*-state "$BN_RUN"/*.sock "$BN_RUN"/*.json 2>/dev/null
	rmdir "$BN_RUN" 2>/dev/null
	if [ -n "$BN_STATS_OLD" ]; then
		sysctl -qw kernel.bpf_stats_enabled="$BN_STATS_OLD"
		BN_STATS_OLD=
	fi
	true
}

# bn_vtepd_cfg HOST VTEP_IP UPLINK ATTACH PORTS_JSON ROUTES_JSON > file
bn_vtepd_cfg() {
	jq -n --arg host "$1" --arg ip "$2" --arg up "$3" --arg attach "$4" \
		--argjson ports "$5" --argjson routes "$6" --arg run "$BN_RUN" \
		--arg gwip "$GW_IP" --arg gwmac "$GW_MAC" --argjson vni "$VNI" --arg gwip6 "$GW_IP6" '{
		vtep: {ip: $ip, uplink: $up, uplink_attach: $attach},
		bpffs: "\($run)/\($host)",
		control_socket: "\($run)/\($host).sock",
		state_dir: "\($run)/\($host)-state",
		metrics: null,
		vnis: [{vni: $vni, subnet: "10.0.0.0/8", gateway_ip: $gwip, gateway_mac: $gwmac,
			subnet6: "2001:db8::/32", gateway_ip6: $gwip6}],
		ports: $ports,
		routes: $routes
	}'
}

# The 1-minute load average now: other jobs on a shared machine move every
# rate, so each fwd and tcp record says how busy the machine was.
bn_loadavg() { cut -d' ' -f1 /proc/loadavg; }

# Host/machine facts for the report.
bn_meta() {
	jq -n --arg kernel "$(uname -r)" \
		--arg cpu "$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)" \
		--argjson ncpu "$(nproc)" \
		--arg rev "$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)" \
		--arg dirty "$(git -C "$ROOT" status --porcelain 2>/dev/null | wc -l)" \
		--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
		--arg vtepd "$(sha256sum "$BN_VTEPD" 2>/dev/null | cut -c1-12)" \
		--arg frr "$(/usr/lib/frr/bgpd --version 2>/dev/null | sed -n 's/^bgpd version //p' | head -1)" \
		--arg gobgp "$(gobgpd --version 2>/dev/null | sed -n 's/^gobgpd version //p' | head -1)" \
		--arg iperf3 "$(iperf3 --version 2>/dev/null | head -1 | cut -d' ' -f2)" \
		--argjson mem "$(awk '/^MemTotal:/ {print $2 * 1024}' /proc/meminfo)" \
		'{date: $date, kernel: $kernel, cpu: $cpu, cpus: $ncpu, memory_bytes: $mem, git: $rev,
		  uncommitted_files: ($dirty | tonumber), vtepd_sha256: $vtepd,
		  versions: {frr: $frr, gobgp: $gobgp, iperf3: $iperf3}}'
}
