#!/bin/sh
# vtepd-node.sh - the entry point of the vtepd image on a Kubernetes node
# (docs/kubernetes.md "Deploying to a cluster").
#
#   vtepd-node.sh install-cni   the init container: vtepd-cni (and host-local,
#                               portmap when the node lacks them) into
#                               $CNI_BIN_DIR, 10-vtepd.conflist into
#                               $CNI_CONF_DIR
#   vtepd-node.sh render        print this node's vtepd.json
#   vtepd-node.sh run           render into /run/vtepd/vtepd.json, exec vtepd
#
# Node-specific fields come from the environment (the DaemonSet sets
# NODE_NAME and NODE_IP from the downward API) and from the ConfigMap's
# nodes.json, one object per node name:
#   {"node-a": {"vtep_ip": "192.0.2.1", "uplink": "eth0",
#               "pods": {"100": {"range": ["10.1.1.10", "10.1.1.250"],
#                                "host_ip": "10.1.1.1"}}}}
# vtep_ip defaults to NODE_IP (the node's InternalIP), uplink to the
# interface that holds it. Each VNI of the template with outside "host"
# gets host_ip, and the pod network (the conflist) is the VNI named by
# POD_VNI (default: the template's first VNI).
#
# The template (vtepd.json of the ConfigMap) is a vtepd configuration
# without vtep.ip, vtep.uplink and the VNIs' host_ip; bgp.router_id
# "NODE" means vtep_ip. Paths (bpffs, sockets, state_dir) are vtepd's
# defaults unless the template sets them.
set -eu

CONF_DIR=${VTEPD_CONF_DIR:-/etc/vtepd}
RUN_DIR=${VTEPD_RUN_DIR:-/run/vtepd}
CNI_BIN_DIR=${CNI_BIN_DIR:-/host/opt/cni/bin}
CNI_CONF_DIR=${CNI_CONF_DIR:-/host/etc/cni/net.d}
LIB_DIR=${VTEPD_LIB_DIR:-/usr/lib/vtepd}
SYS_CNI=${SYS_CNI_DIR:-/usr/lib/cni}
NODE_NAME=${NODE_NAME:?NODE_NAME (downward API spec.nodeName) is not set}
NODE_IP=${NODE_IP:-}

die() { echo "vtepd-node: $*" >&2; exit 1; }

node() {  # this node's entry of nodes.json, {} when none
	if [ -f "$CONF_DIR/nodes.json" ]; then
		jq -c --arg n "$NODE_NAME" '.[$n] // {}' "$CONF_DIR/nodes.json"
	else
		echo '{}'
	fi
}

vtep_ip() {
	ip=$(node | jq -r '.vtep_ip // empty')
	[ -n "$ip" ] || ip=$NODE_IP
	[ -n "$ip" ] || die "no vtep_ip for $NODE_NAME in nodes.json and NODE_IP unset"
	echo "$ip"
}

uplink() {
	up=$(node | jq -r '.uplink // empty')
	if [ -z "$up" ]; then
		up=$(ip -j addr show | jq -r --arg a "$(vtep_ip)" \
			'.[] | select(any(.addr_info[]?; .local == $a)) | .ifname' | head -n 1)
	fi
	[ -n "$up" ] || die "no uplink for $NODE_NAME: set it in nodes.json (no interface holds $(vtep_ip))"
	echo "$up"
}

pod_vni() {
	v=${POD_VNI:-}
	[ -n "$v" ] || v=$(jq -r '.vnis[0].vni' "$CONF_DIR/vtepd.json")
	echo "$v"
}

render() {
	[ -f "$CONF_DIR/vtepd.json" ] || die "no $CONF_DIR/vtepd.json (the ConfigMap's template)"
	vip=$(vtep_ip)
	jq --arg ip "$vip" --arg up "$(uplink)" --argjson node "$(node)" '
		.vtep = ((.vtep // {}) + {ip: $ip, uplink: $up})
		| if (.bgp.router_id // "") == "NODE" then .bgp.router_id = $ip else . end
		| .vnis = [.vnis[] | (($node.pods // {})[(.vni | tostring)].host_ip) as $h
			| if .outside == "host" and $h != null then . + {host_ip: $h} else . end]
	' "$CONF_DIR/vtepd.json"
}

install_cni() {
	vni=$(pod_vni)
	range=$(node | jq -c --arg v "$vni" '.pods[$v].range // empty')
	[ -n "$range" ] || die "nodes.json: no pods.\"$vni\".range for $NODE_NAME (the node's share of the pod subnet)"
	subnet=$(jq -r --argjson v "$vni" '.vnis[] | select(.vni == $v) | .subnet' "$CONF_DIR/vtepd.json")
	[ -n "$subnet" ] || die "the template has no VNI $vni"
	mkdir -p "$CNI_BIN_DIR" "$CNI_CONF_DIR"
	# Copy then rename: kubelet may run the plugin while it is replaced.
	cp "$LIB_DIR/vtepd-cni" "$CNI_BIN_DIR/.vtepd-cni.new"
	mv -f "$CNI_BIN_DIR/.vtepd-cni.new" "$CNI_BIN_DIR/vtepd-cni"
	for p in host-local portmap; do
		[ -x "$CNI_BIN_DIR/$p" ] || [ ! -x "$SYS_CNI/$p" ] || cp "$SYS_CNI/$p" "$CNI_BIN_DIR/$p"
	done
	# vtepd-cni takes the "bandwidth" capability: a pod's
	# kubernetes.io/egress-bandwidth is policed in vtepd's datapath
	# (docs/kubernetes.md, "The bandwidth plugin").
	jq -n --argjson vni "$vni" --arg sub "$subnet" --argjson r "$range" \
		--arg sock "$(jq -r '.cni_socket // "/run/vtepd/cni.sock"' "$CONF_DIR/vtepd.json")" '{
		cniVersion: "1.0.0", cniVersions: ["0.4.0", "1.0.0", "1.1.0"], name: "vtepd",
		plugins: [
		  {type: "vtepd-cni", vni: $vni, socket: $sock,
		   capabilities: {bandwidth: true},
		   ipam: {type: "host-local",
		          ranges: [[{subnet: $sub, rangeStart: $r[0], rangeEnd: $r[1]}]]}},
		  {type: "portmap", capabilities: {portMappings: true}}]}' \
		>"$CNI_CONF_DIR/.10-vtepd.conflist.new"
	mv -f "$CNI_CONF_DIR/.10-vtepd.conflist.new" "$CNI_CONF_DIR/10-vtepd.conflist"
	echo "vtepd-node: vtepd-cni installed in $CNI_BIN_DIR, $CNI_CONF_DIR/10-vtepd.conflist for VNI $vni ($subnet, $(echo "$range" | jq -r 'join(" - ")'))"
}

case ${1:-run} in
install-cni) install_cni ;;
render) render ;;
run)
	mkdir -p "$RUN_DIR"
	render >"$RUN_DIR/vtepd.json.new"
	mv -f "$RUN_DIR/vtepd.json.new" "$RUN_DIR/vtepd.json"
	exec vtepd -c "$RUN_DIR/vtepd.json"
	;;
*) die "usage: vtepd-node.sh install-cni|render|run" ;;
esac
