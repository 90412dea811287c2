#!/bin/bash
# kernel_fallbacks.sh - vtepd on the kernel it finds (docs/kernel.md): the
# probes, `uplink_attach: auto`, every fallback forced with the test-only
# override (vtepd --test-features + VTEPD_TEST_FEATURES), the capabilities
# that have none, and bpffs mounted at /sys/fs/bpf when nothing is there.
#
# A fallback is proven twice: traffic still flows, and the program the
# kernel runs (bpftool prog dump xlated) no longer calls the helper the
# fallback avoids, while it does without the override.
. "$(dirname "$0")/lib.sh"
net_begin
topo_base
METRICS_PORT=19481
METRICS="\"127.0.0.1:$METRICS_PORT\""   # one per host namespace
write_config h1 "$(std_ports h1)" "$(std_routes h1)" gateway auto
write_config h2 "$(std_ports h2)" "$(std_routes h2)" gateway auto
H1=$(ns_of h1)

# start_with H SPEC: vtepd on H with the capabilities in SPEC turned off.
start_with() {
	local h=$1 spec=$2 args=$VTEPD_ARGS
	VTEPD_ARGS="$args --test-features"
	VTEPD_TEST_FEATURES=$spec vtepd_start "$h"
	VTEPD_ARGS=$args
}
restart_with() { vtepd_stop h1; vtepd_stop h2; start_with h1 "$1"; start_with h2 "$1"; }

# prog_id NS DEV: id of our TC ingress program on DEV.
prog_id() { nx "$1" bpftool -j net show dev "$2" | jq -r '.[0].tc[]? | select(.name | startswith("vtep_")) | .id' | head -n1; }
# calls NS DEV HELPER: the program on DEV calls HELPER (xlated code).
calls() {
	local id code n
	id=$(prog_id "$1" "$2")
	[ -n "$id" ] || { echo "no program of ours on $2"; return 2; }
	code=$(bpftool prog dump xlated id "$id") || return 2
	n=$(grep -c "call $3#" <<<"$code")
	echo "$2 (prog $id) calls to $3: $n"
	[ "$n" -gt 0 ]
}
lacks() { calls "$@"; [ $? -eq 1 ]; }
metric() { nx "$H1" curl -sf "http://127.0.0.1:$METRICS_PORT/metrics" | grep -F "$1"; }
status_is() { vt h1 -j status | tee /dev/stderr | jq -e "$1"; }

# ---- auto, nothing forced -------------------------------------------------------
vtepd_start h1
vtepd_start h2
check "vtepd --probe -j: every capability a boolean" sh -c \
	"'$VTEPD' --probe -j | jq -e '(.features | length >= 9) and all(.features[]; type == \"boolean\")'"
check "auto on a veth uplink: tc, and the reason names the veth or a missing capability" \
	status_is '.uplinks[0] | .mode == "tc" and .attached and (.reason | test("veth|lacks"))'
check "status: the features the datapath needs are there" \
	status_is '.features | .btf and .clsact and .ringbuf and .fib_lookup and .redirect_neigh'
check "the start log names the kernel features in one line" \
	grep -q "kernel features: btf" "$LOGDIR/vtepd-h1.log"
check "metrics: vtepd_datapath_feature and vtepd_uplink_mode" sh -c \
	"$(declare -f nx metric); H1=$H1 METRICS_PORT=$METRICS_PORT; metric 'vtepd_datapath_feature{feature=\"ringbuf\"} 1' && metric 'vtepd_uplink_mode{ifname=\"up0\",mode=\"tc\"} 1'"
check "w11 -> w21 across hosts" ping_ok "$(ns_of w11)" 10.1.0.21
check "without the override the port program calls bpf_redirect_peer" calls "$H1" w1 bpf_redirect_peer
check "... and the TC uplink program too" calls "$H1" up0 bpf_redirect_peer

# ---- the override is honoured only with --test-features -------------------------
vtepd_stop h1
VTEPD_TEST_FEATURES=redirect_peer=0 vtepd_start h1
check "VTEPD_TEST_FEATURES alone changes nothing (no --test-features)" \
	status_is '.test_override == false and .features.redirect_peer'

# ---- xdp_meta missing: auto picks tc and forwards ---------------------------------
restart_with xdp_meta=0
check "[no xdp_meta] auto: tc, because of xdp_meta" \
	status_is '.test_override and (.features.xdp_meta | not) and .uplinks[0].mode == "tc" and (.uplinks[0].reason | test("xdp_meta|veth"))'
check "[no xdp_meta] the XDP program was not loaded" status_is '.xdp_program | startswith("not loaded")'
check "[no xdp_meta] no XDP program on up0" sh -c "! ip -n '$H1' -d link show up0 | grep -q prog/xdp"
check "[no xdp_meta] w11 -> w21 across hosts" ping_ok "$(ns_of w11)" 10.1.0.21
check "[no xdp_meta] metrics: vtepd_datapath_feature{feature=\"xdp_meta\"} 0" sh -c \
	"$(declare -f nx metric); H1=$H1 METRICS_PORT=$METRICS_PORT; metric 'vtepd_datapath_feature{feature=\"xdp_meta\"} 0'"

# ---- explicit xdp that cannot run: refused, exit 1, never turned into tc --------
xdp_refused() {
	local out=$LOGDIR/xdp-refused.log rc
	vtepd_stop h1
	write_config h1 "$(std_ports h1)" "$(std_routes h1)" gateway xdp
	VTEPD_TEST_FEATURES=xdp_meta=0 timeout 20 "${VARGV[@]}" --test-features -c "$(cfg_of h1)" \
		>"$out" 2>&1 </dev/null
	rc=$?
	cat "$out"
	[ $rc -eq 1 ] && grep -q 'xdp_meta' "$out" && grep -q '"tc"' "$out" && grep -q '"auto"' "$out"
}
vtepd_argv h1
check "[no xdp_meta] uplink_attach xdp: exit 1 naming xdp_meta, suggesting tc or auto" xdp_refused
write_config h1 "$(std_ports h1)" "$(std_routes h1)" gateway auto

# ---- redirect_peer missing: bpf_redirect to the veth's host end ------------------
restart_with redirect_peer=0
check "[no redirect_peer] w11 -> w12 (same host)" ping_ok "$(ns_of w11)" 10.1.0.12
check "[no redirect_peer] w11 -> w21 (across hosts)" ping_ok "$(ns_of w11)" 10.1.0.21
check "[no redirect_peer] w21 -> w11 (across hosts)" ping_ok "$(ns_of w21)" 10.1.0.11
check "[no redirect_peer] TCP w11 -> w21" sh -c \
	"$(declare -f nx); $(declare -p PFX); nx ${PFX}w21 timeout 10 iperf3 -s -1 -D -p 5299 && sleep 0.3 && nx ${PFX}w11 timeout 15 iperf3 -c 10.1.0.21 -p 5299 -t 1 >/dev/null"
check "[no redirect_peer] the port program calls no bpf_redirect_peer" lacks "$H1" w1 bpf_redirect_peer
check "[no redirect_peer] nor the TC uplink program" lacks "$H1" up0 bpf_redirect_peer

# ---- ktime_coarse missing: the precise clock for the underlay cache ---------------
restart_with ktime_coarse=0
check "[no ktime_coarse] w11 -> w21 across hosts" ping_ok "$(ns_of w11)" 10.1.0.21
check "[no ktime_coarse] the port program uses bpf_ktime_get_ns" bash -c \
	"$(declare -f nx prog_id calls lacks); calls $H1 w1 bpf_ktime_get_ns && lacks $H1 w1 bpf_ktime_get_coarse_ns"

# ---- a capability with no fallback: one line, the minimum kernel, exit 1 ---------
no_fallback() {
	local out=$LOGDIR/no-ringbuf.log rc
	vtepd_stop h1
	VTEPD_TEST_FEATURES=ringbuf=0 timeout 20 "${VARGV[@]}" --test-features -c "$(cfg_of h1)" \
		>"$out" 2>&1 </dev/null
	rc=$?
	cat "$out"
	[ $rc -eq 1 ] && grep -q 'lacks ringbuf.*Linux 5.8' "$out"
}
vtepd_argv h1
check "[no ringbuf] exit 1 with the capability and Linux 5.8 named" no_fallback
check "a bad override is refused (exit 2)" sh -c \
	"VTEPD_TEST_FEATURES=warp_drive=0 '$VTEPD' --probe --test-features; [ \$? -eq 2 ]"

# ---- bpffs: mounted at /sys/fs/bpf when nothing is there --------------------------
# In a private mount namespace, so the host's own /sys/fs/bpf is not touched.
automount() {
	local out=$LOGDIR/automount.log cfg=$(hostdir h1)/automount.json
	jq '.bpffs = "/sys/fs/bpf/vtepd-kernel-test" | .control_socket += ".am"' "$(cfg_of h1)" >"$cfg"
	unshare -m --propagation private sh -c "
		umount -l /sys/fs/bpf 2>/dev/null
		nsenter --net=/run/netns/$H1 timeout 20 '$VTEPD' -c '$cfg' &
		pid=\$!
		i=0; while [ \$i -lt 100 ] && [ ! -S '$(sock_of h1).am' ]; do sleep 0.1; i=\$((i+1)); done
		stat -f -c %T /sys/fs/bpf; ls /sys/fs/bpf/vtepd-kernel-test | head -n 3
		kill \$pid; wait \$pid" >"$out" 2>&1
	cat "$out"
	grep -q "mounted a bpf filesystem there" "$out" && grep -q "^bpf_fs" "$out" &&
		grep -q "^vtep_" "$out" && grep -q "is not shared with other mount namespaces" "$out"
}
check "bpffs under /sys/fs/bpf with nothing mounted: vtepd mounts it" automount
not_bpffs() {
	local out=$LOGDIR/not-bpffs.log cfg=$(hostdir h1)/plain.json rc
	mkdir -p "$(hostdir h1)/plain"
	jq --arg p "$(hostdir h1)/plain/pins" '.bpffs = $p' "$(cfg_of h1)" >"$cfg"
	timeout 20 "${VARGV[@]}" -c "$cfg" >"$out" 2>&1 </dev/null
	rc=$?
	cat "$out"
	[ $rc -ne 0 ] && grep -q "bpffs: .* is not on a bpf filesystem" "$out" &&
		[ ! -e "$(hostdir h1)/plain/pins" ]
}
check "a bpffs path on another filesystem is still refused, the field named" not_bpffs

topo_down
