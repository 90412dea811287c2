#!/bin/bash
# k8s_deploy.sh - the Kubernetes deployment files (dist/kubernetes), offline:
#   - yamllint (Debian's) accepts every manifest;
#   - every manifest validates against the Kubernetes API schemas of the npm
#     package kubernetes-models (installed into build/k8s-validate, the
#     test's own directory), and the DaemonSet has exactly the capabilities
#     the tests and dist/vtepd.service run vtepd with, the host mounts it
#     needs, the downward API fields (tests/k8s_validate.js);
#   - vtepd-node.sh renders each node's vtepd.json from the ConfigMap, which
#     vtepd accepts (vtepd --probe -c: exit 2 on a bad file), and writes the
#     10-vtepd.conflist, chained with portmap, with the node's pod range;
#   - the image (Containerfile) builds with podman from a base made here
#     out of this machine's files (no registry is reachable: see
#     docs/kubernetes.md), and runs: vtepd -V, render, install-cni, and
#     vtepd itself in a test network namespace with the DaemonSet's
#     capabilities and mounts, where it makes its host link and answers
#     vtepctl. SKIP with the reason when podman cannot run here.
# Needs root (podman, namespaces), yamllint, node and npm, jq, podman,
# busybox-static. Namespaces and paths: k8d-*, /run/vtepd-test-k8d.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=$TOP/build
MODS=$B/k8s-validate
OUT=$(mktemp -d /tmp/k8s-deploy.XXXXXX)
R=/run/vtepd-test-k8d
NS=k8d-node
IMG=localhost/vtepd:k8d-test
BASE=localhost/vtepd-base:k8d-test
CTR=k8d-vtepd
PASSES=0 FAILS=0 SKIPS=0
pass() { PASSES=$((PASSES + 1)); echo "PASS k8s_deploy: $*"; }
fail() { FAILS=$((FAILS + 1)); echo "FAIL k8s_deploy: $*"; }
skip() { SKIPS=$((SKIPS + 1)); echo "SKIP k8s_deploy: $*"; }
check() {
	local n=$1; shift
	if "$@" >"$OUT/last" 2>&1; then pass "$n"; else fail "$n"; tail -n 8 "$OUT/last" | sed 's/^/    | /'; fi
	cat "$OUT/last" >>"$OUT/log"
}

RUNTIME=${PODMAN_RUNTIME:-$(command -v runc || command -v crun)}
# pm ARGS...: podman with its storage under $R (vfs, cgroupfs, no events):
# nothing is left in the machine's own storage, as tests/net/cni_podman.sh.
pm() {
	CONTAINERS_CONF=$R/containers.conf podman --root "$R/podman/root" --runroot "$R/podman/run" \
		--storage-driver vfs --cgroup-manager cgroupfs --events-backend none "$@"
}
# Below any hard limit (a sandbox may not let the runtime raise them).
LIMITS=(--ulimit nofile=1024:1024 --ulimit nproc=1024:1024)

cleanup() {
	pm rm -f "$CTR" >/dev/null 2>&1
	pm rmi -f "$IMG" "$BASE" >/dev/null 2>&1
	ip netns del "$NS" 2>/dev/null
	mountpoint -q "$R/bpf" && umount "$R/bpf"
	rm -rf "$R" "$OUT"
	echo "k8s_deploy: $PASSES passed, $FAILS failed, $SKIPS skipped"
	[ $FAILS -eq 0 ]
}
trap 'cleanup; exit $?' EXIT

for b in vtepd vtepctl vtepd-cni; do [ -x "$B/$b" ] || { fail "$B/$b not built (make)"; exit 1; }; done
MANIFESTS=("$TOP"/dist/kubernetes/*.yaml)

# ---- yamllint
check "yamllint accepts ${MANIFESTS[*]##*/}" yamllint -s \
	-d '{extends: default, rules: {line-length: {max: 100}, document-start: disable}}' "${MANIFESTS[@]}"

# ---- the Kubernetes schemas
if [ ! -d "$MODS/node_modules/kubernetes-models" ] || [ ! -d "$MODS/node_modules/js-yaml" ]; then
	mkdir -p "$MODS"
	(cd "$MODS" && npm install --no-audit --no-fund --silent kubernetes-models@4 js-yaml@4) >>"$OUT/log" 2>&1 ||
		fail "npm install kubernetes-models js-yaml into $MODS"
fi
if node "$TOP/tests/k8s_validate.js" "$MODS/node_modules" "$OUT/conf" "${MANIFESTS[@]}" >"$OUT/validate" 2>&1; then
	while read -r _ what; do pass "$what"; done <"$OUT/validate"
else
	cat "$OUT/validate"; fail "the manifests against the Kubernetes schemas"
fi
caps_agree() {  # the DaemonSet's, the systemd unit's and the tests' capabilities are one set
	local ds unit tests
	ds=$(grep -o 'add: \[.*\]' "$TOP/dist/kubernetes/vtepd-daemonset.yaml" | tr -d '[]",' | cut -d' ' -f2- | tr ' ' '\n' | sort | xargs)
	unit=$(sed -n 's/^AmbientCapabilities=//p' "$TOP/dist/vtepd.service" | tr ' ' '\n' | sed 's/^CAP_//' | sort | xargs)
	tests=$(sed -n 's/^VTEPD_CAPS=\${VTEPD_CAPS-\(.*\)}$/\1/p' "$TOP/tests/net/lib.sh" | tr ',' '\n' |
		sed 's/^+//' | tr 'a-z' 'A-Z' | sort | xargs)
	echo "daemonset: $ds; unit: $unit; tests: $tests"
	[ -n "$ds" ] && [ "$ds" = "$unit" ] && [ "$ds" = "$tests" ]
}
check "the DaemonSet, dist/vtepd.service and tests/net/lib.sh grant the same capabilities" caps_agree

# ---- rendering a node's files
node_env() { env VTEPD_CONF_DIR="$OUT/conf" NODE_NAME=node-a NODE_IP=192.0.2.1 \
	CNI_BIN_DIR="$OUT/cnibin" CNI_CONF_DIR="$OUT/cniconf" VTEPD_LIB_DIR="$B" "$@"; }
render_ok() {
	node_env "$TOP/dist/kubernetes/vtepd-node.sh" render >"$OUT/vtepd.json" || return 1
	cat "$OUT/vtepd.json"
	jq -e '.vtep == {ip: "192.0.2.1", uplink: "eth0"} and .bgp.router_id == "192.0.2.1"
		and .vnis[0].host_ip == "10.1.1.1" and .vnis[0].outside == "host"' "$OUT/vtepd.json" &&
	{ "$B/vtepd" --probe -c "$OUT/vtepd.json"; [ $? -ne 2 ]; }
}
check "vtepd-node.sh render: node-a's vtepd.json (vtep ip from NODE_IP, host_ip), accepted by vtepd" render_ok
cni_ok() {
	node_env "$TOP/dist/kubernetes/vtepd-node.sh" install-cni || return 1
	cat "$OUT/cniconf/10-vtepd.conflist"
	[ -x "$OUT/cnibin/vtepd-cni" ] && jq -e '.plugins[0] | .type == "vtepd-cni" and .vni == 100
		and .ipam.ranges == [[{subnet: "10.1.0.0/16", rangeStart: "10.1.1.10", rangeEnd: "10.1.1.250"}]]' \
		"$OUT/cniconf/10-vtepd.conflist" &&
	jq -e '[.plugins[].type] == ["vtepd-cni", "portmap"] and .name == "vtepd"' "$OUT/cniconf/10-vtepd.conflist" &&
	echo '{"cniVersion": "1.0.0"}' | CNI_COMMAND=VERSION "$OUT/cnibin/vtepd-cni" | jq -e '.supportedVersions | index("1.0.0")'
}
check "vtepd-node.sh install-cni: vtepd-cni installed, 10-vtepd.conflist (vtepd-cni then portmap, node-a's range)" cni_ok
unknown_node() { ! env VTEPD_CONF_DIR="$OUT/conf" NODE_NAME=node-z NODE_IP=192.0.2.9 \
	CNI_BIN_DIR="$OUT/cnibin" CNI_CONF_DIR="$OUT/cniconf" "$TOP/dist/kubernetes/vtepd-node.sh" install-cni; }
check "install-cni refuses a node without a pod range in nodes.json" unknown_node

# ---- the image
mkdir -p "$R/podman/tmp"
printf '[engine]\ntmp_dir = "%s"\nevents_logger = "none"\ncgroup_manager = "cgroupfs"\n' \
	"$R/podman/tmp" >"$R/containers.conf"
if ! pm info >/dev/null 2>&1; then
	skip "the image: podman does not run here ($(pm info 2>&1 | tail -n 1))"
	exit 0
fi
make_base() {  # a root filesystem of this machine's files: busybox, jq, ip, the CNI plugins, the libraries
	local rf=$OUT/rootfs f d
	mkdir -p "$rf/bin" "$rf/usr/lib/cni" "$rf/tmp" "$rf/etc" "$rf/run" "$rf/var/lib"
	cp /bin/busybox "$rf/bin/busybox"
	for f in $("$rf/bin/busybox" --list); do [ -e "$rf/bin/$f" ] || ln -s busybox "$rf/bin/$f"; done
	cp "$(command -v jq)" "$rf/bin/jq"
	rm -f "$rf/bin/ip"; cp "$(command -v ip)" "$rf/bin/ip"
	cp /usr/lib/cni/host-local /usr/lib/cni/portmap "$rf/usr/lib/cni/"
	for f in "$rf/bin/jq" "$rf/bin/ip" "$B/vtepd" "$B/vtepctl" "$B/vtepd-cni"; do
		ldd "$f" | awk '/=> \// {print $3} /^\t\/lib/ {print $1}'
	done | sort -u | while read -r f; do
		d=$rf$(dirname "$f"); mkdir -p "$d"; cp -L "$f" "$d/"
	done
	ln -sfn bin "$rf/sbin"; mkdir -p "$rf/usr"; ln -sfn ../bin "$rf/usr/bin"; ln -sfn ../bin "$rf/usr/sbin"
	echo "root:x:0:0:root:/:/bin/sh" >"$rf/etc/passwd"
	tar -C "$rf" -c . | pm import - "$BASE"
}
check "a base image from this machine's files (podman import: no registry here)" make_base
build_img() {
	(cd "$TOP" && pm build --network none --runtime "$RUNTIME" "${LIMITS[@]}" \
		--build-arg "BASE=$BASE" -f dist/kubernetes/Containerfile -t "$IMG" .)
}
check "podman build -f dist/kubernetes/Containerfile (BASE = that image)" build_img
check "the image runs vtepd -V" pm run --rm --network none --runtime "$RUNTIME" "${LIMITS[@]}" \
	--entrypoint /usr/sbin/vtepd "$IMG" -V
in_image_render() {
	pm run --rm --network none --runtime "$RUNTIME" "${LIMITS[@]}" -e NODE_NAME=node-b \
		-e NODE_IP=192.0.2.2 -v "$OUT/conf:/etc/vtepd:ro" "$IMG" render | tee /dev/stderr |
		jq -e '.vtep.ip == "192.0.2.2" and .vnis[0].host_ip == "10.1.2.1"'
}
check "the image renders node-b's vtepd.json" in_image_render
in_image_cni() {
	mkdir -p "$OUT/img-bin" "$OUT/img-conf"
	pm run --rm --network none --runtime "$RUNTIME" "${LIMITS[@]}" -e NODE_NAME=node-b \
		-e NODE_IP=192.0.2.2 -v "$OUT/conf:/etc/vtepd:ro" -v "$OUT/img-bin:/host/opt/cni/bin" \
		-v "$OUT/img-conf:/host/etc/cni/net.d" "$IMG" install-cni &&
	ls "$OUT/img-bin" && [ -x "$OUT/img-bin/vtepd-cni" ] && [ -x "$OUT/img-bin/host-local" ] &&
	[ -x "$OUT/img-bin/portmap" ] && jq -e '.plugins[0].ipam.ranges[0][0].rangeStart == "10.1.2.10"' \
		"$OUT/img-conf/10-vtepd.conflist"
}
check "the image's install-cni: vtepd-cni, host-local, portmap and the conflist into the host's directories" in_image_cni

# vtepd from the image as the DaemonSet runs it: in a node's network
# namespace (a test one), the node's bpffs, /run/vtepd, /var/lib/vtepd,
# /host/proc/sys/net, exactly the DaemonSet's capabilities, not privileged.
live() {
	mkdir -p "$R/bpf" "$R/run" "$R/state" "$R/conf"
	mount -t bpf bpf "$R/bpf" || return 1
	ip netns add "$NS" && ip -n "$NS" link set lo up && ip -n "$NS" addr add 192.0.2.1/32 dev lo &&
	ip -n "$NS" link add eth0 type veth peer name eth0p && ip -n "$NS" link set eth0 up &&
	ip -n "$NS" link set eth0p up || return 1
	cp "$OUT/conf/nodes.json" "$R/conf/"
	jq 'del(.bgp) | .bpffs = "/sys/fs/bpf/vtepd" | .metrics = null' "$OUT/conf/vtepd.json" >"$R/conf/vtepd.json"
	pm run -d --name "$CTR" --network "ns:/run/netns/$NS" --runtime "$RUNTIME" "${LIMITS[@]}" \
		--cap-drop all \
		--cap-add BPF,NET_ADMIN,PERFMON,SYS_ADMIN,NET_BIND_SERVICE --security-opt no-new-privileges \
		-e NODE_NAME=node-a -e NODE_IP=192.0.2.1 -e VTEPD_SYSCTL_NET=/host/proc/sys/net \
		-v "$R/conf:/etc/vtepd:ro" -v "$R/bpf:/sys/fs/bpf" -v "$R/run:/run/vtepd" \
		-v "$R/state:/var/lib/vtepd" -v /proc/sys/net:/host/proc/sys/net "$IMG" run || return 1
	local i
	for ((i = 0; i < 100; i++)); do [ -S "$R/run/cni.sock" ] && break; sleep 0.1; done
	pm logs "$CTR"
	nsenter --net="/run/netns/$NS" "$B/vtepctl" -s "$R/run/vtepd.sock" -b "$R/bpf/vtepd" -j vnis |
		jq -e '.[0].outside == "host" and .[0].host_ip == "10.1.1.1"' &&
	ip -n "$NS" -j addr show vtep100 | jq -e '.[0].addr_info | any(.local == "10.1.1.1")' &&
	[ "$(ip netns exec "$NS" cat /proc/sys/net/ipv4/conf/vtep100/forwarding)" = 1 ] &&
	[ "$(ip netns exec "$NS" cat /proc/sys/net/ipv4/conf/vtep100d/forwarding)" = 1 ]
}
check "vtepd runs from the image with the DaemonSet's capabilities and mounts: VNI 100's host link made, its sysctls written through /host/proc/sys/net, vtepctl answers" live
