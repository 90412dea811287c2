# shellcheck shell=bash disable=SC2034  # (variables set here are read by the sourcing scripts)
# topo.sh - the two-host topology of the forwarding and TCP figures (sourced
# after lib.sh by bench/fwd.sh and bench/tcp.sh, not run).
#
# Two simulated hosts ($BN_PFX-h1, -h2) joined by a veth "fabric" link
# (u1-u2), a workload on each ($BN_PFX-w1 behind port p1 on h1, -w2 behind p2
# on h2). One of three systems is built on it, from scratch each time:
#   routed        h1 and h2 route the other workload's /32 over the link
#   bridge_vxlan  a Linux bridge with the port and a VXLAN device (VNI 100,
#                 static fdb entries, no learning) on each host: the kernel
#                 path FRR programs for EVPN
#   vtepd         vtepd on each host, a static route for the other workload
#                 (vtep.uplink_attach auto, xdp or tc: topo_vtepd's second
#                 argument; TOPO_UPLINKS then says what each vtepd chose)
# topo_base takes TOPO_UNDERLAY_MTU (default 1500) for the u1-u2 link: the
# TCP figures give the underlay room for the 50 octets of VXLAN, as a data
# center fabric does, so every system carries 1500-octet workload packets.

TOPO_UPLINKS=null; TOPO_UPLINK_MODE=
TOPO_NS="$BN_PFX-h1 $BN_PFX-h2 $BN_PFX-w1 $BN_PFX-w2"
TH1=$BN_PFX-h1; TH2=$BN_PFX-h2; TW1=$BN_PFX-w1; TW2=$BN_PFX-w2

topo_base() {
	local ns
	for ns in $TOPO_NS; do bn_ns_add "$ns" || return 1; done
	bn_veth "$TH1" p1 "$TW1" eth0 "" "$W1_MAC" &&
	bn_veth "$TH2" p2 "$TW2" eth0 "" "$W2_MAC" &&
	bn_veth "$TH1" u1 "$TH2" u2 "$U1_MAC" "$U2_MAC" || return 1
	ip -n "$TH1" link set u1 mtu "${TOPO_UNDERLAY_MTU:-1500}"
	ip -n "$TH2" link set u2 mtu "${TOPO_UNDERLAY_MTU:-1500}"
	ip -n "$TW1" addr add "$W1_IP/8" dev eth0
	ip -n "$TW2" addr add "$W2_IP/8" dev eth0
	ip -n "$TH1" addr add "$VTEP1/32" dev lo
	ip -n "$TH2" addr add "$VTEP2/32" dev lo
	ip -n "$TH1" addr add "$U1_IP/30" dev u1
	ip -n "$TH2" addr add "$U2_IP/30" dev u2
	ip -n "$TH1" route add "$VTEP2/32" via "$U2_IP" dev u1
	ip -n "$TH2" route add "$VTEP1/32" via "$U1_IP" dev u2
	ip -n "$TH1" neigh replace "$U2_IP" lladdr "$U2_MAC" dev u1 nud permanent
	ip -n "$TH2" neigh replace "$U1_IP" lladdr "$U1_MAC" dev u2 nud permanent
}

# Each setup_* sets DMAC: the destination MAC w1 must use towards w2.
topo_routed() {
	local h
	for h in "$TH1" "$TH2"; do bn_in "$h" sysctl -qw net.ipv4.conf.all.forwarding=1; done
	ip -n "$TH1" route add "$W2_IP/32" via "$U2_IP" dev u1 &&
	ip -n "$TH1" route add "$W1_IP/32" dev p1 &&
	ip -n "$TH2" route add "$W2_IP/32" dev p2 &&
	ip -n "$TH2" route add "$W1_IP/32" via "$U1_IP" dev u2 &&
	ip -n "$TH1" neigh replace "$W1_IP" lladdr "$W1_MAC" dev p1 nud permanent &&
	ip -n "$TH2" neigh replace "$W2_IP" lladdr "$W2_MAC" dev p2 nud permanent || return 1
	DMAC=$(bn_ifmac "$TH1" p1)
	DMAC2=$(bn_ifmac "$TH2" p2)
}

topo_bridge() {
	local h vtep port other
	for h in 1 2; do
		if [ $h = 1 ]; then vtep=$VTEP1; port=p1; other=$VTEP2
		else vtep=$VTEP2; port=p2; other=$VTEP1; fi
		ip -n "$BN_PFX-h$h" link add br0 type bridge &&
		ip -n "$BN_PFX-h$h" link add vx0 type vxlan id "$VNI" local "$vtep" dstport 4789 nolearning &&
		ip -n "$BN_PFX-h$h" link set vx0 mtu 1500 &&
		ip -n "$BN_PFX-h$h" link set vx0 master br0 &&
		ip -n "$BN_PFX-h$h" link set $port master br0 &&
		ip -n "$BN_PFX-h$h" link set vx0 up && ip -n "$BN_PFX-h$h" link set br0 up || return 1
		# Static entries both ways, as an EVPN-fed bridge would have.
		bridge -n "$BN_PFX-h$h" fdb replace "$W2_MAC" dev vx0 dst "$other" self permanent
		bridge -n "$BN_PFX-h$h" fdb replace "$W1_MAC" dev vx0 dst "$other" self permanent
	done
	bridge -n "$TH1" fdb replace "$W2_MAC" dev vx0 master static &&
	bridge -n "$TH1" fdb replace "$W1_MAC" dev p1 master static &&
	bridge -n "$TH2" fdb replace "$W2_MAC" dev p2 master static &&
	bridge -n "$TH2" fdb replace "$W1_MAC" dev vx0 master static || return 1
	DMAC=$W2_MAC
	DMAC2=$W1_MAC
}

# topo_vtepd N [auto|xdp|tc]: vtepd on both hosts (vtep.uplink_attach,
# default auto: vtepd's own default), plus N extra remote routes on h1. Sets
# TOPO_UPLINKS ({h1: {ifname, mode, generic, reason}, h2: ...}: what each
# vtepd chose, from `vtepctl -j status`) and TOPO_UPLINK_MODE (their one
# mode, or "mixed").
# port_j IFNAME IP IP6: the one port of a host, dual-stack (the vtepd6
# system sends IPv6 between the same workloads).
port_j() {
	jq -nc --arg i "$1" --arg a "$2" --arg a6 "$3" --argjson v "$VNI" \
		'[{ifname: $i, vni: $v, ip: $a, ip6: $a6, mac: "auto"}]'
}
# route_j IP IP6 VTEP MAC: the other workload's /32 and /128.
route_j() {
	jq -nc --arg p "$1/32" --arg p6 "$2/128" --arg t "$3" --arg m "$4" --argjson v "$VNI" \
		'[{vni: $v, prefix: $p, vtep: $t, mac: $m}, {vni: $v, prefix: $p6, vtep: $t, mac: $m}]'
}

topo_vtepd() {
	local n=${1:-0} attach=${2:-auto} h
	# bpf_fib_lookup for encapsulation runs in input mode on the port
	# (bpf/encap.h): the host must forward IPv4.
	for h in "$TH1" "$TH2"; do bn_in "$h" sysctl -qw net.ipv4.conf.all.forwarding=1; done
	bn_bpffs h1 && bn_bpffs h2 || return 1
	bn_vtepd_cfg h1 "$VTEP1" u1 "$attach" \
		"$(port_j p1 "$W1_IP" "$W1_IP6")" "$(route_j "$W2_IP" "$W2_IP6" "$VTEP2" "$W2_MAC")" \
		> "$BN_RUN/h1.json"
	bn_vtepd_cfg h2 "$VTEP2" u2 "$attach" \
		"$(port_j p2 "$W2_IP" "$W2_IP6")" "$(route_j "$W1_IP" "$W1_IP6" "$VTEP1" "$W1_MAC")" \
		> "$BN_RUN/h2.json"
	bn_vtepd_start h1 "$BN_RUN/h1.json"
	bn_vtepd_start h2 "$BN_RUN/h2.json"
	bn_wait_tc "$TH1" p1
	bn_wait_tc "$TH2" p2
	TOPO_UPLINKS=$(bn_uplinks h1 h2)
	TOPO_UPLINK_MODE=$(bn_uplink_mode "$TOPO_UPLINKS")
	bn_log "vtepd uplink_attach $attach: $(jq -r 'to_entries |
		map("\(.key) \(.value.ifname // "?") \(.value.mode // "?") (\(.value.reason // ""))") |
		join(", ")' <<<"$TOPO_UPLINKS")"
	if [ "$n" -gt 0 ]; then
		"$BN_FILL" -b "$BN_RUN/h1" -n "$n" add >&2 || return 1
	fi
	DMAC=$GW_MAC
	DMAC2=$GW_MAC
}
