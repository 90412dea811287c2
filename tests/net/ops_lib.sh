# shellcheck shell=bash
# ops_lib.sh - shared by the operations tests (tests/net/ops_*.sh): lib.sh's
# topology and helpers under the ops prefix (namespaces vo-*, bpffs and
# sockets under /run/vtepd-ops), plus what those tests need on top:
# a sanitizer build of vtepd, snapshots of what vtepd knows, sanitizer-report
# checks, the hostile clients of ops_client.py and the bench's generator.
#
# Sourced by the scenario after nothing else; it sources lib.sh.

PFX=${PFX:-vo-}
R=${R:-/run/vtepd-ops}
# shellcheck source=tests/net/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

OPS_CLIENT=$TOP/tests/net/ops_client.py
GEN=${GEN:-$TOP/build/bench/gen}
PASS_OBJ=${PASS_OBJ:-$TOP/build/bench/pass.bpf.o}
MPORT=9469   # metrics port inside each host namespace (127.0.0.1)

# ops_use_asan: run vtepd built with ASan/UBSan (build-asan/vtepd, made
# here when missing or stale), every report to the vtepd log, UBSan fatal.
ops_use_asan() {
	if [ -z "${VTEPD_ASAN:-}" ]; then
		echo "+ make BUILD=build-asan CC=clang-19 SAN=1 build-asan/vtepd" >>"$LOG"
		make -s -C "$TOP" BUILD=build-asan CC=clang-19 SAN=1 build-asan/vtepd >>"$LOG" 2>&1 ||
			die "cannot build the ASan/UBSan vtepd (make BUILD=build-asan CC=clang-19 SAN=1 all)"
		VTEPD_ASAN=$TOP/build-asan/vtepd
	fi
	VTEPD=$VTEPD_ASAN
	export ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:print_summary=1
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
}

# no_sanitizer_report H: vtepd's log on H holds no ASan/UBSan/LSan report.
no_sanitizer_report() {
	local log=$LOGDIR/vtepd-$1.log
	if grep -nE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: (Address|Undefined|Leak)" "$log"; then
		return 1
	fi
	echo "no sanitizer report in $log"
}

# alive H: vtepd on H still runs (and answers vtepctl).
alive() {
	kill -0 "${VTEPD_PID[$1]}" 2>/dev/null || { echo "vtepd on $1 is gone"; return 1; }
	vt "$1" -j ports >/dev/null || { echo "vtepd on $1 does not answer"; return 1; }
	echo "vtepd on $1 (pid ${VTEPD_PID[$1]}) alive and answering"
}

# snapshot H FILE: everything vtepd shows about routes, ports, VNIs,
# neighbours and the FDB, as JSON (the counters are left out: they move).
snapshot() {
	local h=$1 o
	for o in routes ports vnis neigh fdb; do
		vt "$h" -j "$o" | jq -S --arg o "$o" '{($o): .}' || return 1
	done >"$2"
}
# same_snapshot H FILE: the state is what FILE recorded.
same_snapshot() {
	local now=$LOGDIR/.snap.now
	snapshot "$1" "$now" || return 1
	if diff -u "$2" "$now"; then echo "same routes, ports, vnis, neigh, fdb as before"; else return 1; fi
}

# ops_py [NS] ARGS...: ops_client.py, in namespace NS when the first
# argument names one of ours.
ops_py() {
	if [ -e "/run/netns/$1" ]; then
		local ns=$1; shift
		nx "$ns" "$PY" "$OPS_CLIENT" "$@"
	else
		"$PY" "$OPS_CLIENT" "$@"
	fi
}

# metrics_of H: the /metrics text of vtepd on H (127.0.0.1:$MPORT in H).
metrics_of() { nx "$(ns_of "$1")" curl -sf --max-time 10 "http://127.0.0.1:$MPORT/metrics"; }
# metric H SERIES: the value of one series (exact name{labels}), or empty.
metric() { metrics_of "$1" | awk -v s="$2" '$1 == s { print $2 }'; }

# need_gen: the bench's generator and XDP_PASS object (make bench-tools),
# built here when missing; returns 1 when they cannot be.
need_gen() {
	[ -x "$GEN" ] && [ -f "$PASS_OBJ" ] && return 0
	echo "+ make bench-tools" >>"$LOG"
	make -s -C "$TOP" bench-tools >>"$LOG" 2>&1
	[ -x "$GEN" ] && [ -f "$PASS_OBJ" ]
}
# napi_on NS DEV / napi_off NS DEV: an XDP_PASS program on DEV, so frames the
# generator XDP-redirects into DEV's veth peer are received (DESIGN.md,
# kernel facts). vtepd only uses TC on ports: this program does not meet it.
napi_on()  { ip -n "$1" link set dev "$2" xdpdrv obj "$PASS_OBJ" sec xdp; }
napi_off() { ip -n "$1" link set dev "$2" xdpdrv off 2>/dev/null; return 0; }
