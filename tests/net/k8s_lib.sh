# shellcheck shell=bash
# k8s_lib.sh - a small Kubernetes cluster's network for the k8s_*.sh
# scenarios, on bgp_lib.sh and cni_lib.sh:
#
#   ${PFX}fab    the fabric: routes the underlay; FRR route reflector (AS
#                65000, iBGP) for h1, h2 and h3; 203.0.113.1/24 towards
#                ${PFX}inet. K8S_RR=gobgp: GoBGP is the reflector instead
#                (same AS, router and cluster id), a graceful-restart
#                helper for l2vpn-evpn towards h1 and h2 (RFC 4724: it
#                keeps a restarting vtepd's routes, stale, until its
#                End-of-RIB); K8S_RR_GR=0 leaves graceful restart off there
#                (what FRR 8.4 does for EVPN, to show the loss it causes)
#   ${PFX}h1/h2  Kubernetes nodes: vtepd (the capabilities of the DaemonSet)
#                with VNI 100 (10.1.0.0/16, the pods) and VNI 200
#                (10.2.0.0/16, another tenant), both outside "host" with
#                host_ip 10.V.N.1; pods attached through vtepd-cni (and
#                portmap) from host-local ranges 10.V.N.10-250; default
#                route via the fabric
#   ${PFX}h3     an FRR 8.4 EVPN leaf (bridge + VXLAN, advertise-all-vni)
#                with the host ${PFX}w31 (10.1.0.31) behind it
#   ${PFX}inet   "the internet": 203.0.113.2, a TCP server; the fabric has
#                no route to the pods, so only masqueraded traffic returns
#
# kube-proxy's rules for one ClusterIP Service (10.96.0.10:80 -> backends'
# 8080) are written here as kube-proxy writes them: kp_iptables prints the
# iptables-restore input of its iptables proxier (chains KUBE-SERVICES,
# KUBE-SVC-<hash>, KUBE-SEP-<hash>, KUBE-MARK-MASQ, KUBE-POSTROUTING,
# KUBE-FORWARD; the statistic match splitting between endpoints), loaded
# with iptables-legacy-restore or iptables-nft-restore; kp_nft prints the
# "ip kube-proxy" table of its nftables proxier (the service-ips verdict
# map, service-<hash>-<name> and endpoint-<hash>-<name> chains, numgen
# random, mark-for-masquerade and masquerading). Chain hashes are
# kube-proxy's: base32 of SHA-256, 16 characters (8 for nftables).

PFX=${PFX:-k8-}
R=${R:-/run/vtepd-test-k8}
# shellcheck source=tests/net/bgp_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/bgp_lib.sh"
# shellcheck source=tests/net/cni_lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/cni_lib.sh"

ASN=65000
INET=${PFX}inet
INET_IP=203.0.113.2
SVC_IP=10.96.0.10
SVC_PORT=80
POD_PORT=8080
WHOAMI=$TOP/tests/net/k8s_whoami.py
LEAF=${PFX}h3
W31=${PFX}w31
K8S_RR=${K8S_RR:-frr}      # the reflector: frr (FRR 8.4) or gobgp
K8S_RR_GR=${K8S_RR_GR:-1}  # gobgp: graceful restart towards h1 and h2

host_ip() { echo "10.$1.${2#h}.1"; }   # host_ip VNI_OCTET H: 10.1.1.1

# ---------------------------------------------------------------- topology

k8s_inet() {
	ns_add "$INET"
	run ip -n "$FAB" link add to-inet type veth peer name eth0 netns "$INET"
	run ip -n "$FAB" addr add 203.0.113.1/24 dev to-inet
	run ip -n "$FAB" link set to-inet up
	run ip -n "$INET" addr add "$INET_IP/24" dev eth0
	run ip -n "$INET" link set eth0 up
	run ip -n "$INET" route add default via 203.0.113.1
}

# k8s_leaf_conf: FRR on h3, an EVPN leaf and client of the reflector.
k8s_leaf_conf() {
	cat <<EOC
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
EOC
}

# k8s_gobgp_conf: gobgpd's config as the reflector (K8S_RR=gobgp): the
# uplink addresses of h1, h2 and h3 are its route-reflector clients (RFC
# 4456, cluster id = router id), L2VPN/EVPN only, fast timers; towards the
# vtepd nodes graceful restart is on for l2vpn-evpn (bgp_lib's
# gobgp_neighbor_toml: [neighbors.graceful-restart.config] and the
# afi-safi's mp-graceful-restart), so GoBGP is their helper.
k8s_gobgp_conf() {
	local id h gr rr
	id=$(fab_ip h1)
	rr=$(printf '  [neighbors.route-reflector.config]\n    route-reflector-client = true\n    route-reflector-cluster-id = "%s"' "$id")
	printf '[global.config]\n  as = %s\n  router-id = "%s"\n  port = 179\n' "$ASN" "$id"
	for h in h1 h2 h3; do
		gr=0
		[ "$h" != h3 ] && gr=$K8S_RR_GR
		gobgp_neighbor_toml "$(uplink_ip "$h")" "$ASN" "$gr" 0 "" "$rr"
	done
}

# k8s_node_config H: bgp_lib's file without static ports, peering with the
# reflector, the two VNIs with outside "host" and host_ip, the CNI socket.
k8s_node_config() {
	local h=$1 f n=${1#h}
	bgp_config "$h" "$ASN" "[$(nbr_j "$(fab_ip "$h")" "$ASN" '{"hold_time_s": 9, "keepalive_s": 3}')]" ""
	cni_vtepd_config "$h"
	f=$(cfg_of "$h")
	jq --arg h1 "10.1.$n.1" --arg h2 "10.2.$n.1" '
		.vnis = [
		  (.vnis[0] + {outside: "host", host_ip: $h1}),
		  {vni: 200, subnet: "10.2.0.0/16", gateway_ip: "10.2.255.254",
		   gateway_mac: "02:00:00:00:02:00", outside: "host", host_ip: $h2}]' \
		"$f" >"$f.tmp" && mv "$f.tmp" "$f" || die "cannot write $f"
}

# k8s_conflist FILE NAME VNI NODE: vtepd-cni (host-local 10.VNI/100.NODE.10-250
# of 10.VNI/100.0.0/16) then portmap, as the DaemonSet's init container
# writes it (dist/kubernetes).
k8s_conflist() {
	local f=$1 name=$2 vni=$3 node=$4 o=$(($3 / 100))
	jq -n --arg name "$name" --argjson vni "$vni" --arg sock "$CNI_SOCK" \
		--arg sub "10.$o.0.0/16" --arg start "10.$o.$node.10" --arg rend "10.$o.$node.250" \
		--arg data "$CNI_IPAM_DIR" --arg gw "10.$o.255.254" '{
	cniVersion: "1.0.0", cniVersions: ["0.4.0", "1.0.0"], name: $name,
	plugins: [{type: "vtepd-cni", vni: $vni, socket: $sock,
	           ipam: {type: "host-local", dataDir: $data,
	                  ranges: [[{subnet: $sub, rangeStart: $start, rangeEnd: $rend}]]}},
	          {type: "portmap", capabilities: {portMappings: true}}]}' >"$f"
}

# k8s_up: the whole cluster, sessions up, the leaf's host known.
k8s_up() {
	local h
	topo_fabric
	for h in h1 h2 h3; do topo_host "$h"; done
	# A Kubernetes node forwards (kubelet and kube-proxy want
	# net.ipv4.ip_forward=1): replies to masqueraded pod traffic arrive on
	# the uplink and are forwarded to the pod.
	for h in h1 h2; do
		run ip -n "$(ns_of "$h")" route add default via "$(fab_ip "$h")"
		run nx "$(ns_of "$h")" sysctl -qw net.ipv4.ip_forward=1
	done
	k8s_inet
	frr_leaf_topo h3 31
	case $K8S_RR in
	frr) frr_start "$FAB" "$(frr_rr_conf "$FAB" "$ASN" "$(fab_ip h1)" "h1 h2 h3" \
		"bgp graceful-restart")" 3>>"$LOG" ;;
	gobgp) gobgp_start "$FAB" "$(k8s_gobgp_conf)" ;;
	*) die "K8S_RR=$K8S_RR: frr or gobgp" ;;
	esac
	frr_start "$LEAF" "$(k8s_leaf_conf)" 3>>"$LOG"
	cni_setup
	for h in h1 h2; do
		cni_node "$h"
		k8s_node_config "$h"
		k8s_conflist "$CNI_LIST" pods 100 "${h#h}"
		k8s_conflist "$(hostdir "$h")/tenant.conflist" tenant 200 "${h#h}"
		vtepd_start "$h"
	done
	for h in h1 h2; do
		wait_until 30 peer_up "$h" "$(fab_ip "$h")" || die "$h: no session with the reflector"
	done
	frr_local_ip "$W31" "$(wl_ip 31)" "$LEAF" || die "the FRR leaf did not learn w31"
}

# ---------------------------------------------------------------- pods

declare -A POD_IP=() POD_NODE=() POD_LIST=()

# pod_add H NAME [LIST]: a pod on node H through the runtime (vtepd-cni then
# portmap), its whoami server started on POD_PORT.
pod_add() {
	local h=$1 name=$2 list ns
	cni_node "$h"
	list=${3:-$CNI_LIST}
	# Not in a $(...): ns_add records the namespace for the cleanup.
	pod_ns "$name" >/dev/null
	ns=/run/netns/${PFX}$name
	cni_add "$list" "c-$name" "$ns" eth0 default "$name" || return 1
	POD_IP[$name]=$(pod_ip "$list" "c-$name")
	POD_NODE[$name]=$h
	POD_LIST[$name]=$list
	bg "whoami-$name" nx "${PFX}$name" "$PY" "$WHOAMI" "$name" "$POD_PORT" 600
	wait_until 10 grep -q listening "$LOGDIR/whoami-$name.out"
}
# pod_del NAME: DEL through the runtime, the namespace removed.
pod_del() {
	local name=$1
	cni_node "${POD_NODE[$name]}"
	cni_del "${POD_LIST[$name]}" "c-$name" "/run/netns/${PFX}$name" eth0 || return 1
	pod_ns_del "$name"
}

# ask NS IP PORT: one TCP connection; prints the server's line.
ask() {
	nx "$1" timeout 3 bash -c "exec 3<>/dev/tcp/$2/$3 && head -n 1 <&3"
}
# ask_is NS IP PORT NAME [PEER]: the answer comes from NAME (and saw PEER).
ask_is() {
	local a; a=$(ask "$1" "$2" "$3"); echo "answer: ${a:-none}"
	[ "${a%% *}" = "$4" ] && { [ -z "${5:-}" ] || [ "${a#* }" = "$5" ]; }
}
# ask_fails NS IP PORT: no answer.
ask_fails() { local a; a=$(ask "$@" 2>&1); echo "answer: ${a:-none}"; ! ask "$@" >/dev/null 2>&1; }

# leaf_has IP...: the FRR leaf's EVPN table holds a type-2 route for each.
leaf_has() {
	local j ip; j=$(vty "$LEAF" "show bgp l2vpn evpn route type macip json")
	for ip in "$@"; do
		jqe "$j" '[.. | objects | select(has("ip")) | .ip] | index($ip) != null' --arg ip "$ip" ||
			{ echo "leaf: no type-2 for $ip"; return 1; }
	done
}

# no_loss PID NAME: the ping flood started as bg NAME (pid PID) ends within
# 30 s with every echo answered (its summary shown).
no_loss() { bg_wait "$1" 30; cat "$LOGDIR/$2.out"; grep -q " 0% packet loss" "$LOGDIR/$2.out"; }

# ---------------------------------------------------------------- kube-proxy

# kp_hash LEN TEXT: kube-proxy's chain hash (proxy/iptables/proxier.go
# portProtoHash: base32(sha256(text)), the first LEN characters).
kp_hash() { "$PY" -c 'import base64,hashlib,sys; print(base64.b32encode(hashlib.sha256(sys.argv[2].encode()).digest()).decode()[:int(sys.argv[1])])' "$1" "$2"; }

# kp_iptables EP1 EP2: the iptables-restore input kube-proxy's iptables
# mode writes for Service default/whoami port "http" (ClusterIP
# SVC_IP:SVC_PORT/TCP -> EP:POD_PORT), clusterCIDR 10.1.0.0/16.
kp_iptables() {
	local spn="default/whoami:http" svc sep1 sep2
	svc=KUBE-SVC-$(kp_hash 16 "${spn}tcp")
	sep1=KUBE-SEP-$(kp_hash 16 "${spn}tcp$1:$POD_PORT")
	sep2=KUBE-SEP-$(kp_hash 16 "${spn}tcp$2:$POD_PORT")
	cat <<EOR
*filter
:KUBE-EXTERNAL-SERVICES - [0:0]
:KUBE-FIREWALL - [0:0]
:KUBE-FORWARD - [0:0]
:KUBE-KUBELET-CANARY - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-PROXY-CANARY - [0:0]
:KUBE-PROXY-FIREWALL - [0:0]
:KUBE-SERVICES - [0:0]
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS
-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL
-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
COMMIT
*nat
:KUBE-MARK-MASQ - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SERVICES - [0:0]
:$svc - [0:0]
:$sep1 - [0:0]
:$sep2 - [0:0]
-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0
-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully
-A KUBE-SERVICES -m comment --comment "$spn cluster IP" -m tcp -p tcp -d $SVC_IP/32 --dport $SVC_PORT -j $svc
-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A $svc -m comment --comment "$spn cluster IP" -m tcp -p tcp -d $SVC_IP/32 --dport $SVC_PORT ! -s 10.1.0.0/16 -j KUBE-MARK-MASQ
-A $svc -m comment --comment "$spn -> $1:$POD_PORT" -m statistic --mode random --probability 0.50000000000 -j $sep1
-A $svc -m comment --comment "$spn -> $2:$POD_PORT" -j $sep2
-A $sep1 -m comment --comment "$spn" -s $1/32 -j KUBE-MARK-MASQ
-A $sep1 -m comment --comment "$spn" -m tcp -p tcp -j DNAT --to-destination $1:$POD_PORT
-A $sep2 -m comment --comment "$spn" -s $2/32 -j KUBE-MARK-MASQ
-A $sep2 -m comment --comment "$spn" -m tcp -p tcp -j DNAT --to-destination $2:$POD_PORT
COMMIT
EOR
}

# kp_nft EP1 EP2: the "ip kube-proxy" table of kube-proxy's nftables mode
# for the same Service.
kp_nft() {
	local spn="default/whoami/tcp/http" svc ep1 ep2
	svc="service-$(kp_hash 8 "${spn}")-default/whoami/tcp/http"
	ep1="endpoint-$(kp_hash 8 "${spn}$1:$POD_PORT")-default/whoami/tcp/http__$1/$POD_PORT"
	ep2="endpoint-$(kp_hash 8 "${spn}$2:$POD_PORT")-default/whoami/tcp/http__$2/$POD_PORT"
	cat <<EOR
add table ip kube-proxy { comment "rules for kube-proxy" ; }
add chain ip kube-proxy mark-for-masquerade
add rule ip kube-proxy mark-for-masquerade mark set mark or 0x4000
add chain ip kube-proxy masquerading
add rule ip kube-proxy masquerading mark and 0x4000 == 0 return
add rule ip kube-proxy masquerading mark set mark xor 0x4000
add rule ip kube-proxy masquerading masquerade fully-random
add chain ip kube-proxy services
add chain ip kube-proxy service-endpoints-check
add chain ip kube-proxy filter-prerouting { type filter hook prerouting priority -110 ; }
add chain ip kube-proxy filter-forward { type filter hook forward priority -110 ; }
add rule ip kube-proxy filter-forward ct state invalid drop
add chain ip kube-proxy nat-output { type nat hook output priority -100 ; }
add rule ip kube-proxy nat-output jump services
add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority 100 ; }
add rule ip kube-proxy nat-postrouting jump masquerading
add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }
add rule ip kube-proxy nat-prerouting jump services
add set ip kube-proxy cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }
add element ip kube-proxy cluster-ips { $SVC_IP }
add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }
add chain ip kube-proxy $svc
add rule ip kube-proxy $svc ip daddr $SVC_IP tcp dport $SVC_PORT ip saddr != 10.1.0.0/16 jump mark-for-masquerade
add chain ip kube-proxy $ep1
add rule ip kube-proxy $ep1 ip saddr $1 jump mark-for-masquerade
add rule ip kube-proxy $ep1 meta l4proto tcp dnat to $1:$POD_PORT
add chain ip kube-proxy $ep2
add rule ip kube-proxy $ep2 ip saddr $2 jump mark-for-masquerade
add rule ip kube-proxy $ep2 meta l4proto tcp dnat to $2:$POD_PORT
add rule ip kube-proxy $svc numgen random mod 2 vmap { 0 : goto $ep1 , 1 : goto $ep2 }
add element ip kube-proxy service-ips { $SVC_IP . tcp . $SVC_PORT : goto $svc }
add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips
EOR
}

# kp_load H MODE EP1 EP2: kube-proxy's rules on node H in MODE
# (iptables-legacy, iptables-nft, nft); kp_flush H MODE removes them.
kp_load() {
	local ns; ns=$(ns_of "$1")
	case $2 in
	iptables-legacy) kp_iptables "$3" "$4" | nx "$ns" iptables-legacy-restore --noflush ;;
	iptables-nft) kp_iptables "$3" "$4" | nx "$ns" iptables-nft-restore --noflush ;;
	nft) kp_nft "$3" "$4" | nx "$ns" nft -f - ;;
	esac
}
kp_flush() {
	local ns t; ns=$(ns_of "$1")
	case $2 in
	iptables-legacy|iptables-nft)
		for t in nat filter; do
			nx "$ns" "$2" -t "$t" -F
			nx "$ns" "$2" -t "$t" -X
		done ;;
	nft) nx "$ns" nft delete table ip kube-proxy ;;
	esac
	nx "$ns" conntrack -F >/dev/null 2>&1
	return 0
}
