# shellcheck shell=bash disable=SC2034  # (variables set here are read by the sourcing scripts)
# peers.sh - the BGP side of the bench (sourced after lib.sh, not run): a
# namespace with the session's two addresses on lo, gobgpd, FRR's zebra +
# bgpd, vtepd with a "bgp" section, and the feeder (bench/feeder) that
# talks to each of them.
#
# Every receiver listens on PEER_RX (10.255.0.1:179, its router id) and
# expects the feeder from PEER_TX (10.255.0.2, AS 65001); the receiver is AS
# 65000 (eBGP, as between a host and its leaf). Both addresses sit on the
# namespace's lo: FRR refuses a session whose local address has no interface
# it knows of, which 127.0.0.0/8 is to it (bgpd logs "nexthop_set failed").
# Daemons run by recorded pid: gobgpd and vtepd are execed by nsenter (their
# pid is $!), FRR's daemons fork and leave pid files under
# /var/run/frr/NS. peers_cleanup stops exactly those and is safe twice.

PEER_RX=10.255.0.1
PEER_TX=10.255.0.2
PEER_RX_AS=65000
PEER_TX_AS=65001
BN_FEEDER=$BN_BUILD/bench/feeder

PEER_PIDS=()     # gobgpd, feeder pids we started
PEER_FRR=()      # namespaces with an FRR instance

peer_ns() {
	bn_ns_add "$1" || return 1
	ip -n "$1" addr add "$PEER_RX/32" dev lo &&
	ip -n "$1" addr add "$PEER_TX/32" dev lo
}

# peer_wait SECONDS CMD...: polls CMD every 0.1 s until it succeeds.
peer_wait() {
	local end=$((SECONDS + $1)); shift
	while ! "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}

peer_stop_pid() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	for ((i = 0; i < 50; i++)); do
		[[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) =~ ^(Z|X|)$ ]] && break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# VmRSS of a pid, in bytes.
peer_rss() { awk '/^VmRSS:/ {print $2 * 1024}' "/proc/$1/status" 2>/dev/null || echo 0; }

# ---- GoBGP -----------------------------------------------------------------

# gobgp_up NS: gobgpd in NS with one L2VPN/EVPN neighbor, the feeder.
# Sets GOBGP_PID.
peer_gobgp_start() {
	local ns=$1 conf=$OUT/gobgpd-$1.toml
	cat >"$conf" <<EOF
[global.config]
  as = $PEER_RX_AS
  router-id = "$PEER_RX"
  local-address-list = ["$PEER_RX"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "$PEER_TX"
    peer-as = $PEER_TX_AS
  [neighbors.transport.config]
    local-address = "$PEER_RX"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
EOF
	nsenter --net=/run/netns/"$ns" gobgpd -f "$conf" -t toml -p --pprof-disable \
		--api-hosts 127.0.0.1:50051 >"$OUT/gobgpd-$ns.log" 2>&1 &
	GOBGP_PID=$!
	PEER_PIDS+=("$GOBGP_PID")
	peer_wait 15 bn_in "$ns" gobgp global || { tail -n 5 "$OUT/gobgpd-$ns.log" >&2; return 1; }
}
peer_gobgp() { local ns=$1; shift; bn_in "$ns" gobgp "$@"; }
# Routes GoBGP accepted from the feeder.
peer_gobgp_count() {
	peer_gobgp "$1" -j neighbor "$PEER_TX" 2>/dev/null |
		jq -r '[.afi_safis[]?.state | select(.family.afi == 25) | .accepted // 0] | add // 0'
}

# ---- FRR -------------------------------------------------------------------

# peer_frr_start NS [evpn]: zebra + bgpd for NS with path space NS
# (DESIGN.md), config under /etc/frr/NS owned by frr. Sets FRR_BGPD_PID,
# FRR_ZEBRA_PID. With "evpn", FRR is a VTEP receiving the feeder's routes
# into the kernel (peer_frr_vtep must have built the devices):
# advertise-all-vni, so zebra installs every remote MAC into the bridge FDB
# of vx100 and every MAC+IP into br100's neighbour table; zebra gets a
# 256 MiB netlink receive buffer (bench/frr_fdb.sh: with the default it
# loses notifications under bulk changes).
peer_frr_start() {
	local ns=$1 evpn=${2:-} dir=/etc/frr/$1 run=/var/run/frr/$1 d
	peer_frr_stop "$ns"
	mkdir -p "$dir" "$run" || return 1
	cat >"$dir/bgpd.conf" <<EOF
hostname $ns
frr defaults datacenter
router bgp $PEER_RX_AS
 bgp router-id $PEER_RX
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor $PEER_TX remote-as $PEER_TX_AS
 neighbor $PEER_TX update-source $PEER_RX
 address-family l2vpn evpn
  neighbor $PEER_TX activate
$([ "$evpn" = evpn ] && echo "  advertise-all-vni")
 exit-address-family
EOF
	echo "hostname $ns" >"$dir/zebra.conf"
	: >"$dir/vtysh.conf"
	chown -R frr:frr "$dir" "$run"
	PEER_FRR+=("$ns")
	for d in zebra bgpd; do
		# shellcheck disable=SC2046
		ip netns exec "$ns" /usr/lib/frr/$d -d -N "$ns" -f "$dir/$d.conf" -i "$run/$d.pid" \
			$([ $d = zebra ] && [ "$evpn" = evpn ] && echo "-s 268435456") \
			--log "file:$run/$d.log" >/dev/null 2>&1 || return 1
		peer_wait 10 test -s "$run/$d.pid" || return 1
		[ $d = zebra ] && { peer_wait 10 test -S "$run/zserv.api" || return 1; }
	done
	FRR_ZEBRA_PID=$(cat "$run/zebra.pid")
	FRR_BGPD_PID=$(cat "$run/bgpd.pid")
	peer_wait 10 vtysh -N "$ns" -c 'show bgp summary json'
}
# peer_frr_vtep NS: the kernel side of an FRR VTEP for VNI 100 in NS:
# bridge br100 (the SVI, 10.0.0.1/8, where zebra puts the neighbours) with
# VXLAN device vx100 (local PEER_RX, no learning), and a connected route to
# the feeder's next hop 192.0.2.2 (a veth pair): bgpd uses only routes whose
# next hop resolves.
peer_frr_vtep() {
	local ns=$1
	ip -n "$ns" link add nh0 type veth peer name nh1 &&
	ip -n "$ns" addr add 192.0.2.254/24 dev nh0 &&
	ip -n "$ns" link set nh1 up && ip -n "$ns" link set nh0 up &&
	ip -n "$ns" link add br100 type bridge &&
	ip -n "$ns" link set br100 addr 02:00:00:00:02:fe &&
	ip -n "$ns" link add vx100 type vxlan id 100 local "$PEER_RX" dstport 4789 nolearning &&
	ip -n "$ns" link set vx100 master br100 &&
	ip -n "$ns" link set dev vx100 type bridge_slave learning off &&
	ip -n "$ns" addr add 10.0.0.1/8 dev br100 &&
	ip -n "$ns" link set vx100 up && ip -n "$ns" link set br100 up
}
# peer_kernel_count NS: "FDB NEIGH", the remote MACs in vx100's FDB and the
# extern_learn neighbours on br100 (bench/kcount).
peer_kernel_count() {
	echo "$(bn_in "$1" "$BN_KCOUNT" fdb vx100) $(bn_in "$1" "$BN_KCOUNT" neigh br100)"
}
# peer_kernel_has NS MAC IP / peer_kernel_none NS MAC IP: both entries of
# one route are in the kernel / neither is.
peer_kernel_has() {
	bn_in "$1" "$BN_KCOUNT" fdb-has vx100 "$2" >/dev/null &&
		bn_in "$1" "$BN_KCOUNT" neigh-has br100 "$3" >/dev/null
}
peer_kernel_none() {
	! bn_in "$1" "$BN_KCOUNT" fdb-has vx100 "$2" >/dev/null &&
		! bn_in "$1" "$BN_KCOUNT" neigh-has br100 "$3" >/dev/null
}
peer_frr_count() {
	vtysh -N "$1" -c 'show bgp l2vpn evpn summary json' 2>/dev/null |
		jq -r --arg p "$PEER_TX" '.peers[$p].pfxRcd // 0'
}

# Stops the FRR instance of NS by its pid files and removes its directories.
peer_frr_stop() {
	local ns=$1 f pid
	for f in /var/run/frr/"$ns"/bgpd.pid /var/run/frr/"$ns"/zebra.pid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		case "$(cat /proc/"$pid"/comm 2>/dev/null)" in
		zebra|bgpd) peer_stop_pid "$pid" ;;
		esac
	done
	cp /var/run/frr/"$ns"/bgpd.log "$OUT/frr-$ns-bgpd.log" 2>/dev/null
	rm -rf "/etc/frr/${ns:?}" "/var/run/frr/${ns:?}"
}

# ---- vtepd -----------------------------------------------------------------

# peer_vtepd_cfg HOST EXTRA_JSON > file: a vtepd for host HOST (namespace
# $BN_PFX-HOST, bpffs $BN_RUN/HOST) with an uplink u1 and VNI 100 (route
# target auto), peering with the feeder; EXTRA_JSON is merged at the top.
peer_vtepd_cfg() {
	jq -n --arg host "$1" --arg run "$BN_RUN" --arg rx "$PEER_RX" --arg tx "$PEER_TX" \
		--argjson rxas "$PEER_RX_AS" --argjson txas "$PEER_TX_AS" --arg gwip "$GW_IP" \
		--arg gwmac "$GW_MAC" --argjson vni "$VNI" --argjson x "${2:-{\}}" '{
		vtep: {ip: "192.0.2.1", uplink: "u1"},
		bpffs: "\($run)/\($host)",
		control_socket: "\($run)/\($host).sock",
		state_dir: "\($run)/\($host)-state",
		metrics: null,
		bgp: {asn: $rxas, router_id: $rx, graceful_restart_s: 0,
		      neighbors: [{address: $tx, asn: $txas, passive: true}]},
		vnis: [{vni: $vni, subnet: "10.0.0.0/8", gateway_ip: $gwip, gateway_mac: $gwmac,
			route_target: "auto"}]
	} * $x'
}

# Bytes the kernel charges for the maps pinned in DIR (bpftool's
# bytes_memlock), as {name: bytes}.
peer_map_bytes() {
	local f
	for f in "$1"/vtep_*; do
		bpftool -j map show pinned "$f" 2>/dev/null
	done | jq -sc 'map({key: .name, value: (.bytes_memlock // 0 | tonumber)}) | from_entries'
}

# Routes in the vtep_routes map pinned in DIR (bench/fill count).
peer_in_map() { "$BN_FILL" -b "$1" -j count 2>/dev/null | jq -r '.routes // 0'; }

# ---- the feeder --------------------------------------------------------------

# peer_feeder NS LOG ARGS...: the feeder in NS, connecting to the receiver,
# in the background (FEEDER_PID); its JSON lines go to LOG.
peer_feeder() {
	local ns=$1 log=$2; shift 2
	nsenter --net=/run/netns/"$ns" "$BN_FEEDER" --connect "$PEER_RX:179" --bind "$PEER_TX" \
		--asn "$PEER_TX_AS" --peer-asn "$PEER_RX_AS" --router-id "$PEER_TX" "$@" \
		>"$log" 2>"$log.err" &
	FEEDER_PID=$!
	PEER_PIDS+=("$FEEDER_PID")
}
# peer_event LOG NAME: the feeder's last NAME event (JSON), or nothing.
peer_event() { jq -c --arg e "$2" 'select(.event == $e)' "$1" 2>/dev/null | tail -n 1; }

peers_cleanup() {
	local pid ns
	for pid in "${PEER_PIDS[@]}"; do peer_stop_pid "$pid"; done
	PEER_PIDS=()
	for ns in "${PEER_FRR[@]}"; do peer_frr_stop "$ns"; done
	PEER_FRR=()
	bn_cleanup
}
