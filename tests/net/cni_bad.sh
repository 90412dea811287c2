#!/bin/bash
# cni_bad.sh - vtepd-cni given bad input, and many pods at once. Every
# refusal is the spec's error ({cniVersion, code, msg, details} on stdout,
# a non-zero status) with the code SPEC.md section 5 gives it, and leaves
# nothing behind: no port or pod in vtepd (vtepctl -j), no address in
# host-local's store, no veth on the node. Then 100 ADDs run at once (each
# succeeds or fails in the spec's format, and what vtepd holds always
# matches the successes), the failed ones are retried as a runtime would
# until all 100 are up, and 100 DELs (retried alike) take everything away.
PFX=${PFX:-vd-}
R=${R:-/run/vtepd-cnibad-test}
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cni_lib.sh"
net_begin

topo_fabric
topo_host h1
write_config h1 "" ""
f=$(cfg_of h1)
jq '.limits.ports = 256' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
cni_vtepd_config h1
vtepd_start h1
cni_setup
cni_node h1
cni_conflist "$CNI_LIST" pods 100 1 "$CNI_SOCK" 1.0.0 '[]'
CONF=$(cni_request "$CNI_LIST" 0 null ADD)

# nothing_left: no pod, no port, no address, no veth of ours.
nothing_left() {
	local pods ports ips links
	pods=$(vt h1 -j pods); ports=$(vt h1 -j ports); ips=$(ipam_ips pods | wc -l)
	links=$(nx "${PFX}h1" ip -o link show | grep -c ' vt[0-9a-f]\{11\}[@:]')
	echo "pods $pods ports $ports ipam $ips links $links"
	[ "$pods" = "[]" ] && [ "$ports" = "[]" ] && [ "$ips" -eq 0 ] && [ "$links" -eq 0 ]
}
# refused CODE CMD CID NETNS IFNAME CONFIG: the plugin fails with CODE in
# the spec's format, and nothing is left.
refused() {
	local code=$1; shift
	cni_exec "$@"; local rc=$?
	echo "status $rc: $CNI_RESULT"
	[ $rc -ne 0 ] && printf '%s' "$CNI_RESULT" | jq -e --argjson c "$code" '.code == $c
		and (.msg | type == "string" and length > 0) and (.details | type == "string")
		and (.cniVersion | test("^[0-9]+\\.[0-9]+\\.[0-9]+$"))' >/dev/null && nothing_left
}
pod_ns pa; NSA=$(pod_path pa)
with() { jq -c "$1" <<<"$CONF"; }

check "malformed JSON on stdin: 6" refused 6 ADD ca "$NSA" eth0 '{"cniVersion": "1.0.0", "name":'
check "a JSON array, not an object: 6" refused 6 ADD ca "$NSA" eth0 '[1, 2]'
big=$(jq -c --arg pad "$(head -c 300000 /dev/zero | tr '\0' x)" '.pad = $pad' <<<"$CONF")
check "300 KB of config (over the 256 KiB cap): 6" refused 6 ADD ca "$NSA" eth0 "$big"
check "cniVersion 9.9.9: 1" refused 1 ADD ca "$NSA" eth0 "$(with '.cniVersion = "9.9.9"')"
check "cniVersion 0.2.0 (another result shape): 1" refused 1 ADD ca "$NSA" eth0 "$(with '.cniVersion = "0.2.0"')"
check "GC at 1.0.0 (GC is 1.1.0's): 1" refused 1 GC "" "" "" "$(with '.["cni.dev/valid-attachments"] = []')"
check "an unknown field: 2, naming it" refused 2 ADD ca "$NSA" eth0 "$(with '.frobnicate = 7')"
check "\"ipMasq\": true: 2" refused 2 ADD ca "$NSA" eth0 "$(with '.ipMasq = true')"
check "vni 0: 7" refused 7 ADD ca "$NSA" eth0 "$(with '.vni = 0')"
check "no ipam: 7" refused 7 ADD ca "$NSA" eth0 "$(with 'del(.ipam)')"
check "ipam.type with a slash: 7" refused 7 ADD ca "$NSA" eth0 "$(with '.ipam.type = "../x"')"
check "a VNI vtepd does not have: 7, the address released" refused 7 ADD ca "$NSA" eth0 "$(with '.vni = 4242')"
check "CNI_CONTAINERID missing: 4" refused 4 ADD "" "$NSA" eth0 "$CONF"
check "CNI_IFNAME 'a/b': 4" refused 4 ADD ca "$NSA" "a/b" "$CONF"
check "CNI_IFNAME of 16 characters: 4" refused 4 ADD ca "$NSA" "abcdefghijklmnop" "$CONF"
check "CNI_CONTAINERID '-x': 4" refused 4 ADD "-x" "$NSA" eth0 "$CONF"
check "CNI_NETNS relative: 4" refused 4 ADD ca "netns/a" eth0 "$CONF"
check "a netns that does not exist: 3, the address released" refused 3 ADD ca /run/netns/"${PFX}nope" eth0 "$CONF"
: >"$R/not-a-netns"
check "a netns path that is a plain file: 7, the address released" refused 7 ADD ca "$R/not-a-netns" eth0 "$CONF"
rm -f "$R/not-a-netns"
unknown_arg() {
	local out rc
	out=$(printf '%s' "$CONF" | nx "${PFX}h1" env -i CNI_COMMAND=ADD CNI_CONTAINERID=ca \
		CNI_NETNS="$NSA" CNI_IFNAME=eth0 CNI_PATH="$CNI_BIN:$CNI_SYS" CNI_ARGS="FOO=bar" \
		"$CNI_BIN/vtepd-cni" 2>/dev/null); rc=$?
	echo "$rc $out"; CNI_RESULT=$out
	[ $rc -ne 0 ] && jq -e '.code == 2 and (.details | test("FOO"))' <<<"$out" >/dev/null && nothing_left
}
check "CNI_ARGS FOO=bar without IgnoreUnknown: 2, naming FOO" unknown_arg
no_command() {
	local out rc
	out=$(printf '%s' "$CONF" | env -i "$CNI_BIN/vtepd-cni" 2>/dev/null); rc=$?
	echo "$rc $out"
	[ $rc -ne 0 ] && jq -e '.code == 4 and (.details | test("CNI_COMMAND"))' <<<"$out" >/dev/null
}
check "no CNI_COMMAND: 4, naming it" no_command
dup_ifname() {  # CNI_IFNAME taken in the pod: ADD fails, nothing left
	run ip -n "${PFX}pa" link add eth0 type veth peer name eth0p
	refused 7 ADD ca "$NSA" eth0 "$CONF"
}
check "CNI_IFNAME already in the pod: refused (7), nothing left" dup_ifname
check "VERSION answers 0.3.0 .. 1.1.0" sh -c "echo '{\"cniVersion\":\"1.1.0\"}' | CNI_COMMAND=VERSION $CNI_BIN/vtepd-cni | jq -e '.supportedVersions == [\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\",\"1.1.0\"] and .cniVersion == \"1.1.0\"'"

# ---- 100 ADDs at once, then 100 DELs, with a runtime's retries. vtepd
# serves one request at a time; on a loaded machine the last of 100 may pass
# the plugin's deadline. Such an ADD fails (code 11) and leaves nothing: the
# invariant below holds after every round, whatever the machine's speed.
N=100
for i in $(seq 1 $N); do pod_ns "m$i"; done
many() {  # many CMD [failed]: plugin runs at once, one per pod (or per pod whose last run failed)
	local cmd=$1 only=${2:-} i pids=()
	for i in $(seq 1 $N); do
		[ -n "$only" ] && [ "$(cat "$R/many-$i.rc" 2>/dev/null)" = 0 ] && continue
		(cni_exec "$cmd" "cm$i" "/run/netns/${PFX}m$i" eth0 "$CONF"; echo $? >"$R/many-$i.rc"
		 printf '%s' "$CNI_RESULT" >"$R/many-$i.out") 3>&- 9>&- &
		pids+=($!)
	done
	[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
	return 0
}
count_ok() { grep -lx 0 "$R"/many-*.rc 2>/dev/null | wc -l; }
all_spec() {  # every run succeeded, or failed in the spec's format
	local i ok=0
	for i in $(seq 1 $N); do
		if [ "$(cat "$R/many-$i.rc")" = 0 ]; then ok=$((ok + 1))
		else jq -e '.code | type == "number"' "$R/many-$i.out" >/dev/null || { cat "$R/many-$i.out"; return 1; }
		fi
	done
	echo "$ok of $N succeeded"
}
retry() {  # retry CMD: up to 5 more rounds for the runs that failed, as a runtime retries
	local cmd=$1 round
	for round in 1 2 3 4 5; do
		[ "$(count_ok)" -eq $N ] && break
		say "  $cmd: $(count_ok) of $N succeeded; round $round retries the others"
		many "$cmd" failed
	done
	echo "$(count_ok) of $N"; [ "$(count_ok)" -eq $N ]
}
consistent() {  # what succeeded is there once, nothing else
	local ok pods ports ips links
	ok=$(count_ok)
	pods=$(vt h1 -j pods | jq length); ports=$(vt h1 -j ports | jq '[.[] | select(.pod)] | length')
	ips=$(ipam_ips pods | wc -l)
	links=$(nx "${PFX}h1" ip -o link show | grep -c ' vt[0-9a-f]\{11\}[@:]')
	echo "ok $ok pods $pods ports $ports ipam $ips links $links"
	[ "$ok" -eq "$pods" ] && [ "$ok" -eq "$ports" ] && [ "$ok" -eq "$ips" ] && [ "$ok" -eq "$links" ]
}
t0=$SECONDS
many ADD
say "  100 ADDs at once: $(count_ok) succeeded at the first try, in $((SECONDS - t0)) s"
check "100 ADDs at once: each succeeded or failed in the spec's format" all_spec
# vtepd may still be carrying out the DELs that follow ADDs past their deadline.
check_until "pods, ports, addresses and veths agree with the successes" 60 consistent
check "with a runtime's retries every ADD succeeds" retry ADD
check_until "pods, ports, addresses and veths agree: all 100" 60 consistent
check "a pod of the burst reaches another through the port program" \
	ping_ok "${PFX}m1" "$(jq -r '.ips[0].address | split("/")[0]' "$R/many-2.out")"
rm -f "$R"/many-*
t0=$SECONDS
many DEL
say "  100 DELs at once: $(count_ok) succeeded at the first try, in $((SECONDS - t0)) s"
check "with a runtime's retries every DEL succeeds" retry DEL
check_until "after the DELs nothing is left" 60 nothing_left
rm -f "$R"/many-*

# ---- a full vtep_ports: vtepd restarted with limits.ports 2. Two pods fit;
# the third ADD fails (code 100, the message names limits.ports) and leaves
# nothing: no pod, port, address or veth (before, it succeeded with a pod
# that had an address and no datapath).
vtepd_stop h1
jq '.limits.ports = 2' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
vtepd_start h1
cni_exec ADD cf1 "/run/netns/${PFX}m1" eth0 "$CONF" >/dev/null 2>&1
cni_exec ADD cf2 "/run/netns/${PFX}m2" eth0 "$CONF" >/dev/null 2>&1
ports_full() {
	local rc pods ports ips links
	cni_exec ADD cf3 "/run/netns/${PFX}m3" eth0 "$CONF"; rc=$?
	pods=$(vt h1 -j pods | jq length); ports=$(vt h1 -j ports | jq length)
	ips=$(ipam_ips pods | wc -l)
	links=$(nx "${PFX}h1" ip -o link show | grep -c ' vt[0-9a-f]\{11\}[@:]')
	echo "status $rc: $CNI_RESULT; pods $pods ports $ports ipam $ips links $links"
	[ $rc -ne 0 ] && jq -e '.code == 100 and (.msg + " " + .details | test("limits.ports"))' \
		<<<"$CNI_RESULT" >/dev/null && [ "$pods" -eq 2 ] && [ "$ports" -eq 2 ] &&
		[ "$ips" -eq 2 ] && [ "$links" -eq 2 ]
}
check "a full vtep_ports (limits.ports 2): the third ADD fails (100, naming limits.ports), nothing of it left" ports_full
check "the log says vtep_ports is full" grep -q 'vtep_ports is full' "$LOGDIR/vtepd-h1.log"
for i in 1 2; do cni_exec DEL "cf$i" "/run/netns/${PFX}m$i" eth0 "$CONF" >/dev/null 2>&1; done
check_until "after the DELs nothing is left" 30 nothing_left
