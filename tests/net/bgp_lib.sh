# shellcheck shell=bash
# bgp_lib.sh - what the BGP interop tests (tests/net/bgp_*.sh) add to lib.sh:
# vtepd configurations with a "bgp" section, real BGP peers from Debian
# packages (gobgpd, FRR's zebra + bgpd) run one instance per namespace, and
# queries of their RIBs and sessions.
#
# Namespaces start with vb- (PFX) and state lives under R, so these tests
# never touch another suite's. Every daemon is started in the background
# through lib.sh's bg() and stopped by its recorded pid (topo_down); FRR's
# daemons fork, so their pid files are read and the pids recorded.
#
# Addresses (lib.sh): fabric 198.51.100.1 (to-h1) and .5 (to-h2); host hN
# uplink 198.51.100.2 / .6, VTEP 192.0.2.N on lo.

PFX=${PFX:-vb-}
R=${R:-/run/vtepd-bgp-test}
# lib.sh runs vtepd with the systemd unit's capabilities only; listening on
# port 179 (passive peers, the peer's side of a collision) also needs
# CAP_NET_BIND_SERVICE.
VTEPD_CAPS=${VTEPD_CAPS-+bpf,+net_admin,+perfmon,+sys_admin,+net_bind_service}
# shellcheck source=tests/net/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# lib.sh numbers two hosts; these tests go to hN: uplink 198.51.100.(4N-2)/30,
# fabric side .(4N-3) (the same addresses for h1 and h2).
uplink_ip() { local n=${1#h}; echo "198.51.100.$((4 * n - 2))"; }
fab_ip()    { local n=${1#h}; echo "198.51.100.$((4 * n - 3))"; }

FRR_DIR=/usr/lib/frr
FRR_PIDS=()      # zebra/bgpd pids (they daemonize: not bg() children)
FRR_NS=()        # namespaces with an FRR instance (config dir to remove)

# jqe JSON FILTER [JQ_ARGS...]: FILTER's last output on JSON is true. Empty
# JSON is false (jq -e alone succeeds when it gets no input at all).
jqe() { local j=$1 f=$2; shift 2; [ -n "$j" ] && jq -e "$@" "$f" <<<"$j" >/dev/null; }

# ---------------------------------------------------------------- vtepd config

# nbr_j ADDR ASN [EXTRA_JSON]: one bgp.neighbors[] entry.
nbr_j() { jq -nc --arg a "$1" --argjson asn "$2" --argjson x "${3:-{\}}" '{address: $a, asn: $asn} + $x'; }

# bgp_config H ASN NEIGHBORS [PORTS [ROUTES [EXTRA_BGP_JSON]]]: write_config's
# file plus "bgp" (router id = the host's VTEP address). NEIGHBORS is a JSON
# array; PORTS/ROUTES as for write_config (default: the host's two ports,
# no static routes).
bgp_config() {
	local h=$1 asn=$2 nbrs=$3 ports=${4-__std} routes=${5-} extra=${6:-{\}} f
	[ "$ports" = __std ] && ports=$(std_ports "$h")
	write_config "$h" "$ports" "$routes"
	f=$(cfg_of "$h")
	jq --argjson asn "$asn" --arg rid "$(vtep_ip "$h")" --argjson n "$nbrs" --argjson x "$extra" \
		'.bgp = ({asn: $asn, router_id: $rid, neighbors: $n} + $x)' "$f" >"$f.tmp" &&
		mv "$f.tmp" "$f" || die "cannot write $f"
}

# peer_state H ADDR: the state `vtepctl peers` shows for neighbor ADDR.
peer_state() { vt "$1" -j peers 2>/dev/null | jq -r --arg a "$2" '.[] | select(.address == $a) | .state'; }
peer_up() { [ "$(peer_state "$1" "$2")" = Established ]; }
peer_down() { local s; s=$(peer_state "$1" "$2"); [ -n "$s" ] && [ "$s" != Established ]; }

# vt_route H PREFIX: the `vtepctl -j routes` entry for PREFIX (with /len).
vt_route() { vt "$1" -j routes 2>/dev/null | jq -c --arg p "$2" '.[] | select(.prefix == $p)'; }
# has_route H PREFIX VTEP [SOURCE]: PREFIX via VTEP is in the maps.
has_route() {
	local r; r=$(vt_route "$1" "$2"); echo "$1 $2: ${r:-none}"
	[ -n "$r" ] && jq_true "$r" ".vtep == \"$3\" and .source == \"${4:-bgp}\""
}
no_route() { local r; r=$(vt_route "$1" "$2"); echo "$1 $2: ${r:-none}"; [ -z "$r" ]; }
# has_fdb H MAC VTEP / no_fdb H MAC
has_fdb() {
	local r; r=$(vt "$1" -j fdb 2>/dev/null | jq -c --arg m "$2" '.[] | select(.mac == $m)')
	echo "$1 fdb $2: ${r:-none}"; [ -n "$r" ] && jq_true "$r" ".vtep == \"$3\""
}
no_fdb() {
	local r; r=$(vt "$1" -j fdb 2>/dev/null | jq -c --arg m "$2" '.[] | select(.mac == $m)')
	echo "$1 fdb $2: ${r:-none}"; [ -z "$r" ]
}
# bgp_routes_where H JQ_COND: `vtepctl -j bgp routes` entries matching a
# select(); bgp_route_has H JQ_COND: at least one matches.
bgp_routes_where() { vt "$1" -j bgp routes 2>/dev/null | jq -c ".[] | select($2)"; }
bgp_route_has() { local r; r=$(bgp_routes_where "$1" "$2"); echo "${r:-none}"; [ -n "$r" ]; }
# has_remote H VTEP: the uplink accepts VXLAN from VTEP (a vtep_remotes key:
# the address in network order, which bpftool prints as a host-order u32).
has_remote() {
	local a b c d k
	IFS=. read -r a b c d <<<"$2"
	k=$(( d << 24 | c << 16 | b << 8 | a ))
	jqe "$(bpftool -j map dump pinned "$(bpffs_of "$1")/vtep_remotes")" \
		'any(.[]; (.formatted.key // .key) == $k)' --argjson k "$k"
}

# ---------------------------------------------------------------- GoBGP

declare -A GOBGP_PID=()

# gobgp_start NS TOML_TEXT [ARGS...]: gobgpd in NS, gRPC on 127.0.0.1:50051
# of that namespace; waits until its API answers. ARGS: e.g. -r (restarting).
gobgp_start() {
	local ns=$1 conf=$LOGDIR/gobgpd-$1.toml
	printf '%s\n' "$2" >"$conf"
	shift 2
	bg "gobgpd-$ns" nx "$ns" gobgpd -f "$conf" -t toml -p -l debug --pprof-disable \
		--api-hosts 127.0.0.1:50051 "$@"
	GOBGP_PID[$ns]=$BG
	wait_until 15 nx "$ns" gobgp global || die "gobgpd in $ns did not start: $(tail -n 3 "$LOGDIR/gobgpd-$ns.err")"
}
gobgp_stop() { [ -n "${GOBGP_PID[$1]:-}" ] && stop_pid "${GOBGP_PID[$1]}" 5; unset "GOBGP_PID[$1]"; }
gobgp_kill9() { local p=${GOBGP_PID[$1]}; kill -9 "$p"; wait "$p" 2>/dev/null; unset "GOBGP_PID[$1]"; }
gb() { local ns=$1; shift; nx "$ns" gobgp "$@"; }
# gobgp_up NS ADDR: GoBGP's session with ADDR is established.
gobgp_up() { jqe "$(gb "$1" -j neighbor "$2" 2>/dev/null)" '.state.session_state == 6'; }
# gobgp_evpn NS: GoBGP's EVPN RIB as JSON (destinations -> paths).
gobgp_evpn() { gb "$1" -j global rib -a evpn 2>/dev/null; }

# gobgp_neighbor_toml ADDR ASN [GR [RS [CONFIG_LINES [TABLES]]]]: one
# [[neighbors]] block, L2VPN/EVPN, fast timers; GR=1 adds graceful restart
# (helper and restarting); RS=1 makes the neighbor a route-server client
# (next hop and AS_PATH passed on unchanged, RFC 7947), so routes go from
# vtepd to vtepd. CONFIG_LINES go into [neighbors.config] (auth-password =
# ...), TABLES after the block ([neighbors.ttl-security.config] ...).
gobgp_neighbor_toml() {
	cat <<EOF
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$1"
    peer-as = $2
EOF
	[ -n "${5:-}" ] && printf '%s\n' "$5"
	if [ "${4:-0}" = 1 ]; then
		cat <<EOF
  [neighbors.route-server.config]
    route-server-client = true
EOF
	fi
	cat <<EOF
  [neighbors.timers.config]
    connect-retry = 1
    hold-time = 9
    keepalive-interval = 3
    idle-hold-time-after-reset = 1
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
EOF
	if [ "${3:-0}" = 1 ]; then
		cat <<EOF
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 60
EOF
	fi
	[ -n "${6:-}" ] && printf '%s\n' "$6"
	return 0
}

# ---------------------------------------------------------------- FRR

# frr_leaf_topo H I: the kernel side of an FRR EVPN leaf on host H (its
# namespace, VTEP address vtep_ip H): bridge br100 with VXLAN device vx100
# (VNI 100, no learning: FRR programs the remote MACs; ARP suppression), an
# SVI 10.1.0.250/16 (zebra learns the hosts' IPs from its neighbour table),
# and host wI (namespace ${PFX}wI, wl_ip/wl_mac I) behind port w1. Shared by
# the FRR scenarios and scripts/demo.sh.
frr_leaf_topo() {
	local ns=${PFX}$1 wns=${PFX}w$2 i=$2 l
	ns_add "$wns"
	run ip -n "$ns" link add w1 type veth peer name eth0 netns "$wns"
	run ip -n "$wns" link set eth0 address "$(wl_mac "$i")"
	run ip -n "$wns" addr add "$(wl_ip "$i")/16" dev eth0
	run ip -n "$wns" link set eth0 up
	run ip -n "$ns" link add br100 type bridge
	run ip -n "$ns" link set br100 addr "02:00:00:00:0${1#h}:fe"
	run ip -n "$ns" link add vx100 type vxlan id 100 local "$(vtep_ip "$1")" dstport 4789 nolearning
	run ip -n "$ns" link set vx100 master br100
	run ip -n "$ns" link set w1 master br100
	run ip -n "$ns" link set dev vx100 type bridge_slave neigh_suppress on learning off
	run ip -n "$ns" addr add 10.1.0.250/16 dev br100
	for l in vx100 w1 br100; do run ip -n "$ns" link set "$l" up; done
}

# frr_rr_conf NAME ASN ID "HOSTS" [LINE...]: bgpd config of an FRR route
# reflector (RFC 4456) for l2vpn evpn only, router and cluster id ID, whose
# iBGP clients are the uplink addresses of HOSTS (hold 9 s, connect retry
# 1 s); each LINE is added to the `router bgp` block. Shared by the route
# reflector scenarios and scripts/demo.sh.
frr_rr_conf() {
	local name=$1 asn=$2 id=$3 hosts=$4 h l
	shift 4
	printf 'frr version 8.4\nfrr defaults datacenter\nhostname %s\n' "$name"
	printf '!\nrouter bgp %s\n bgp router-id %s\n bgp cluster-id %s\n' "$asn" "$id" "$id"
	echo " no bgp default ipv4-unicast"
	for l in "$@"; do echo " $l"; done
	for h in $hosts; do
		echo " neighbor $(uplink_ip "$h") remote-as $asn"
		echo " neighbor $(uplink_ip "$h") timers 3 9"
		echo " neighbor $(uplink_ip "$h") timers connect 1"
	done
	echo " !"
	echo " address-family l2vpn evpn"
	for h in $hosts; do
		echo "  neighbor $(uplink_ip "$h") activate"
		echo "  neighbor $(uplink_ip "$h") route-reflector-client"
	done
	echo " exit-address-family"
	echo "exit"
}

# frr_leaf_conf: bgpd config of the FRR leaf in $H2 (AS 65002), peering eBGP
# with vtepd on h1 ($H1IP, AS 65101), advertise-all-vni, VNI 100 with explicit
# route targets. Shared by the FRR scenarios.
frr_leaf_conf() {
	cat <<EOF
frr version 8.4
frr defaults datacenter
hostname $H2
log timestamp precision 3
!
router bgp 65002
 bgp router-id $(vtep_ip h2)
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor $H1IP remote-as 65101
 neighbor $H1IP ebgp-multihop 4
 neighbor $H1IP timers 3 9
 neighbor $H1IP timers connect 1
 !
 address-family l2vpn evpn
  neighbor $H1IP activate
  advertise-all-vni
  vni 100
   route-target import 65101:100
   route-target export 65002:100
  exit-vni
 exit-address-family
exit
!
EOF
}

# frr_start NS BGPD_CONF [ZEBRA_CONF]: zebra + bgpd for namespace NS with
# path space NS (DESIGN.md: `ip netns exec NS .../zebra -d -N NS -f ...`,
# config under /etc/frr/NS/ owned by frr; state, sockets and pid files in
# /var/run/frr/NS). Each daemon reads its own file: zebra would take an
# EVPN "vni 100" line of bgpd's for an L3 VNI of the default VRF.
frr_start() {
	local ns=$1 dir=/etc/frr/$1 rundir=/var/run/frr/$1 d pid
	frr_stale "$ns"
	run mkdir -p "$dir" "$rundir"
	printf '%s\n' "$2" >"$dir/bgpd.conf"
	printf '%s\n' "${3:-hostname $ns}" >"$dir/zebra.conf"
	# FRR_DEBUG=1: EVPN debug logs (copied into the log dir at the end).
	if [ "${FRR_DEBUG:-0}" = 1 ]; then
		printf 'debug zebra evpn mac-ip detail\ndebug zebra vxlan\ndebug zebra kernel\n' >>"$dir/zebra.conf"
		printf 'debug bgp zebra\ndebug bgp updates\n' >>"$dir/bgpd.conf"
	fi
	: >"$dir/vtysh.conf"
	run chown -R frr:frr "$dir" "$rundir"
	FRR_NS+=("$ns")
	for d in zebra bgpd; do
		# The daemons run as frr: they log where frr may write.
		run ip netns exec "$ns" "$FRR_DIR/$d" -d -N "$ns" -f "$dir/$d.conf" \
			-i "$rundir/$d.pid" --log "file:$rundir/$d.log" --log-level debug
		wait_until 10 test -s "$rundir/$d.pid" || die "FRR $d in $ns did not start"
		pid=$(cat "$rundir/$d.pid")
		FRR_PIDS+=("$pid")
		[ $d = zebra ] && { wait_until 10 test -S "$rundir/zserv.api" || die "zebra in $ns: no zserv.api"; }
	done
}
vty() { local ns=$1; shift; vtysh -N "$ns" -c "$@"; }

# frr_local_ip HOST_NS IP [FRR_NS]: FRR holds IP as a local neighbour on VNI
# 100. zebra learns a host's MAC from the bridge and its IP from the SVI's
# neighbour table, so the host behind FRR pings the SVI (10.1.0.250) until
# FRR has both (FRR_NS defaults to $H2).
frr_arp_local() {
	jqe "$(vty "${2:-$H2}" "show evpn arp-cache vni 100 ip $1 json")" '.type == "local"'
}
frr_local_ip() {
	local deadline=$((SECONDS + 20))
	until frr_arp_local "$2" "${3:-$H2}"; do
		[ $SECONDS -ge $deadline ] && return 1
		nx "$1" ping -n -q -c 1 -W 1 10.1.0.250 >/dev/null 2>&1
		sleep 0.2
	done
}

# frr_stale NS: an FRR instance a killed run left for NS (by its pid files).
frr_stale() {
	local f pid
	for f in /var/run/frr/"$1"/zebra.pid /var/run/frr/"$1"/bgpd.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		case "$(cat /proc/"$pid"/comm 2>/dev/null)" in
		zebra|bgpd) kill -KILL "$pid" 2>/dev/null;;
		esac
	done
	rm -rf "/etc/frr/${1:?}" "/var/run/frr/${1:?}"
}

frr_down() {
	local pid ns f
	for pid in "${FRR_PIDS[@]}"; do
		case "$(cat /proc/"$pid"/comm 2>/dev/null)" in
		zebra|bgpd) kill -TERM "$pid" 2>/dev/null
			wait_until 5 sh -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid" 2>/dev/null;;
		esac
	done
	for ns in "${FRR_NS[@]}"; do
		cp /var/run/frr/"$ns"/*.log "$LOGDIR/" 2>/dev/null
		for f in "$LOGDIR"/zebra.log "$LOGDIR"/bgpd.log; do
			[ -f "$f" ] && mv "$f" "$LOGDIR/frr-$ns-$(basename "$f")"
		done
		rm -rf "/etc/frr/${ns:?}" "/var/run/frr/${ns:?}"
	done
	FRR_PIDS=(); FRR_NS=()
	return 0
}

# bgp_use_asan: run vtepd built with ASan/UBSan (build-asan/vtepd, made here
# if missing or stale); every report goes to the vtepd log, UBSan is fatal.
bgp_use_asan() {
	echo "+ make BUILD=build-asan CC=clang-19 SAN=1 build-asan/vtepd" >>"$LOG"
	make -s -C "$TOP" BUILD=build-asan CC=clang-19 SAN=1 build-asan/vtepd >>"$LOG" 2>&1 ||
		die "cannot build the ASan/UBSan vtepd (make BUILD=build-asan CC=clang-19 SAN=1 build-asan/vtepd)"
	VTEPD=$TOP/build-asan/vtepd
	export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:print_summary=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
}
# no_sanitizer_report H: vtepd's log on H holds no ASan/UBSan/LSan report.
no_sanitizer_report() {
	local log=$LOGDIR/vtepd-$1.log
	! grep -nE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)" "$log" &&
		echo "no sanitizer report in $log"
}

# bgp_begin: net_begin, plus FRR cleanup before lib.sh's on exit.
bgp_begin() {
	net_begin
	# net_cleanup reads the exit status from $?: keep it across frr_down.
	trap 'rc=$?; frr_down; (exit $rc); net_cleanup' EXIT
}
