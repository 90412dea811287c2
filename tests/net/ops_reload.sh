#!/bin/bash
# ops_reload.sh - broken configuration files on reload (issue 4, points 4
# and 5), vtepd built with ASan/UBSan: for each way a file can be wrong (not
# JSON, empty, binary, unknown keys, out-of-range or mistyped values, missing
# required fields, references to unknown VNIs, duplicates, more routes than
# the limits, nesting, a missing file) SIGHUP is refused with the reason in
# the log and the running state kept (routes, ports, VNIs identical, vtepd
# alive, forwarding on); `vtepctl reload` fails with exit 1 and names the
# field; `vtepd -c FILE` refuses the same file with exit 2 without touching
# the running datapath. Finally the good file reloads again.
. "$(dirname "$0")/ops_lib.sh"
net_begin
ops_use_asan
two_hosts
run ping_ok "${PFX}w11" 10.1.0.21 1
CFG=$(cfg_of h1)
GOOD=$LOGDIR/good.json
cp "$CFG" "$GOOD"
snapshot h1 "$LOGDIR/before.json" || die "cannot snapshot h1"

refusals() { grep -c "keeping the running configuration" "$LOGDIR/vtepd-h1.log"; }
# refused NAME WORD: SIGHUP logs one more refusal, naming WORD; state kept.
refused() {
	local n0 n1 word=$2
	n0=$(refusals)
	kill -HUP "${VTEPD_PID[h1]}" || return 1
	wait_until 10 sh -c "[ \$(grep -c 'keeping the running configuration' '$LOGDIR/vtepd-h1.log') -gt $n0 ]" ||
		{ echo "no refusal logged within 10 s"; return 1; }
	n1=$(refusals)
	grep "keeping the running configuration" "$LOGDIR/vtepd-h1.log" | tail -n 1
	grep "keeping the running configuration" "$LOGDIR/vtepd-h1.log" | tail -n 1 | matches -- "$word" ||
		{ echo "the refusal does not name \"$word\""; return 1; }
	[ "$n1" -eq $((n0 + 1)) ] && alive h1 && same_snapshot h1 "$LOGDIR/before.json"
}
# ctl_refused WORD: vtepctl reload exits 1 and its message names WORD.
ctl_refused() {
	local out rc
	out=$(nsenter --net="/run/netns/${PFX}h1" "$VTEPCTL" -s "$(sock_of h1)" reload 2>&1); rc=$?
	echo "vtepctl reload: exit $rc: $out"
	[ $rc -eq 1 ] && echo "$out" | matches -- "$1"
}
# start_refused WORD: a fresh vtepd refuses the file with exit 2, naming WORD.
start_refused() {
	local out rc
	out=$("$VTEPD" -c "$CFG" 2>&1); rc=$?
	echo "vtepd -c: exit $rc: $out" | tail -n 3
	[ $rc -eq 2 ] && echo "$out" | matches -- "$1"
}

# bad NAME WORD WRITER...: the file is replaced by what WRITER prints.
bad() {
	local name=$1 word=$2; shift 2
	"$@" >"$CFG" 2>/dev/null || true
	check "$name: SIGHUP refused, state kept" refused "$name" "$word"
	check "$name: vtepctl reload exits 1" ctl_refused "$word"
	check "$name: vtepd -c exits 2" start_refused "$word"
}
jqg() { jq "$1" "$GOOD"; }
bad "not JSON" "invalid JSON" printf '{ "vtep": { "ip": '
bad "empty file" "invalid JSON" printf ''
bad "binary garbage" "invalid JSON" "$PY" -c 'import random, sys; r = random.Random(3); sys.stdout.buffer.write(bytes(r.randrange(256) for _ in range(4096)))'
bad "unknown key" colour jqg '.colour = "blue"'
bad "unknown nested key" colour jqg '.vnis[0].colour = "blue"'
bad "vni 0" vni jqg '.vnis[0].vni = 0'
bad "vni above 24 bits" vni jqg '.vnis[0].vni = 16777216'
bad "bad VTEP address" vtep.ip jqg '.vtep.ip = "300.1.1.1"'
bad "bad gateway MAC" gateway_mac jqg '.vnis[0].gateway_mac = "zz:zz"'
bad "missing vtep.ip" vtep.ip jqg 'del(.vtep.ip)'
bad "limits of the wrong type" limits.routes jqg '.limits.routes = "many"'
bad "port in an unknown VNI" vni jqg '.ports[0].vni = 200'
bad "duplicate port" w1 jqg '.ports += [.ports[0]]'
bad "route prefix with host bits" prefix jqg '.routes[0].prefix = "10.1.0.21/16"'
bad "bad uplink_attach" uplink_attach jqg '.vtep.uplink_attach = "ebpf"'
bad "bad metrics address" metrics jqg '.metrics = "nowhere"'
bad "more routes than limits.routes" routes jqg '.routes = [range(5000) | {vni: 100, prefix: "10.2.\(. / 256 | floor).\(. % 256)/32", vtep: "192.0.2.2", mac: "02:00:00:00:00:22"}]'
bad "deeply nested" vtep sh -c 'printf "{\"vtep\": "; head -c 100000 /dev/zero | tr "\\0" "["; printf "\n"'
rm -f "$CFG"
check "missing file: SIGHUP refused, state kept" refused "missing file" "No such file"
check "missing file: vtepctl reload exits 1" ctl_refused "No such file"

check "the datapath forwarded throughout: w11 -> w21" ping_ok "${PFX}w11" 10.1.0.21
r23=$(route_j 10.1.0.23 "$(vtep_ip h2)" "$(wl_mac 23)")
write_config h1 "$(std_ports h1)" "$(std_routes h1; echo "$r23")"
check "the good file, with a route added, reloads" vt h1 reload
check "and the route is there" sh -c "nsenter --net=/run/netns/${PFX}h1 '$VTEPCTL' -s '$(sock_of h1)' -b '$(bpffs_of h1)' -j routes | jq -e '[.[] | select(.prefix == \"10.1.0.23/32\")] | length == 1'"
check "vtepd alive" alive h1
check "no sanitizer report while running" no_sanitizer_report h1
vtepd_stop h1
check "no sanitizer report after a clean exit (leaks included)" no_sanitizer_report h1
