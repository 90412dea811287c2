#!/bin/bash
# 11-cleanup.sh - `vtepd --cleanup -c CFG` detaches the programs and removes the
# maps and pins. The programs stay attached when vtepd merely exits (that is
# what makes restarts lossless), so cleanup is the only way to remove them.
# For each uplink mode (MODES="auto xdp"; auto picks TC on a veth uplink;
# xdp prints a SKIP with the reason where the kernel refuses the XDP
# uplink); afterwards vtepd starts from scratch and forwards.
. "$(dirname "$0")/lib.sh"
net_begin
H1=${PFX}h1

tc_ours()   { nx "$H1" tc filter show dev "$1" ingress | grep bpf >/dev/null; }
# tc_prog DEV NAME: NAME is the program of DEV's tc ingress filter.
tc_prog()   { nx "$H1" tc filter show dev "$1" ingress | grep -E "bpf .*name $2( |\$)" >/dev/null; }
xdp_ours()  { ip -n "$H1" -d link show up0 | grep 'prog/xdp' >/dev/null; }
net_lists() { nx "$H1" bpftool net show | tee /dev/stderr | grep "$1" >/dev/null; }
pins()      { compgen -G "$(bpffs_of h1)/vtep_*" >/dev/null; }
attached() {  # attached MODE: everything of ours is in place
	local mode=$1 ok=0
	tc_ours w1 || { echo "no tc filter on w1"; ok=1; }
	tc_ours w2 || { echo "no tc filter on w2"; ok=1; }
	if [ "$mode" = xdp ]; then
		xdp_ours || { echo "no xdp on up0"; ok=1; }
		tc_ours up0 || { echo "no tc filter on up0 (xdp mode delivers from tc)"; ok=1; }
	else
		# auto on a veth, and tc: tc mode's program, no XDP half.
		tc_prog up0 vtep_uplink_tc || { echo "no vtep_uplink_tc filter on up0"; ok=1; }
		xdp_ours && { echo "an XDP program on up0 in $mode mode"; ok=1; }
	fi
	pins || { echo "no vtep_* pins in $(bpffs_of h1)"; ok=1; }
	return $ok
}
nothing_left() {
	local ok=0 d
	for d in w1 w2 up0; do tc_ours "$d" && { echo "tc filter left on $d"; ok=1; }; done
	xdp_ours && { echo "xdp left on up0"; ok=1; }
	nx "$H1" bpftool net show | tee /dev/stderr | grep -E 'up0|w1|w2' >/dev/null && { echo "bpftool net still lists ours"; ok=1; }
	pins && { echo "pins left: $(ls "$(bpffs_of h1)")"; ok=1; }
	return $ok
}

for mode in ${MODES:-auto xdp}; do
	skip_mode "$mode" && continue
	two_hosts gateway gateway "$mode"
	check "[$mode] programs attached and maps pinned" attached "$mode"
	check "[$mode] bpftool net lists the ports and the uplink" sh -c "nsenter --net=/run/netns/$H1 bpftool net show | grep w1 >/dev/null && nsenter --net=/run/netns/$H1 bpftool net show | grep up0 >/dev/null"
	vtepd_stop h1
	check "[$mode] vtepd exited: programs stay attached" attached "$mode"
	check "[$mode] vtepd --cleanup exits 0" vtepd_run h1 --cleanup -c "$(cfg_of h1)"
	check "[$mode] nothing of ours is left (tc, xdp, bpftool net, pins)" nothing_left
	check "[$mode] a second --cleanup has nothing to do and exits 0" vtepd_run h1 --cleanup -c "$(cfg_of h1)"
	vtepd_start h1
	check "[$mode] vtepd starts again after cleanup and forwards" ping_ok "${PFX}w11" 10.1.0.21
	topo_down
done
