# shellcheck shell=bash
# cni_lib.sh - a CNI runtime for the tests: what kubelet's container runtime
# does with a network configuration list, step by step as SPEC.md section 3
# ("Execution of Network Configurations") says, so that vtepd-cni and the
# plugins chained after it are driven exactly as a runtime drives them:
#
#   cni_add LIST CID NETNS IFNAME [NS NAME]   every plugin in order; the
#       request config is the plugin's object with the list's cniVersion and
#       name inserted, runtimeConfig from the plugin's capabilities and the
#       runtime's capability arguments (portMappings: $CNI_PORTMAPS;
#       bandwidth: $CNI_BANDWIDTH, a JSON object as kubelet's runtime fills it
#       from the pod's bandwidth annotations), and the
#       previous plugin's result as prevResult (none for the first); the final
#       result is cached (like libcni's /var/lib/cni/results)
#   cni_del LIST CID NETNS IFNAME             every plugin in reverse order,
#       prevResult = the cached result; the cache entry goes on success
#   cni_check LIST CID NETNS IFNAME           in order, prevResult = cached;
#       nothing when the list says disableCheck
#   cni_gc LIST                               GC to every plugin with
#       cni.dev/valid-attachments = the cached attachments of the network;
#       goes on after an error, fails if any failed
#   cni_status LIST                           STATUS to every plugin
#
# The environment is kubelet's: CNI_COMMAND, CNI_CONTAINERID, CNI_NETNS,
# CNI_IFNAME, CNI_PATH and CNI_ARGS =
#   IgnoreUnknown=1;K8S_POD_NAMESPACE=NS;K8S_POD_NAME=NAME;
#   K8S_POD_INFRA_CONTAINER_ID=CID;K8S_POD_UID=UID
# Each plugin's stdout goes to $CNI_OUT (its result or error JSON), stderr
# to the log. Run inside a host's namespace: `nx NS cni_add ...` cannot run
# a function, so the plugins are run through `nx $CNI_NS`.
#
# Needs: CNI_NS (the node's namespace), CNI_BIN (a directory with
# vtepd-cni), CNI_CACHE (this node's cache directory).

CNI_SYS=${CNI_SYS:-/usr/lib/cni}
CNI_OUT=${CNI_OUT:-/dev/null}
CNI_PORTMAPS=${CNI_PORTMAPS:-}
CNI_BANDWIDTH=${CNI_BANDWIDTH:-}

# cni_speaks TYPE: the versions a plugin lists in its VERSION reply.
cni_speaks() {
	local bin=$CNI_BIN/$1
	[ -x "$bin" ] || bin=$CNI_SYS/$1
	echo '{"cniVersion":"1.0.0"}' | env -i CNI_COMMAND=VERSION "$bin" 2>/dev/null |
		jq -c '.supportedVersions // []'
}

# cni_version LIST: the version of an attachment's operations: the highest
# of cniVersion and cniVersions (section 1, "Version considerations") that
# every plugin of the list speaks (runtimes "MAY consider the set of
# supported plugin versions"): Debian's portmap stops at 1.0.0.
cni_version() {
	local all='null' t
	for t in $(jq -r '.plugins[].type' "$1"); do
		all=$(jq -cn --argjson a "$all" --argjson b "$(cni_speaks "$t")" \
			'if $a == null then $b else [$a[] | select(. as $x | $b | index($x))] end')
	done
	jq -r --argjson ok "$all" '[.cniVersion] + (.cniVersions // []) | map(select(. != null))
		| map(select(. as $v | $ok | index($v))) | max_by(split(".") | map(tonumber)) // ""' "$1"
}

# cni_request LIST INDEX PREV_JSON CMD: the request configuration of one
# plugin (section 3, "Deriving request configuration").
cni_request() {
	local list=$1 i=$2 prev=$3 cmd=$4 valid=${5:-[]} v=1.1.0
	case $cmd in GC | STATUS) ;; *) v=$(cni_version "$list") ;; esac
	[ -n "$v" ] || { echo "cni: no version every plugin of $list speaks" >>"$LOG"; return 1; }
	jq -c --argjson i "$i" --arg v "$v" --argjson prev "$prev" \
		--arg cmd "$cmd" --argjson pm "${CNI_PORTMAPS:-[]}" --argjson valid "$valid" \
		--argjson bw "${CNI_BANDWIDTH:-null}" '
		.name as $name | .plugins[$i]
		| (.capabilities // {}) as $caps
		| del(.capabilities)
		| .cniVersion = $v | .name = $name
		| if $cmd == "GC" then .["cni.dev/valid-attachments"] = $valid
		  elif $cmd == "STATUS" then .
		  else .runtimeConfig = ((if $caps.portMappings and ($pm | length) > 0
					  then {portMappings: $pm} else {} end)
					 + (if $caps.bandwidth and $bw != null
					    then {bandwidth: $bw} else {} end))
		       | (if $prev != null then .prevResult = $prev else . end)
		  end' "$list"
}

# cni_exec CMD CID NETNS IFNAME CONFIG_JSON: one plugin run; its stdout in
# $CNI_RESULT, its status returned.
cni_exec() {
	local cmd=$1 cid=$2 netns=$3 ifname=$4 conf=$5 type rc
	type=$(jq -r .type <<<"$conf")
	local env=(CNI_COMMAND="$cmd" CNI_PATH="$CNI_BIN:$CNI_SYS")
	if [ -n "$cid" ]; then
		env+=(CNI_CONTAINERID="$cid" CNI_NETNS="$netns" CNI_IFNAME="$ifname"
		      CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAMESPACE=${CNI_K8S_NS:-default};K8S_POD_NAME=${CNI_K8S_NAME:-pod-$cid};K8S_POD_INFRA_CONTAINER_ID=$cid;K8S_POD_UID=uid-$cid")
	fi
	local bin=$CNI_BIN/$type
	[ -x "$bin" ] || bin=$CNI_SYS/$type
	echo "+ cni $cmd $type cid=${cid:--} netns=${netns:--} ifname=${ifname:--}: $conf" >>"$LOG"
	CNI_RESULT=$(printf '%s' "$conf" | nsenter --net="/run/netns/$CNI_NS" -- env -i PATH="$PATH" "${env[@]}" "$bin" 2>>"$LOG")
	rc=$?
	echo "  -> status $rc: $CNI_RESULT" >>"$LOG"
	printf '%s\n' "$CNI_RESULT" >>"$CNI_OUT"
	return $rc
}

cni_cache_file() { echo "$CNI_CACHE/$(jq -r .name "$1")-$2-$3"; }

cni_add() {
	local list=$1 cid=$2 netns=$3 ifname=$4 n i prev=null conf
	CNI_K8S_NS=${5:-default} CNI_K8S_NAME=${6:-pod-$cid}
	n=$(jq '.plugins | length' "$list")
	[ "${n:-0}" -gt 0 ] || { echo "cni: $list has no plugins" >>"$LOG"; return 1; }
	for ((i = 0; i < n; i++)); do
		conf=$(cni_request "$list" "$i" "$prev" ADD) || return 1
		cni_exec ADD "$cid" "$netns" "$ifname" "$conf" || return 1
		prev=$CNI_RESULT
	done
	mkdir -p "$CNI_CACHE"
	jq -n --arg cid "$cid" --arg ifn "$ifname" --arg net "$(jq -r .name "$list")" \
		--arg netns "$netns" --argjson r "$prev" --argjson pm "${CNI_PORTMAPS:-[]}" \
		--argjson bw "${CNI_BANDWIDTH:-null}" \
		'{kind: "cniCacheV1", containerId: $cid, ifName: $ifn, networkName: $net,
		  netns: $netns, capabilityArgs: ({portMappings: $pm}
		  + (if $bw != null then {bandwidth: $bw} else {} end)), result: $r}' \
		>"$(cni_cache_file "$list" "$cid" "$ifname")"
}

cni_cached() {
	local f; f=$(cni_cache_file "$1" "$2" "$3")
	[ -f "$f" ] && jq -c .result "$f" || echo null
}
# The capability arguments of the ADD go with DEL and CHECK too (kubelet
# passes the same port mappings; portmap's DEL finds its rules by them).
cni_cached_caps() {
	local f; f=$(cni_cache_file "$1" "$2" "$3")
	[ -f "$f" ] && jq -c '.capabilityArgs.portMappings // []' "$f" || echo "[]"
}
# And the bandwidth the ADD had ("" when none).
cni_cached_bw() {
	local f; f=$(cni_cache_file "$1" "$2" "$3")
	[ -f "$f" ] && jq -c '.capabilityArgs.bandwidth // empty' "$f"
}

cni_del() {
	local list=$1 cid=$2 netns=$3 ifname=$4 n i prev conf
	local CNI_PORTMAPS; CNI_PORTMAPS=$(cni_cached_caps "$list" "$cid" "$ifname")
	# the ADD's (cached), or the caller's for an attachment with no cache
	# (the runtime's DEL after a failed ADD passes the same arguments)
	local bw=${CNI_BANDWIDTH:-}
	local CNI_BANDWIDTH; CNI_BANDWIDTH=$(cni_cached_bw "$list" "$cid" "$ifname")
	CNI_BANDWIDTH=${CNI_BANDWIDTH:-$bw}
	prev=$(cni_cached "$list" "$cid" "$ifname")
	n=$(jq '.plugins | length' "$list")
	[ "${n:-0}" -gt 0 ] || { echo "cni: $list has no plugins" >>"$LOG"; return 1; }
	for ((i = n - 1; i >= 0; i--)); do
		conf=$(cni_request "$list" "$i" "$prev" DEL) || return 1
		cni_exec DEL "$cid" "$netns" "$ifname" "$conf" || return 1
	done
	rm -f "$(cni_cache_file "$list" "$cid" "$ifname")"
}

cni_check() {
	local list=$1 cid=$2 netns=$3 ifname=$4 n i prev conf
	[ "$(jq -r '.disableCheck // false' "$list")" = true ] && return 0
	local CNI_PORTMAPS; CNI_PORTMAPS=$(cni_cached_caps "$list" "$cid" "$ifname")
	# the ADD's (cached), or the caller's for an attachment with no cache
	# (the runtime's DEL after a failed ADD passes the same arguments)
	local bw=${CNI_BANDWIDTH:-}
	local CNI_BANDWIDTH; CNI_BANDWIDTH=$(cni_cached_bw "$list" "$cid" "$ifname")
	CNI_BANDWIDTH=${CNI_BANDWIDTH:-$bw}
	prev=$(cni_cached "$list" "$cid" "$ifname")
	n=$(jq '.plugins | length' "$list")
	[ "${n:-0}" -gt 0 ] || { echo "cni: $list has no plugins" >>"$LOG"; return 1; }
	for ((i = 0; i < n; i++)); do
		conf=$(cni_request "$list" "$i" "$prev" CHECK) || return 1
		cni_exec CHECK "$cid" "$netns" "$ifname" "$conf" || return 1
	done
}

cni_valid() {   # the cached attachments of LIST's network
	local net; net=$(jq -r .name "$1")
	find "$CNI_CACHE" -maxdepth 1 -type f -name "$net-*" -exec cat {} + 2>/dev/null |
		jq -cs 'map({containerID: .containerId, ifname: .ifName})'
}

# GC and STATUS exist from 1.1.0 on: they go to the plugins that speak it
# (libcni sends neither to a list below 1.1.0); the others are skipped and
# said so in the log.
cni_has_110() { cni_speaks "$(jq -r ".plugins[$2].type" "$1")" | jq -e 'index("1.1.0")' >/dev/null; }

cni_gc() {
	local list=$1 n i conf valid failed=0
	[ "$(jq -r '.disableGC // false' "$list")" = true ] && return 0
	valid=$(cni_valid "$list")
	n=$(jq '.plugins | length' "$list")
	for ((i = 0; i < n; i++)); do
		cni_has_110 "$list" "$i" || { echo "cni: plugin $i of $list has no GC (< 1.1.0)" >>"$LOG"; continue; }
		conf=$(cni_request "$list" "$i" null GC "$valid") || return 1
		cni_exec GC "" "" "" "$conf" || failed=1
	done
	return $failed
}

cni_status() {
	local list=$1 n i conf
	n=$(jq '.plugins | length' "$list")
	for ((i = 0; i < n; i++)); do
		cni_has_110 "$list" "$i" || { echo "cni: plugin $i of $list has no STATUS (< 1.1.0)" >>"$LOG"; continue; }
		conf=$(cni_request "$list" "$i" null STATUS) || return 1
		cni_exec STATUS "" "" "" "$conf" || return 1
	done
}

# cni_plugin CMD CID NETNS IFNAME CONFIG: vtepd-cni alone, with a config of
# the test's (malformed ones included); the error JSON in $CNI_RESULT.
cni_plugin() { cni_exec "$@"; }

# cni_conflist FILE NAME VNI NODE SOCKET [VERSION] [EXTRA_PLUGINS_JSON]:
# vtepd-cni (host-local from 10.1.NODE.10-10.1.NODE.250 of the VNI's
# 10.1.0.0/16, its store in the node's own directory) then portmap
# (EXTRA_PLUGINS_JSON "[]": vtepd-cni alone). cniVersions lists 0.4.0 and
# 1.0.0 too, so the chain runs at 1.0.0, the highest Debian's portmap has.
cni_conflist() {
	local f=$1 name=$2 vni=$3 node=$4 sock=$5 ver=${6:-1.1.0} extra=${7:-}
	[ -n "$extra" ] || extra='[{"type": "portmap", "capabilities": {"portMappings": true}}]'
	jq -n --arg name "$name" --argjson vni "$vni" --arg sock "$sock" --arg ver "$ver" \
		--arg start "10.1.$node.10" --arg rend "10.1.$node.250" \
		--arg data "$CNI_IPAM_DIR" --argjson extra "$extra" '{
	cniVersion: $ver, cniVersions: ["0.4.0", "1.0.0", $ver], name: $name,
	plugins: ([{type: "vtepd-cni", vni: $vni, socket: $sock,
	            ipam: {type: "host-local", dataDir: $data,
	                   ranges: [[{subnet: "10.1.0.0/16", rangeStart: $start,
	                              rangeEnd: $rend}]]},
	            dns: {nameservers: ["10.1.255.253"], search: ["svc.cluster.local"]}}]
	          + $extra)
}' >"$f"
}

# host-local's store: the IP files it holds for NETWORK (dataDir/NETWORK/IP).
ipam_ips() { find "$CNI_IPAM_DIR/$1" -maxdepth 1 -name '[0-9]*' -printf '%f\n' 2>/dev/null | sort; }
ipam_has() { ipam_ips "$1" | matches -x "$2"; }

# ---------------------------------------------------------------- nodes

# cni_setup: the plugin directory (vtepd-cni only; the rest come from
# Debian's /usr/lib/cni) for every node of the scenario.
cni_setup() {
	CNI_BIN=$R/cnibin
	run mkdir -p "$CNI_BIN"
	DIRS+=("$CNI_BIN")
	run ln -sf "$TOP/build/vtepd-cni" "$CNI_BIN/vtepd-cni"
}

# cni_node H: the runtime of node H from now on (its namespace, result
# cache and host-local store, its conflist $CNI_LIST, vtepd's $CNI_SOCK;
# the scenarios read them).
# shellcheck disable=SC2034
cni_node() {
	CNI_NS=$(ns_of "$1")
	CNI_CACHE=$(hostdir "$1")/cni-cache
	CNI_IPAM_DIR=$(hostdir "$1")/ipam
	CNI_LIST=$(hostdir "$1")/pods.conflist
	CNI_SOCK=$(hostdir "$1")/cni.sock
	mkdir -p "$CNI_CACHE" "$CNI_IPAM_DIR"
}

# cni_vtepd_config H: the host's config file gains cni_socket, and room for
# a node's pods in vtep_ports (lib.sh's 64 is less than kubelet's default
# max-pods, 110; bench/pods.sh makes 100 pods on a node).
cni_vtepd_config() {
	local f; f=$(cfg_of "$1")
	jq --arg s "$(hostdir "$1")/cni.sock" '.cni_socket = $s | .limits.ports = ([.limits.ports, 512] | max)' \
		"$f" >"$f.tmp" && mv "$f.tmp" "$f" ||
		die "cannot write $f"
}

# cni_two_nodes [--config FN] [--node FN]: what the two-node CNI scenarios
# start from, after bgp_begin (needs bgp_lib.sh): the fabric and hosts h1
# and h2, each with a route to the other's uplink; on each, vtepd with a
# "bgp" section (AS 6510N, router id its VTEP address, no ports, no static
# routes) peering with the other host's uplink address over eBGP (hold 9 s,
# keepalive 3 s) and cni_vtepd_config's cni_socket, started on h1, then h2;
# the plugin directory (cni_setup); for each node, made the CNI node
# (cni_node), its conflist $CNI_LIST (cni_conflist's default: "pods",
# VNI 100, the node's range, vtepd-cni then portmap). Then the check
# "h1 and h2 Established". h2 is the CNI node when it returns.
#   --config FN   FN H edits host H's config file ($(cfg_of H)) after
#                 cni_vtepd_config, before vtepd starts
#   --node FN     FN H writes node H's conflists instead of the default one
#                 (cni_node H has run: $CNI_LIST, $CNI_SOCK, $CNI_IPAM_DIR
#                 are H's)
# A hook that fails aborts the test, as a failed setup step does.
cni_two_nodes() {
	local config_fn="" node_fn="" h h1ip h2ip
	local timers='{"hold_time_s": 9, "keepalive_s": 3}'
	while [ $# -gt 0 ]; do
		case $1 in
		--config) config_fn=$2; shift 2 ;;
		--node) node_fn=$2; shift 2 ;;
		*) die "cni_two_nodes: unknown argument $1" ;;
		esac
	done
	h1ip=$(uplink_ip h1); h2ip=$(uplink_ip h2)
	topo_fabric
	topo_host h1
	topo_host h2
	run ip -n "${PFX}h1" route add 198.51.100.4/30 via "$(fab_ip h1)"
	run ip -n "${PFX}h2" route add 198.51.100.0/30 via "$(fab_ip h2)"
	bgp_config h1 65101 "[$(nbr_j "$h2ip" 65102 "$timers")]" "" ""
	bgp_config h2 65102 "[$(nbr_j "$h1ip" 65101 "$timers")]" "" ""
	for h in h1 h2; do
		cni_vtepd_config "$h"
		[ -z "$config_fn" ] || "$config_fn" "$h" || die "cni_two_nodes: $config_fn $h failed"
	done
	vtepd_start h1
	vtepd_start h2
	cni_setup
	for h in h1 h2; do
		cni_node "$h"
		if [ -n "$node_fn" ]; then
			"$node_fn" "$h" || die "cni_two_nodes: $node_fn $h failed"
		else
			cni_conflist "$CNI_LIST" pods 100 "${h#h}" "$CNI_SOCK" ||
				die "cannot write $CNI_LIST"
		fi
	done
	check_until "h1 and h2 Established" 30 peer_up h1 "$h2ip"
}

# pod_ns NAME: an empty namespace for a pod, as the runtime makes one.
# pod_ns NAME: a pod's namespace, recorded for cleanup. Call it as a command,
# never as $(pod_ns ...): a subshell would record it in its own copy of
# NS_CREATED, and the namespace would outlive the test. pod_path names it.
pod_ns() { ns_add "${PFX}$1"; }
pod_path() { echo "/run/netns/${PFX}$1"; }
pod_ns_del() {
	local i
	ip netns del "${PFX}$1" 2>/dev/null
	for i in "${!NS_CREATED[@]}"; do [ "${NS_CREATED[$i]}" = "${PFX}$1" ] && unset "NS_CREATED[$i]"; done
	NS_CREATED=("${NS_CREATED[@]}")
	return 0
}
# pod_ip LIST CID IFNAME: the address the cached result gives the pod.
pod_ip() { cni_cached "$1" "$2" "${3:-eth0}" | jq -r '.ips[0].address | split("/")[0]'; }
