#!/bin/bash
# frr_fdb.sh - a real EVPN peer's MACs into vtepd: FRR advertises every MAC
# of its bridge's FDB as a type-2 route, and `bridge -batch` fills that FDB
# with N MACs at once. How long until vtepd's vtep_fdb map holds all N, how
# much of that is FRR (zebra learning the MACs, bgpd sending them) and how
# much vtepd, and the same for the withdrawal when the FDB is flushed.
#
#   bench/frr_fdb.sh [--quick] [-n N] [--runs K] [--timeout S] OUT.jsonl
#
#   BN_PFX-h1: vtepd (AS 65101), uplink u1 198.51.100.2/30, VNI 100 with
#              route target auto, no ports: its vtep_fdb holds only what
#              FRR sends
#   BN_PFX-h2: FRR 8.4 zebra + bgpd (AS 65002), `advertise-all-vni`, bridge
#              br100 with a VXLAN device vx100 (VNI 100, local 192.0.2.2,
#              nolearning) and a port p1 (a veth whose peer p1b stays in
#              h2), u2 198.51.100.1/30; eBGP with vtepd over u1-u2
#
# One run: `bridge -batch` of N lines `fdb add MAC dev p1 master static`
# (static entries: zebra takes them as local MACs and bgpd advertises them;
# `permanent`, the default of `master` alone, is the bridge's own address
# to zebra and dropped). The clock starts when the batch starts; beside it:
#   zebra   `show evpn vni 100 json` numMacs, polled every POLL_S (0.2 s):
#           zebra holds the N local MACs. A vtysh call waits while zebra is
#           busy, so this stage's resolution is coarse (up to ~0.5 s).
#   UPDATE  FRR's first and last UPDATE towards vtepd on the wire (tcpdump
#           on h2's u2, read afterwards): when bgpd had sent everything.
#   maps    entries in vtepd's pinned vtep_fdb (bench/fill count: a key walk
#           of the map, no vtepd involved), polled every MAPS_POLL_S
#           (0.02 s) plus the walk (~0.2 s at 100k entries on a busy VM).
# A stage's time is the return of the first poll that saw its target.
# "vtepd after last UPDATE" = maps - last UPDATE: vtepd's processing tail
# plus up to one map poll. Then `bridge fdb flush dev p1 master static` and
# the same stages back to the baseline. Also: vtepd's RSS before, holding N
# and after the flush; the CPU seconds vtepd, zebra and bgpd used in each
# phase; what FRR counts as sent (pfxSnt; FRR's type-3 route is one more).
#
# zebra runs with `-s ZEBRA_RCVBUF` (256 MiB): a flush sends N netlink
# notifications at once, and with FRR 8.4's default buffer zebra silently
# loses most deletes at 100k (measured: 87k-90k of 100k MACs stay in zebra
# and keep being advertised, so vtepd rightly keeps them); ZEBRA_RCVBUF=
# (empty) runs FRR's default, and the record's error says so.
# Never pass/fail: a stage not reached by the deadline is recorded as null.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)

quick=0
N=100000
runs=3
timeout=120
POLL_S=${POLL_S:-0.2}          # zebra's count (a vtysh call)
MAPS_POLL_S=${MAPS_POLL_S:-0.02} # vtepd's map (bench/fill count, no daemon involved)
while [ $# -gt 1 ]; do
	case $1 in
	--quick) quick=1; shift ;;
	-n) N=$2; shift 2 ;;
	--runs) runs=$2; shift 2 ;;
	--timeout) timeout=$2; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 1 ]; then
	echo "usage: $0 [--quick] [-n N] [--runs K] [--timeout S] OUT.jsonl" >&2
	exit 2
fi
RESULTS=$1
OUT=$(dirname "$RESULTS")
if [ $quick = 1 ]; then
	N=2000
	runs=1
	timeout=60
fi
export BN_PFX=${BN_PFX:-bn3} BN_RUN=${BN_RUN:-/run/vtepd-bench3}
H1=$BN_PFX-h1
H2=$BN_PFX-h2
BN_NS_ALL="$H1 $H2"
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
# shellcheck source=bench/peers.sh
. "$ROOT/bench/peers.sh"
H1IP=198.51.100.2
H2IP=198.51.100.1
VTEP_H2=192.0.2.2
# FRRFDB_PERF=1: perf records vtepd over the add phase (CPU samples and its
# bpf() calls, monotonic clock; OUT/frrfdb-perf.t0 holds the batch start in
# that clock) into OUT/frrfdb-perf.data, to tell vtepd's own time from the
# wait for FRR (a profiling aid, not for the figures: it slows vtepd).
FRRFDB_PERF=${FRRFDB_PERF:-0}
# zebra's netlink receive buffer (zebra -s, bytes; see above).
ZEBRA_RCVBUF=${ZEBRA_RCVBUF-268435456}

trap peers_cleanup EXIT
trap 'exit 130' INT TERM
peers_cleanup

now() { date +%s.%N; }
# CPU seconds (user + system) a process has used so far.
cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f\n", ($12 + $13) / hz }' \
		"/proc/$1/stat" 2>/dev/null || echo null
}

# FRR's leaf in h2 (config under /etc/frr/NS, pids in /var/run/frr/NS:
# peers.sh's peer_frr_stop stops it by those).
frr_leaf_start() {
	local ns=$H2 dir=/etc/frr/$H2 run=/var/run/frr/$H2 d
	peer_frr_stop "$ns"
	mkdir -p "$dir" "$run" || return 1
	cat >"$dir/bgpd.conf" <<EOF
hostname $ns
frr defaults datacenter
router bgp 65002
 bgp router-id $VTEP_H2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor $H1IP remote-as 65101
 neighbor $H1IP timers 3 9
 neighbor $H1IP timers connect 1
 address-family l2vpn evpn
  neighbor $H1IP activate
  advertise-all-vni
 exit-address-family
EOF
	echo "hostname $ns" >"$dir/zebra.conf"
	: >"$dir/vtysh.conf"
	chown -R frr:frr "$dir" "$run"
	PEER_FRR+=("$ns")
	for d in zebra bgpd; do
		# shellcheck disable=SC2046
		ip netns exec "$ns" /usr/lib/frr/$d -d -N "$ns" -f "$dir/$d.conf" -i "$run/$d.pid" \
			$([ $d = zebra ] && [ -n "$ZEBRA_RCVBUF" ] && echo "-s $ZEBRA_RCVBUF") \
			--log "file:$run/$d.log" >/dev/null 2>&1 || return 1
		peer_wait 10 test -s "$run/$d.pid" || return 1
		[ $d = zebra ] && { peer_wait 10 test -S "$run/zserv.api" || return 1; }
	done
	FRR_ZEBRA_PID=$(cat "$run/zebra.pid")
	FRR_BGPD_PID=$(cat "$run/bgpd.pid")
}

topo_up() {
	bn_ns_add "$H1" && bn_ns_add "$H2" || return 1
	ip -n "$H1" link add u1 type veth peer name u2 netns "$H2" || return 1
	ip -n "$H1" addr add "$H1IP/30" dev u1 && ip -n "$H1" link set u1 up &&
	ip -n "$H2" addr add "$H2IP/30" dev u2 && ip -n "$H2" link set u2 up || return 1
	ip -n "$H2" addr add "$VTEP_H2/32" dev lo &&
	ip -n "$H2" link add br100 type bridge &&
	ip -n "$H2" link set br100 addr 02:00:00:00:02:fe &&
	ip -n "$H2" link add vx100 type vxlan id 100 local "$VTEP_H2" dstport 4789 nolearning &&
	ip -n "$H2" link set vx100 master br100 &&
	ip -n "$H2" link set dev vx100 type bridge_slave learning off &&
	ip -n "$H2" link add p1 type veth peer name p1b &&
	ip -n "$H2" link set p1 master br100 || return 1
	local l
	for l in p1b p1 vx100 br100; do ip -n "$H2" link set "$l" up || return 1; done
}

# Counts, each "" when the call failed.
c_zebra() { vtysh -N "$H2" -c 'show evpn vni 100 json' 2>/dev/null | jq -r '.numMacs // empty'; }
c_sent() {
	vtysh -N "$H2" -c 'show bgp l2vpn evpn summary json' 2>/dev/null |
		jq -r --arg p "$H1IP" '.peers[$p].pfxSnt // empty'
}
# (no jq here: this one runs every MAPS_POLL_S)
c_maps() {
	local j
	j=$("$BN_FILL" -b "$BN_RUN/h1" -j count 2>/dev/null) || return 0
	[[ $j =~ \"fdb\":([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

# poll_stage T0 TARGET NAME PERIOD: polls c_NAME every PERIOD until it prints
# TARGET; prints "SECONDS_FROM_T0 POLLS LAST" (SECONDS "null" at the
# deadline). The time is that of the poll's return: its resolution is the
# period plus the call (a vtysh call waits while the daemon is busy).
poll_stage() {
	local t0=$1 want=$2 end=$((SECONDS + timeout)) polls=0 c t
	while [ $SECONDS -lt $end ]; do
		c=$(c_"$3")
		t=$(now)
		polls=$((polls + 1))
		if [ "$c" = "$want" ]; then
			echo "$(jq -n "($t - $t0) * 1000 | round / 1000") $polls $c"
			return 0
		fi
		sleep "$4"
	done
	echo "null $polls ${c:-null}"
}

# bgp_times PCAP T0: FRR's UPDATEs towards vtepd in the capture on u2 (TCP
# segments from FRR's address with more than a KEEPALIVE's 19 bytes): first
# and last, in seconds from T0, and their count. Either side may have
# opened the session, so FRR's port is not always 179.
bgp_times() {
	tcpdump -r "$1" -n -tt "src host $H2IP and tcp" 2>/dev/null |
		awk -v t0="$2" '
		{ l = 0; if (match($0, / length [0-9]+/)) l = substr($0, RSTART + 8, RLENGTH - 8) }
		l + 0 > 19 { if (!f) f = $1; e = $1; n++ }
		END {
			if (n) printf "{\"first_update_s\":%.3f,\"last_update_s\":%.3f,\"segments\":%d}\n",
				f - t0, e - t0, n
			else print "{\"first_update_s\":null,\"last_update_s\":null,\"segments\":0}"
		}'
}

# stages T0 ZEBRA MAPS: zebra's MAC count polled in the background, vtepd's
# vtep_fdb count in the foreground, each until its target; one JSON object.
stages() {
	local t0=$1 zf=$OUT/frrfdb-zebra.poll zs zp zl ms mp ml
	poll_stage "$t0" "$2" zebra "$POLL_S" > "$zf" &
	local zpid=$!
	read -r ms mp ml < <(poll_stage "$t0" "$3" maps "$MAPS_POLL_S")
	wait "$zpid"
	read -r zs zp zl < "$zf"
	jq -nc --argjson zs "$zs" --argjson zp "$zp" --argjson zl "$zl" --argjson ms "$ms" \
		--argjson mp "$mp" --argjson ml "$ml" '
		{zebra_s: $zs, maps_s: $ms, zebra_last: $zl, maps_last: $ml, zebra_polls: $zp,
		 maps_polls: $mp}'
}

# with_updates STAGES_JSON PCAP T0: STAGES plus the capture's UPDATE times
# and how long after FRR's last UPDATE vtepd's map was complete.
with_updates() {
	jq -c --argjson b "$(bgp_times "$2" "$3")" '. + $b +
		{vtepd_after_last_update_s: (if .maps_s != null and $b.last_update_s != null
			then (.maps_s - $b.last_update_s) * 1000 | round / 1000 else null end)}' <<<"$1"
}

# capture_start FILE / capture_stop: BGP on h2's u2, by recorded pid.
capture_start() {
	# nsenter execs tcpdump: $! is tcpdump itself (not a subshell). The
	# file is new (the wait below must not see a previous run's).
	rm -f "$1"
	nsenter --net=/run/netns/"$H2" tcpdump -Z root -i u2 -n -s 96 -B 16384 --immediate-mode -U \
		-w "$1" 'tcp port 179' 2>/dev/null &
	CAP_PID=$!
	PEER_PIDS+=("$CAP_PID")
	peer_wait 5 test -s "$1"
}
# --immediate-mode: without it tcpdump holds packets up to 1 s and loses
# those when it is stopped.
capture_stop() { sleep 0.2; peer_stop_pid "$CAP_PID"; }

session_up() {
	[ "$(vtysh -N "$H2" -c 'show bgp l2vpn evpn summary json' 2>/dev/null |
		jq -r --arg p "$H1IP" '.peers[$p].state // empty')" = Established ]
}

measure() {
	local run=$1 batch=$OUT/frrfdb-batch.txt pid bpid perf_pid='' kl z0 s0 m0 sa sd
	local c0 c1 c2 zc0 zc1 zc2 bc0 bc1 bc2 rss0 rss1 rss2 t0 tb t1 tb2 add del zr1 br1 err=null
	bn_log "frrfdb: $N MACs from FRR's bridge FDB into vtepd (run $run)"
	topo_up || bn_die "topology"
	bn_bpffs h1 || bn_die "bpffs"
	peer_vtepd_cfg h1 "$(jq -nc --arg rx "$H1IP" --arg tx "$H2IP" '{
		vtep: {ip: "192.0.2.1", uplink: "u1"},
		bgp: {asn: 65101, router_id: "192.0.2.1",
		      neighbors: [{address: $tx, asn: 65002, hold_time_s: 9, keepalive_s: 3}]}}')" \
		> "$BN_RUN/h1.json"
	bn_vtepd_start h1 "$BN_RUN/h1.json"
	pid=${BN_PIDS[-1]}
	frr_leaf_start || bn_die "FRR did not start"
	peer_wait 30 session_up || bn_die "no BGP session between FRR and vtepd within 30 s"
	peer_wait 10 test -n "$(c_zebra)" || bn_die "zebra does not know VNI 100"
	# N distinct MACs 02:c0:00:xx:xx:xx, one fdb line each.
	awk -v n="$N" 'BEGIN { for (i = 1; i <= n; i++)
		printf "fdb add 02:c0:00:%02x:%02x:%02x dev p1 master static\n",
			int(i / 65536) % 256, int(i / 256) % 256, i % 256 }' > "$batch"
	# Baselines: FRR also sends its type-3 (IMET) route for VNI 100.
	sleep 1
	z0=$(c_zebra); s0=$(c_sent); m0=$(c_maps)
	rss0=$(peer_rss "$pid")
	c0=$(cpu_s "$pid"); zc0=$(cpu_s "$FRR_ZEBRA_PID"); bc0=$(cpu_s "$FRR_BGPD_PID")
	# The batch runs beside the polls: a stage may end before it does.
	rm -f "$OUT/frrfdb-tb"
	capture_start "$OUT/frrfdb-add.pcap"
	if [ "$FRRFDB_PERF" = 1 ]; then
		perf record -q -k mono -e cpu-clock -F 999 -e syscalls:sys_enter_bpf -p "$pid" \
			-o "$OUT/frrfdb-perf.data" 2>/dev/null &
		perf_pid=$!
		PEER_PIDS+=("$perf_pid")
		sleep 1
	fi
	t0=$(now)
	{ bn_in "$H2" bridge -batch "$batch" || bn_log "frrfdb: bridge -batch failed"
	  now > "$OUT/frrfdb-tb"; } &
	bpid=$!
	add=$(stages "$t0" $((z0 + N)) $((m0 + N)))
	wait "$bpid"
	capture_stop
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null
		python3 -c 'import sys, time
print("%.6f" % (float(sys.argv[1]) - time.time() + time.monotonic()))' "$t0" > "$OUT/frrfdb-perf.t0"
	fi
	add=$(with_updates "$add" "$OUT/frrfdb-add.pcap" "$t0")
	sa=$(c_sent)
	tb=$(cat "$OUT/frrfdb-tb" 2>/dev/null || now)
	rm -f "$batch" "$OUT/frrfdb-tb"   # 4.7 MB at 100k
	rss1=$(peer_rss "$pid")
	c1=$(cpu_s "$pid"); zc1=$(cpu_s "$FRR_ZEBRA_PID"); bc1=$(cpu_s "$FRR_BGPD_PID")
	zr1=$(peer_rss "$FRR_ZEBRA_PID"); br1=$(peer_rss "$FRR_BGPD_PID")
	capture_start "$OUT/frrfdb-del.pcap"
	t1=$(now)
	bn_in "$H2" bridge fdb flush dev p1 master static || bn_log "frrfdb: flush failed"
	tb2=$(now)
	del=$(stages "$t1" "$z0" "$m0")
	capture_stop
	del=$(with_updates "$del" "$OUT/frrfdb-del.pcap" "$t1")
	sd=$(c_sent)
	rss2=$(peer_rss "$pid")
	c2=$(cpu_s "$pid"); zc2=$(cpu_s "$FRR_ZEBRA_PID"); bc2=$(cpu_s "$FRR_BGPD_PID")
	# What the kernel bridge itself still holds on p1 after the flush.
	kl=$(bn_in "$H2" bridge -j fdb show dev p1 2>/dev/null |
		jq '[.[] | select(.state == "static")] | length')
	kill -0 "$pid" 2>/dev/null || err='"vtepd exited"'
	# FRR 8.4's zebra loses deletes when its netlink socket overflows (a
	# flush sends N notifications at once) and logs nothing at its default
	# level: it keeps the MACs and bgpd keeps advertising them.
	if [ "$err" = null ] && [ "$(jq '.zebra_s' <<<"$del")" = null ] && [ "${kl:-1}" = 0 ]; then
		err=$(jq -nc --argjson z "$(jq '.zebra_last' <<<"$del")" '"the kernel flushed every MAC" +
			" but zebra still holds \($z) (netlink notifications lost; zebra -s raises its buffer)"')
	fi
	cp "/var/run/frr/$H2/zebra.log" "$OUT/frrfdb-zebra.log" 2>/dev/null
	jq -nc --argjson n "$N" --argjson run "$run" --argjson add "$add" --argjson del "$del" \
		--arg t0 "$t0" --arg tb "$tb" --arg t1 "$t1" --arg tb2 "$tb2" --argjson rss0 "$rss0" \
		--argjson rss1 "$rss1" --argjson rss2 "$rss2" --argjson zr "$zr1" --argjson br "$br1" \
		--argjson kl "${kl:-null}" --argjson err "$err" --argjson poll "$POLL_S" \
		--argjson mpoll "$MAPS_POLL_S" --arg zb "$ZEBRA_RCVBUF" \
		--argjson cpu "[[$c0, $c1, $c2], [$zc0, $zc1, $zc2], [$bc0, $bc1, $bc2]]" \
		--argjson s0 "${s0:-null}" --argjson sa "${sa:-null}" --argjson sd "${sd:-null}" '
		def delta($i; $j): map(if .[$i] == null or .[$j] == null then null
			else (.[$j] - .[$i]) * 100 | round / 100 end);
		{kind: "frrfdb", macs: $n, run: $run, poll_s: $poll, maps_poll_s: $mpoll,
		 zebra_rcvbuf: $zb,
		 complete: ($add.maps_s != null and $del.maps_s != null),
		 add: $add, withdraw: $del,
		 frr_sent: {before: $s0, held: $sa, after_flush: $sd},
		 cpu_s: (($cpu | delta(0; 1) | {vtepd_add: .[0], zebra_add: .[1], bgpd_add: .[2]}) +
			($cpu | delta(1; 2) |
			 {vtepd_withdraw: .[0], zebra_withdraw: .[1], bgpd_withdraw: .[2]})),
		 batch_s: ((($tb | tonumber) - ($t0 | tonumber)) * 1000 | round / 1000),
		 flush_s: ((($tb2 | tonumber) - ($t1 | tonumber)) * 1000 | round / 1000),
		 vtepd_rss_before: $rss0, vtepd_rss_held: $rss1, vtepd_rss_after_flush: $rss2,
		 vtepd_rss_bytes_per_mac: ((($rss1 - $rss0) / $n * 10) | round / 10),
		 zebra_rss_held: $zr, bgpd_rss_held: $br, kernel_fdb_after_flush: $kl,
		 error: $err}' >> "$RESULTS" || bn_log "frrfdb: no record written"
	tail -n1 "$RESULTS" | jq -r '"bench: frrfdb \(.macs) MACs: maps \(.add.maps_s) s (zebra"
		+ " \(.add.zebra_s), FRR last UPDATE \(.add.last_update_s)); flush: maps"
		+ " \(.withdraw.maps_s) s (zebra \(.withdraw.zebra_s), last UPDATE"
		+ " \(.withdraw.last_update_s)); vtepd RSS +\(.vtepd_rss_bytes_per_mac) B/MAC,"
		+ " CPU s add/withdraw: vtepd \(.cpu_s.vtepd_add)/\(.cpu_s.vtepd_withdraw), zebra"
		+ " \(.cpu_s.zebra_add)/\(.cpu_s.zebra_withdraw), bgpd"
		+ " \(.cpu_s.bgpd_add)/\(.cpu_s.bgpd_withdraw)"' >&2
	peers_cleanup
}

for ((run = 1; run <= runs; run++)); do
	measure "$run"
done
exit 0
