#!/bin/bash
# cni_podman.sh - vtepd-cni under a real runtime: Debian's podman 4.3 with
# its CNI backend (network_backend = "cni" in a containers.conf of the
# test's own, CONTAINERS_CONF), the conflist (vtepd-cni then portmap) in a
# private network_config_dir, vtepd-cni in a private plugin directory
# before /usr/lib/cni. Containers run offline from a root filesystem made
# of busybox-static (--rootfs), with podman's storage under $R; nothing is
# pulled. Each node (h1, h2) runs its own podman (own root and runroot)
# inside its namespace, as kubelet's runtime runs on its node.
#   - podman run: the container gets its address and route from vtepd;
#     vtepctl pods names it; containers on the two nodes ping each other
#     across VXLAN; podman inspect shows the address vtepd-cni returned;
#   - podman stop: DEL: the pod is gone from vtepd, the other node's route
#     is withdrawn, host-local freed the address;
#   - podman start again: a new ADD, reachable again;
#   - podman rm -f: nothing is left.
# Every container is removed by the name it was given.
PFX=${PFX:-vp-}
R=${R:-/run/vtepd-podman-test}
. "$(dirname "$0")/bgp_lib.sh"
. "$(dirname "$0")/cni_lib.sh"

command -v podman >/dev/null && [ -x /bin/busybox ] && [ -x "$CNI_SYS/host-local" ] ||
	{ echo "SKIP cni_podman: needs podman, busybox-static and containernetworking-plugins (make deps)"; exit 77; }
bgp_begin
# crun refuses a host whose cgroups are mixed v1 and v2 ("cgroups in hybrid
# mode not supported"), even with --cgroups disabled; runc with cgroupfs
# runs.
PODMAN_RUNTIME=${PODMAN_RUNTIME:-$(command -v runc || command -v crun)}

# Containers we created, by node and name: removed on exit whatever happened.
PODMAN_CTRS=()
podman_cleanup() {
	local e
	for e in "${PODMAN_CTRS[@]}"; do pm "${e%%:*}" rm -f -t 0 "${e#*:}" >/dev/null 2>&1; done
	PODMAN_CTRS=()
}
# shellcheck disable=SC2154 # rc is set inside the trap
trap 'rc=$?; podman_cleanup; frr_down; (exit $rc); net_cleanup' EXIT

ROOTFS=$R/rootfs
run mkdir -p "$ROOTFS/bin" "$ROOTFS/proc" "$ROOTFS/sys" "$ROOTFS/dev" "$ROOTFS/etc" "$ROOTFS/tmp"
DIRS+=("$ROOTFS")
run cp /bin/busybox "$ROOTFS/bin/busybox"
for a in sh sleep ping ip cat; do run ln -sf busybox "$ROOTFS/bin/$a"; done

# podman's files for node H: containers.conf, the conflist, storage
# (cni_two_nodes has made H the CNI node).
podman_node() {
	local h=$1 d; d=$(hostdir "$h")/podman
	mkdir -p "$d/net.d" "$d/root" "$d/run" "$d/tmp"
	cat >"$d/containers.conf" <<CONF
[network]
network_backend = "cni"
network_config_dir = "$d/net.d"
cni_plugin_dirs = ["$CNI_BIN", "$CNI_SYS"]
[engine]
tmp_dir = "$d/tmp"
events_logger = "none"
cgroup_manager = "cgroupfs"
CONF
	cni_conflist "$d/net.d/pods.conflist" pods 100 "${h#h}" "$CNI_SOCK" 1.0.0
}
# pm H ARGS...: podman of node H, in H's namespace.
pm() {
	local h=$1 d; shift; d=$(hostdir "$h")/podman
	CONTAINERS_CONF=$d/containers.conf nsenter --net="/run/netns/$(ns_of "$h")" -- \
		podman --root "$d/root" --runroot "$d/run" --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend none "$@"
}
cni_two_nodes --node podman_node

# ctr_run H NAME: a container on node H's "pods" network, sleeping.
ctr_run() {
	PODMAN_CTRS+=("$1:$2")
	# --ulimit: below any hard limit (a sandbox may not let the runtime
	# raise RLIMIT_NOFILE and RLIMIT_NPROC to podman's defaults)
	pm "$1" run -d --name "$2" --network pods --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
		--runtime "$PODMAN_RUNTIME" --rootfs "$ROOTFS" /bin/sleep 3600
}
# ctr_ip H NAME: its address as vtepd holds it (vtepctl pods, by podman's
# container id).
ctr_id() { pm "$1" inspect -f '{{.Id}}' "$2"; }
ctr_ip() { local id; id=$(ctr_id "$1" "$2"); vt "$1" -j pods | jq -r --arg c "$id" '.[] | select(.container_id == $c) | .ip'; }

netls() { pm h1 network ls --format '{{.Name}} {{.Driver}}' | tee /dev/stderr | matches '^pods '; }
check "podman (CNI backend) sees the conflist's network pods" netls
check "podman run ${PFX}c1 on h1 (vtepd-cni ADD, then portmap)" ctr_run h1 "${PFX}c1"
check "podman run ${PFX}c2 on h2" ctr_run h2 "${PFX}c2"
IP1=$(ctr_ip h1 "${PFX}c1"); IP2=$(ctr_ip h2 "${PFX}c2")
in_range() { echo "c1 $IP1 c2 $IP2"; [[ $IP1 == 10.1.1.* ]] && [[ $IP2 == 10.1.2.* ]]; }
check "vtepctl pods lists both containers, each from its node's range" in_range
inspect_ip() {
	local ip; ip=$(pm h1 inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "${PFX}c1")
	echo "podman inspect: $ip"; [ "$ip" = "$IP1" ]
}
check "podman inspect shows the address vtepd-cni returned" inspect_ip
inside() {  # the container's own view: eth0 with the /32, default via the gateway
	pm h1 exec "${PFX}c1" /bin/ip -4 addr show eth0 | tee /dev/stderr | matches "inet $IP1/32" &&
		pm h1 exec "${PFX}c1" /bin/ip route | tee /dev/stderr | matches "default via 10.1.255.254 dev eth0 onlink"
}
check "inside c1: eth0 holds $IP1/32, default via 10.1.255.254 onlink" inside
check_until "h2 learned c1 over BGP" 15 has_route h2 "$IP1/32" "$(vtep_ip h1)"
check_until "h1 learned c2 over BGP" 15 has_route h1 "$IP2/32" "$(vtep_ip h2)"
c_ping() { pm "$1" exec "$2" /bin/ping -c 3 -W 2 "$3"; }
check "c1 (h1) -> c2 (h2) across VXLAN" c_ping h1 "${PFX}c1" "$IP2"
check "c2 (h2) -> c1 (h1) across VXLAN" c_ping h2 "${PFX}c2" "$IP1"

check "podman stop c1 (DEL)" pm h1 stop -t 0 "${PFX}c1"
no_pod() { local p; p=$(vt h1 -j pods); echo "$p"; [ "$p" = "[]" ]; }
check "vtepd holds no pod on h1" no_pod
check_until "h2 withdrew c1's route" 15 no_route h2 "$IP1/32"
cni_node h1
freed() { ! ipam_has pods "$IP1"; }
check "host-local freed $IP1" freed
check "podman start c1 again (a new ADD)" pm h1 start "${PFX}c1"
IP1=$(ctr_ip h1 "${PFX}c1")
check_until "h2 learned c1 again ($IP1)" 15 has_route h2 "$IP1/32" "$(vtep_ip h1)"
check "c2 -> c1 again" c_ping h2 "${PFX}c2" "$IP1"

rm_all() { pm h1 rm -f -t 0 "${PFX}c1" && pm h2 rm -f -t 0 "${PFX}c2"; }
check "podman rm -f c1, c2" rm_all
PODMAN_CTRS=()
empty() {
	local a b; a=$(vt h1 -j pods); b=$(vt h2 -j pods); echo "$a $b"
	[ "$a" = "[]" ] && [ "$b" = "[]" ] && [ "$(vt h1 -j ports)" = "[]" ] && [ "$(vt h2 -j ports)" = "[]" ] &&
		[ -z "$(ipam_ips pods)" ]
}
check "nothing is left: no pods, no ports, no addresses" empty
